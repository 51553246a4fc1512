/**
 * Geometry of the tabular attribution chart: one horizontal bar per feature,
 * the largest |attribution| first, growing right from 0 for positive values
 * and left for negative ones. Pure: no DOM.
 */
import { isFiniteNumber, linearScale, niceDomain, type Maybe } from './chartScale';

export interface BarRow {
  /** The feature's position in the example. */
  feature: number;
  name: string;
  value: number;
  /** The feature's own value in the example, when known. */
  input?: number;
  /** Left edge and width of the bar, in plot coordinates. */
  x: number;
  width: number;
  /** Top of the row. */
  y: number;
}

export interface BarLayout {
  rows: BarRow[];
  /** Features left out because only the largest `maxBars` are drawn. */
  hidden: number;
  /** Plot x of attribution 0. */
  zeroX: number;
  ticks: { value: number; x: number }[];
}

export interface BarOptions {
  plotWidth: number;
  rowHeight: number;
  maxBars: number;
  /** Room kept beyond the longest bar on each side that has bars, for its value label. */
  valueRoom?: number;
}

export function featureName(index: number, columns: readonly string[] | undefined): string {
  return columns?.[index] ?? `feature ${index}`;
}

/** The text cut to `max` characters with an ellipsis, so long column names do not run off the chart. */
export function truncate(text: string, max: number): string {
  const chars = Array.from(text);
  return chars.length <= max ? text : `${chars.slice(0, Math.max(1, max - 1)).join('')}\u2026`;
}

export function barLayout(values: readonly Maybe[], columns: readonly string[] | undefined, inputs: readonly number[] | undefined, options: BarOptions): BarLayout {
  const order = values
    .map((value, feature) => ({ feature, value: isFiniteNumber(value) ? value : 0 }))
    .sort((a, b) => Math.abs(b.value) - Math.abs(a.value) || a.feature - b.feature);
  const shown = order.slice(0, Math.max(0, options.maxBars));
  let min = 0;
  let max = 0;
  for (const { value } of shown) {
    min = Math.min(min, value);
    max = Math.max(max, value);
  }
  const { domain, ticks } = niceDomain(min, max, 4);
  const room = Math.min(options.valueRoom ?? 0, options.plotWidth / 4);
  const x = linearScale(domain, [min < 0 ? room : 0, options.plotWidth - (max > 0 ? room : 0)]);
  const zeroX = x(0);
  const rows = shown.map(({ feature, value }, rank): BarRow => {
    const end = x(value);
    const row: BarRow = { feature, name: featureName(feature, columns), value, x: Math.min(zeroX, end), width: Math.abs(end - zeroX), y: rank * options.rowHeight };
    const input = inputs?.[feature];
    if (input !== undefined) row.input = input;
    return row;
  });
  return { rows, hidden: values.length - shown.length, zeroX, ticks: ticks.map((value) => ({ value, x: x(value) })) };
}
