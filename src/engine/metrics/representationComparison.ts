/**
 * Compares two encoders through their label-free saliency maps on the same
 * examples (Crabbé & van der Schaar, Section 4.2, Table 1): Pearson
 * correlation per example, summarised as mean +- std, plus the pooled
 * correlation over all (example, feature) pairs as in the paper's formula.
 */
import { checkPair, pearsonOfVectors } from './pearson';
import { meanStd, toVector, type MapLike } from './vectors';

export interface RepresentationComparison {
  mean: number;
  /** Population standard deviation over examples. */
  std: number;
  /** r per example; NaN where a map is constant. */
  perExample: number[];
  /** Examples with an undefined r, left out of mean and std. */
  undefinedCount: number;
  /** r over all examples' features pooled together. */
  pooled: number;
}

export function compareSaliencyMaps(mapsA: readonly MapLike[], mapsB: readonly MapLike[]): RepresentationComparison {
  if (!Array.isArray(mapsA as unknown) || !Array.isArray(mapsB as unknown)) throw new Error('mapsA and mapsB must be lists of saliency maps');
  if (mapsA.length === 0) throw new Error('mapsA must hold at least one saliency map');
  if (mapsA.length !== mapsB.length) throw new Error(`mapsA has ${mapsA.length} maps but mapsB has ${mapsB.length}`);
  const a = mapsA.map((m, n) => toVector(m, `mapsA[${n}]`));
  const b = mapsB.map((m, n) => toVector(m, `mapsB[${n}]`));
  const perExample = a.map((x, n) => {
    checkPair(x, b[n]!, `mapsA[${n}]`, `mapsB[${n}]`);
    return pearsonOfVectors(x, b[n]!);
  });
  const concat = (list: Float64Array[]): Float64Array => {
    const out = new Float64Array(list.reduce((s, v) => s + v.length, 0));
    let offset = 0;
    for (const v of list) {
      out.set(v, offset);
      offset += v.length;
    }
    return out;
  };
  const summary = meanStd(perExample);
  return { mean: summary.mean, std: summary.std, perExample, undefinedCount: perExample.length - summary.count, pooled: pearsonOfVectors(concat(a), concat(b)) };
}
