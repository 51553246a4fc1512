/**
 * Scales, ticks and SVG path strings for the panel's charts. Pure: no DOM.
 * Non-finite values (NaN arrives as null from some webview transports) are
 * skipped, never drawn at 0.
 */

export type Maybe = number | null | undefined;

export function isFiniteNumber(value: Maybe): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

/** Maps [d0, d1] linearly onto [r0, r1]; a degenerate domain maps everything to the middle of the range. */
export function linearScale(domain: readonly [number, number], range: readonly [number, number]): (value: number) => number {
  const [d0, d1] = domain;
  const [r0, r1] = range;
  const span = d1 - d0;
  if (!(Math.abs(span) > 0) || !Number.isFinite(span)) return () => (r0 + r1) / 2;
  return (value) => r0 + ((value - d0) / span) * (r1 - r0);
}

/** The smallest of 1, 2, 5 times a power of ten that cuts `span` into at most about `count` steps. */
export function niceStep(span: number, count: number): number {
  if (!(span > 0) || !Number.isFinite(span)) return 1;
  const raw = span / Math.max(1, count);
  const power = 10 ** Math.floor(Math.log10(raw));
  const fraction = raw / power;
  const nice = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10;
  return nice * power;
}

/** A domain widened outward to whole steps, and the ticks on it (multiples of the step). */
export function niceDomain(min: number, max: number, count = 5): { domain: [number, number]; ticks: number[]; step: number } {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return niceDomain(0, 1, count);
  if (min > max) [min, max] = [max, min];
  if (min === max) {
    const pad = min === 0 ? 1 : Math.abs(min) * 0.1;
    return niceDomain(min - pad, max + pad, count);
  }
  const step = niceStep(max - min, count);
  const lo = Math.floor(min / step + 1e-9) * step;
  const hi = Math.ceil(max / step - 1e-9) * step;
  const ticks: number[] = [];
  for (let k = 0; lo + k * step <= hi + step * 1e-9; k++) ticks.push(roundToStep(lo + k * step, step));
  return { domain: [roundToStep(lo, step), roundToStep(hi, step)], ticks, step };
}

/** Removes the float noise of k * step (0.30000000000000004 -> 0.3). */
function roundToStep(value: number, step: number): number {
  const decimals = Math.max(0, -Math.floor(Math.log10(step)) + 1);
  return Number(value.toFixed(Math.min(20, decimals)));
}

/** [min, max] over every finite value of every series; `include` values (e.g. 0) are always inside. */
export function extentOfAll(series: readonly (readonly Maybe[])[], include: readonly number[] = []): [number, number] {
  let min = Infinity;
  let max = -Infinity;
  for (const values of [...series, include]) {
    for (const v of values) {
      if (!isFiniteNumber(v)) continue;
      if (v < min) min = v;
      if (v > max) max = v;
    }
  }
  return min === Infinity ? [0, 1] : [min, max];
}

function point(x: number, y: number): string {
  return `${round(x)},${round(y)}`;
}

export function round(value: number): number {
  return Math.round(value * 100) / 100;
}

/** "M x,y L x,y ..." through the finite points; a non-finite y breaks the line instead of dropping to 0. */
export function linePath(xs: readonly number[], ys: readonly Maybe[]): string {
  const parts: string[] = [];
  let pen = false;
  for (let i = 0; i < xs.length; i++) {
    const y = ys[i];
    if (!isFiniteNumber(y) || !Number.isFinite(xs[i]!)) {
      pen = false;
      continue;
    }
    parts.push(`${pen ? 'L' : 'M'}${point(xs[i]!, y)}`);
    pen = true;
  }
  return parts.join(' ');
}

/** A closed band between lower and upper: along the upper edge, back along the lower. Points where either edge is not finite are left out. */
export function bandPath(xs: readonly number[], lower: readonly Maybe[], upper: readonly Maybe[]): string {
  const keep = xs.map((_, i) => i).filter((i) => isFiniteNumber(lower[i]) && isFiniteNumber(upper[i]) && Number.isFinite(xs[i]!));
  if (keep.length === 0) return '';
  const top = keep.map((i) => point(xs[i]!, upper[i] as number));
  const bottom = keep.reverse().map((i) => point(xs[i]!, lower[i] as number));
  return `M${top.join(' L')} L${bottom.join(' L')} Z`;
}
