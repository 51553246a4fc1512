/**
 * Geometry and words of the invariance section: the invariance curve (the
 * share of samples keeping the predicted class against σ, z2 resampled and the
 * z1 control, both starting at the reconstructions' share at σ = 0) and the
 * captions of samples and counterfactuals. Pure: no DOM.
 */
import type { InvarianceCurvePoint } from '../src/protocol/engineProtocol';
import { linePath, linearScale, niceDomain } from './chartScale';

export interface CurveGeometry {
  sigmas: number[];
  xs: number[];
  nuisance: { path: string; ys: number[]; values: number[] };
  control: { path: string; ys: number[]; values: number[] };
  xTicks: { value: number; x: number }[];
  yTicks: { value: number; y: number }[];
}

export function curveGeometry(points: readonly InvarianceCurvePoint[], reconstruction: number, size: { width: number; height: number }): CurveGeometry {
  const sorted = [...points].sort((a, b) => a.sigma - b.sigma);
  const sigmas = [0, ...sorted.map((p) => p.sigma)];
  const nuisance = [reconstruction, ...sorted.map((p) => p.nuisance)];
  const control = [reconstruction, ...sorted.map((p) => p.classUnits)];
  const xDomain = niceDomain(0, Math.max(...sigmas, 1e-9), 5);
  const x = linearScale(xDomain.domain, [0, size.width]);
  const y = linearScale([0, 1], [size.height, 0]);
  const xs = sigmas.map(x);
  const series = (values: number[]): { path: string; ys: number[]; values: number[] } => {
    const ys = values.map((v) => (Number.isFinite(v) ? y(v) : NaN));
    return { path: linePath(xs, ys), ys, values };
  };
  return {
    sigmas,
    xs,
    nuisance: series(nuisance),
    control: series(control),
    xTicks: xDomain.ticks.map((value) => ({ value, x: x(value) })),
    yTicks: [0, 0.25, 0.5, 0.75, 1].map((value) => ({ value, y: y(value) })),
  };
}

export function percent(share: number): string {
  return Number.isFinite(share) ? `${Math.round(share * 100)}%` : '—';
}

/** What a curve says in one line: how much of the class survives resampling z2 against resampling z1. */
export function curveSummary(points: readonly InvarianceCurvePoint[], reconstruction: number): string {
  if (points.length === 0) return `Reconstructions keep the class ${percent(reconstruction)} of the time.`;
  const last = [...points].sort((a, b) => a.sigma - b.sigma).at(-1)!;
  return `At σ = ${last.sigma}: resampling z2 keeps the class ${percent(last.nuisance)} of the time, resampling z1 (control) ${percent(last.classUnits)}; reconstructions ${percent(reconstruction)}.`;
}

export function className(index: number, classNames: readonly string[] | undefined): string {
  const name = classNames?.[index];
  return name === undefined ? `class ${index}` : name;
}

/** A counterfactual's caption: where it went and whether it got there. */
export function counterfactualText(c: { classIndex: number; available: boolean; reached: boolean; step: number; probability: number }, predicted: number, classNames: readonly string[] | undefined): string {
  const name = className(c.classIndex, classNames);
  if (!c.available) return `${name}: no training example is predicted as it`;
  if (c.classIndex === predicted) return `${name} (predicted): the reconstruction`;
  const p = `p = ${percent(c.probability)}`;
  return c.reached ? `${name}: reached at t = ${Number(c.step.toFixed(3))}, ${p}` : `${name}: not reached by t = ${Number(c.step.toFixed(3))}, ${p}`;
}
