/**
 * Proponents, opponents and least similar examples from one row of scores.
 * Lists are ordered by helpfulness whatever the sign convention: for influence
 * functions (helpful examples score negative) proponents are the lowest scores.
 * NaN scores are in no list; ties go to the lower index.
 */

/** Indices of the k best entries under `better`, best first, in O(N log k). */
export function bestIndices(count: number, k: number, key: (i: number) => number, descending: boolean): number[] {
  const sign = descending ? 1 : -1;
  const kept: number[] = [];
  const beats = (a: number, b: number): boolean => {
    const d = sign * (key(a) - key(b));
    return d > 0 || (d === 0 && a < b);
  };
  for (let i = 0; i < count; i++) {
    if (Number.isNaN(key(i))) continue;
    if (kept.length === k && !beats(i, kept[k - 1]!)) continue;
    // Binary search for the insertion point keeps the list sorted best first.
    let lo = 0;
    let hi = kept.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (beats(i, kept[mid]!)) hi = mid;
      else lo = mid + 1;
    }
    kept.splice(lo, 0, i);
    if (kept.length > k) kept.pop();
  }
  return kept;
}

export interface Ranked {
  proponents: number[];
  opponents: number[];
  leastSimilar: number[];
}

export function rankScores(scores: ArrayLike<number>, k: number, options: { family: 'gradient' | 'representation'; higherIsHelpful: boolean; distances?: ArrayLike<number> }): Ranked {
  const n = scores.length;
  const proponents = bestIndices(n, k, (i) => scores[i]!, options.higherIsHelpful);
  if (options.family === 'representation') {
    const distances = options.distances;
    const leastSimilar = distances ? bestIndices(n, k, (i) => distances[i]!, true) : bestIndices(n, k, (i) => scores[i]!, false);
    return { proponents, opponents: [], leastSimilar };
  }
  const taken = new Set(proponents);
  const opponents = bestIndices(n, k, (i) => (taken.has(i) ? NaN : scores[i]!), !options.higherIsHelpful);
  return { proponents, opponents, leastSimilar: [] };
}
