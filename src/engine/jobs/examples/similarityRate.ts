/**
 * The label-free paper's consistency check for example importance: the share
 * of the top-M (and bottom-M) training examples that share the test example's
 * label. A method that finds examples relevant to the prediction should score
 * high at the top and low at the bottom.
 */
import type { BoxStats } from '../../../protocol/engineProtocol';

export function similarityRate(ranked: readonly number[], trainLabels: Int32Array, testLabel: number, m: number): number {
  if (!Number.isInteger(m) || m < 1) throw new Error(`m must be a positive integer, got ${m}`);
  const take = ranked.slice(0, m);
  if (take.length === 0) return NaN;
  return take.filter((n) => trainLabels[n] === testLabel).length / take.length;
}

/** Quartiles by linear interpolation between order statistics (NumPy's default), over the finite values. */
export function boxStats(values: readonly number[]): BoxStats {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (sorted.length === 0) return { min: NaN, q1: NaN, median: NaN, q3: NaN, max: NaN, mean: NaN };
  const quantile = (q: number): number => {
    const pos = q * (sorted.length - 1);
    const lo = Math.floor(pos);
    const hi = Math.ceil(pos);
    return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
  };
  return { min: sorted[0]!, q1: quantile(0.25), median: quantile(0.5), q3: quantile(0.75), max: sorted[sorted.length - 1]!, mean: sorted.reduce((s, v) => s + v, 0) / sorted.length };
}
