/**
 * Geometry of the consistency-check chart: the effect of masking the top M%
 * of features (mean with ± std whiskers) against masking M% at random (mean
 * as a dashed line inside a ± std band), over M. Pure: no DOM.
 */
import type { MeanStdCurve } from '../src/protocol/engineProtocol';
import { bandPath, extentOfAll, isFiniteNumber, linearScale, linePath, niceDomain, type Maybe } from './chartScale';

export interface PlotBox {
  width: number;
  height: number;
}

export interface CurveMarks {
  line: string;
  /** ± std: a closed band path. */
  band: string;
  points: { x: number; y: number; low: number; high: number; value: number; std: number }[];
}

export interface ConsistencyGeometry {
  top: CurveMarks;
  random: CurveMarks;
  xTicks: { value: number; x: number; label: string }[];
  yTicks: { value: number; y: number }[];
  /** Plot y of 0, when 0 is inside the y domain (probability drops can be negative). */
  zeroY?: number;
}

function plus(mean: readonly Maybe[], std: readonly Maybe[], sign: 1 | -1): (number | null)[] {
  return mean.map((m, i) => {
    const s = std[i];
    return isFiniteNumber(m) ? m + sign * (isFiniteNumber(s) ? s : 0) : null;
  });
}

function marks(xs: number[], curve: MeanStdCurve, y: (v: number) => number): CurveMarks {
  const mean = curve.mean as Maybe[];
  const std = curve.std as Maybe[];
  const low = plus(mean, std, -1);
  const high = plus(mean, std, 1);
  const toY = (values: readonly Maybe[]): (number | null)[] => values.map((v) => (isFiniteNumber(v) ? y(v) : null));
  const points: CurveMarks['points'] = [];
  xs.forEach((x, i) => {
    const m = mean[i];
    if (!isFiniteNumber(m)) return;
    const s = std[i];
    points.push({ x, y: y(m), low: y(low[i]!), high: y(high[i]!), value: m, std: isFiniteNumber(s) ? s : 0 });
  });
  return { line: linePath(xs, toY(mean)), band: bandPath(xs, toY(low), toY(high)), points };
}

export function percentLabel(fraction: number): string {
  const percent = fraction * 100;
  return `${Number.isInteger(Math.round(percent * 10) / 10) ? Math.round(percent) : percent.toFixed(1)}%`;
}

/** The x axis runs over M in percent from 0 to the largest fraction, so the spacing of the M values is honest. */
export function consistencyGeometry(fractions: readonly number[], top: MeanStdCurve, random: MeanStdCurve, box: PlotBox): ConsistencyGeometry {
  const maxFraction = Math.max(...fractions.filter((f) => Number.isFinite(f)), 0.01);
  const x = linearScale([0, maxFraction], [0, box.width]);
  const xs = fractions.map((f) => x(f));
  const series = [top, random].flatMap((c) => [plus(c.mean as Maybe[], c.std as Maybe[], 1), plus(c.mean as Maybe[], c.std as Maybe[], -1)]);
  const { domain, ticks } = niceDomain(...extentOfAll(series, [0]), 4);
  const y = linearScale(domain, [box.height, 0]);
  const geometry: ConsistencyGeometry = {
    top: marks(xs, top, y),
    random: marks(xs, random, y),
    xTicks: fractions.map((f) => ({ value: f, x: x(f), label: percentLabel(f) })),
    yTicks: ticks.map((value) => ({ value, y: y(value) })),
  };
  if (domain[0] < 0 && domain[1] > 0) geometry.zeroY = y(0);
  return geometry;
}
