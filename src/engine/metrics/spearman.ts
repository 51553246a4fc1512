/** Spearman rank correlation: Pearson correlation of the ranks, tied values sharing their average rank. */
import { checkPair, pearsonOfVectors } from './pearson';
import { toVector, type MapLike } from './vectors';

/** 1-based ranks; ties get the mean of the ranks they span. */
export function averageRanks(values: Float64Array): Float64Array {
  const order = Array.from(values.keys()).sort((i, j) => values[i]! - values[j]!);
  const ranks = new Float64Array(values.length);
  let start = 0;
  while (start < order.length) {
    let end = start + 1;
    while (end < order.length && values[order[end]!] === values[order[start]!]) end++;
    // Positions start..end-1 hold equal values: ranks start+1..end, average (start + 1 + end) / 2.
    const rank = (start + 1 + end) / 2;
    for (let k = start; k < end; k++) ranks[order[k]!] = rank;
    start = end;
  }
  return ranks;
}

/** Spearman's rho of two equally long vectors; NaN when either is constant. */
export function spearman(a: MapLike, b: MapLike): number {
  const x = toVector(a, 'a');
  const y = toVector(b, 'b');
  checkPair(x, y, 'a', 'b');
  return pearsonOfVectors(averageRanks(x), averageRanks(y));
}
