/**
 * Geometry of a horizontal bar chart with ± standard-error whiskers, one row
 * per feature in the given order (semantic Shapley values: frequency bands
 * keep their order), bars growing right from 0 for positive values and left
 * for negative ones. Pure: no DOM.
 */
import { isFiniteNumber, linearScale, niceDomain, type Maybe } from './chartScale';

export interface ErrorBarRow {
  feature: number;
  name: string;
  value: number;
  error: number;
  /** Bar left edge and width, whisker ends, in plot coordinates. */
  x: number;
  width: number;
  low: number;
  high: number;
  /** Top of the row. */
  y: number;
}

export interface ErrorBarLayout {
  rows: ErrorBarRow[];
  zeroX: number;
  ticks: { value: number; x: number }[];
  height: number;
}

export function errorBarLayout(values: readonly Maybe[], errors: readonly Maybe[], names: readonly string[], options: { plotWidth: number; rowHeight: number }): ErrorBarLayout {
  const items = values.map((v, feature) => {
    const value = isFiniteNumber(v) ? v : 0;
    const e = errors[feature];
    const error = isFiniteNumber(e) ? Math.abs(e) : 0;
    return { feature, value, error };
  });
  let min = 0;
  let max = 0;
  for (const { value, error } of items) {
    min = Math.min(min, value - error);
    max = Math.max(max, value + error);
  }
  const { domain, ticks } = niceDomain(min, max, 4);
  const x = linearScale(domain, [0, options.plotWidth]);
  const zeroX = x(0);
  const rows = items.map(({ feature, value, error }, rank): ErrorBarRow => {
    const end = x(value);
    return {
      feature,
      name: names[feature] ?? `feature ${feature}`,
      value,
      error,
      x: Math.min(zeroX, end),
      width: Math.abs(end - zeroX),
      low: x(value - error),
      high: x(value + error),
      y: rank * options.rowHeight,
    };
  });
  return { rows, zeroX, ticks: ticks.map((value) => ({ value, x: x(value) })), height: rows.length * options.rowHeight };
}

/** Σφ against v(N) − v(∅), the efficiency check. */
export function efficiencyText(v: { values: readonly number[]; fullValue: number; emptyValue: number; efficiencyGap: number }, format: (n: number) => string): { text: string; warn: boolean } {
  const sum = v.values.reduce((a, b) => a + (Number.isFinite(b) ? b : 0), 0);
  const expected = v.fullValue - v.emptyValue;
  const relative = Math.abs(expected) > 1e-12 ? Math.abs(v.efficiencyGap) / Math.abs(expected) : undefined;
  const gap = relative === undefined ? `gap ${format(v.efficiencyGap)}` : `gap ${(relative * 100).toFixed(relative < 0.01 ? 2 : 1)}%`;
  return {
    text: `Σφ ${format(sum)} vs. v(N) − v(∅) = ${format(v.fullValue)} − ${format(v.emptyValue)} = ${format(expected)} (${gap})`,
    warn: relative !== undefined && relative > 0.05,
  };
}
