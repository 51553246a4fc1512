/**
 * Pearson correlation. A constant vector has no defined correlation: the
 * result is NaN, never a made-up 0, and callers that average skip and count it.
 */
import { assertSameLength, toVector, type MapLike } from './vectors';

/** Pearson r of two validated float64 vectors of equal length >= 2; NaN if either is constant. */
export function pearsonOfVectors(a: Float64Array, b: Float64Array): number {
  const n = a.length;
  let meanA = 0;
  let meanB = 0;
  for (let i = 0; i < n; i++) {
    meanA += a[i]!;
    meanB += b[i]!;
  }
  meanA /= n;
  meanB /= n;
  let cov = 0;
  let varA = 0;
  let varB = 0;
  for (let i = 0; i < n; i++) {
    const da = a[i]! - meanA;
    const db = b[i]! - meanB;
    cov += da * db;
    varA += da * da;
    varB += db * db;
  }
  if (varA === 0 || varB === 0) return Number.NaN;
  // Rounding can push |r| a hair above 1.
  return Math.max(-1, Math.min(1, cov / Math.sqrt(varA * varB)));
}

export function checkPair(a: Float64Array, b: Float64Array, nameA: string, nameB: string): void {
  assertSameLength(a, b, nameA, nameB);
  if (a.length < 2) throw new Error(`${nameA} and ${nameB} need at least 2 values for a correlation, got ${a.length}`);
}

/** Pearson correlation of two equally long vectors; NaN when either is constant. */
export function pearson(a: MapLike, b: MapLike): number {
  const x = toVector(a, 'a');
  const y = toVector(b, 'b');
  checkPair(x, y, 'a', 'b');
  return pearsonOfVectors(x, y);
}
