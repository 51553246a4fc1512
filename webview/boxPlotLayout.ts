/**
 * Geometry of the example-consistency box plots: for each M, one box per
 * method (min-max whiskers, q1-q3 box, median line, mean dot) of the
 * similarity rate, which is a share in [0, 1]. Pure: no DOM.
 */
import { isFiniteNumber, linearScale, round, type Maybe } from './chartScale';

/** Box statistics as they arrive; a missing statistic (NaN sent as null) leaves the box out. */
export interface MaybeBox {
  min: Maybe;
  q1: Maybe;
  median: Maybe;
  q3: Maybe;
  max: Maybe;
  mean?: Maybe;
}

export interface BoxMark {
  /** Which series (method) and which M. */
  series: number;
  group: number;
  /** Left edge, width and centre of the box. */
  x: number;
  width: number;
  cx: number;
  /** Plot y of each statistic (0 at the top). */
  min: number;
  q1: number;
  median: number;
  q3: number;
  max: number;
  mean?: number;
}

export interface BoxPlotGeometry {
  boxes: BoxMark[];
  groups: { label: string; x: number; left: number; right: number }[];
  yTicks: { value: number; y: number; label: string }[];
}

export interface PlotBox {
  width: number;
  height: number;
}

function complete(b: MaybeBox | null | undefined): b is MaybeBox & { min: number; q1: number; median: number; q3: number; max: number } {
  return !!b && [b.min, b.q1, b.median, b.q3, b.max].every(isFiniteNumber);
}

/**
 * `series[s][g]` is the box of series s at group g (group labels `groups`).
 * Groups are equal-width bands; the boxes of one group sit side by side in
 * series order, with a gap between groups. The y axis is fixed to [0, 1].
 */
export function boxPlotGeometry(groups: readonly string[], series: readonly (readonly (MaybeBox | null)[])[], box: PlotBox): BoxPlotGeometry {
  const y = linearScale([0, 1], [box.height, 0]);
  const clampY = (v: number): number => round(y(Math.max(0, Math.min(1, v))));
  const band = groups.length > 0 ? box.width / groups.length : box.width;
  const inner = band * 0.8;
  const slot = series.length > 0 ? inner / series.length : inner;
  const width = Math.max(2, slot * 0.7);
  const boxes: BoxMark[] = [];
  const groupMarks = groups.map((label, g) => {
    const left = g * band;
    return { label, x: round(left + band / 2), left: round(left), right: round(left + band) };
  });
  series.forEach((values, s) => {
    groups.forEach((_, g) => {
      const b = values[g];
      if (!complete(b)) return;
      const cx = g * band + (band - inner) / 2 + slot * (s + 0.5);
      const mark: BoxMark = {
        series: s,
        group: g,
        x: round(cx - width / 2),
        width: round(width),
        cx: round(cx),
        min: clampY(b.min),
        q1: clampY(b.q1),
        median: clampY(b.median),
        q3: clampY(b.q3),
        max: clampY(b.max),
      };
      if (isFiniteNumber(b.mean)) mark.mean = clampY(b.mean);
      boxes.push(mark);
    });
  });
  const yTicks = [0, 0.25, 0.5, 0.75, 1].map((value) => ({ value, y: round(y(value)), label: `${Math.round(value * 100)}%` }));
  return { boxes, groups: groupMarks, yTicks };
}

/** "median 80% (IQR 70–90%, range 50–100%)": one box in words, for the table and screen readers. */
export function boxText(b: MaybeBox | null | undefined): string {
  if (!complete(b)) return 'no value';
  const p = (v: number): string => `${Math.round(v * 1000) / 10}%`;
  return `median ${p(b.median)} (IQR ${p(b.q1)}–${p(b.q3)}, range ${p(b.min)}–${p(b.max)})`;
}
