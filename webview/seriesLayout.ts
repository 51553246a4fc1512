/**
 * Geometry of a time-series channel: the signal as a line, and under it one
 * band per time step, from halfway to the previous step to halfway to the
 * next, filled down to the plot's floor in the colour of that step's
 * attribution. Pure: no DOM.
 */
import { extentOfAll, isFiniteNumber, linearScale, linePath, niceDomain, round, type Maybe } from './chartScale';

export interface SeriesBand {
  step: number;
  /** Closed polygon "x,y x,y ..." for an SVG polygon. */
  points: string;
  /** Attribution over the largest |attribution| of the chart, in [-1, 1]. */
  t: number;
}

export interface SeriesGeometry {
  line: string;
  bands: SeriesBand[];
  yTicks: { value: number; y: number }[];
  /** x of each step. */
  xs: number[];
}

export interface SeriesBox {
  width: number;
  height: number;
}

/** Channel `channel` of row-major T x C values. */
export function channelOf(values: readonly number[], steps: number, channels: number, channel: number): number[] {
  return Array.from({ length: steps }, (_, t) => values[t * channels + channel]!);
}

export function seriesGeometry(signal: readonly Maybe[], attribution: readonly Maybe[], maxAbs: number, box: SeriesBox): SeriesGeometry {
  const steps = signal.length;
  const { domain, ticks } = niceDomain(...extentOfAll([signal]), 3);
  const x = linearScale([0, Math.max(1, steps - 1)], [0, box.width]);
  const y = linearScale(domain, [box.height, 0]);
  const xs = Array.from({ length: steps }, (_, t) => x(t));
  const ys = signal.map((v) => (isFiniteNumber(v) ? y(v) : null));
  const floor = box.height;
  const bands: SeriesBand[] = [];
  for (let t = 0; t < steps; t++) {
    const a = attribution[t];
    const yt = ys[t];
    if (!isFiniteNumber(a) || a === 0 || !(maxAbs > 0) || yt === null || yt === undefined) continue;
    // The line at the half-steps, so neighbouring bands meet exactly under it.
    const left = t > 0 && ys[t - 1] !== null ? { x: (xs[t - 1]! + xs[t]!) / 2, y: (ys[t - 1]! + yt) / 2 } : { x: xs[t]!, y: yt };
    const right = t < steps - 1 && ys[t + 1] !== null ? { x: (xs[t]! + xs[t + 1]!) / 2, y: (yt + ys[t + 1]!) / 2 } : { x: xs[t]!, y: yt };
    const polygon = [
      [left.x, floor],
      [left.x, left.y],
      [xs[t]!, yt],
      [right.x, right.y],
      [right.x, floor],
    ];
    bands.push({ step: t, points: polygon.map(([px, py]) => `${round(px!)},${round(py!)}`).join(' '), t: Math.max(-1, Math.min(1, a / maxAbs)) });
  }
  return { line: linePath(xs, ys), bands, yTicks: ticks.map((value) => ({ value, y: y(value) })), xs };
}
