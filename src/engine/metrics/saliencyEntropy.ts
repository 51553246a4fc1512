/**
 * Saliency entropy across latent units (Crabbé & van der Schaar, Appendix C.3).
 * For feature i of example x, p_j = |a_i(mu_j, x)| / sum_k |a_i(mu_k, x)| and
 * S(i, x) = -sum_j p_j ln p_j: 0 when one unit alone is sensitive to the
 * feature, ln d_H when all are equally. Only salient features count.
 */
import { meanStd, toVectors, type MapLike } from './vectors';

export interface EntropyOptions {
  /**
   * A feature is salient when sum_k |a_i(mu_k, x)| exceeds this fraction of
   * the largest such total in the example. Default 1e-3; 0 with
   * absoluteThreshold 0 gives the paper's "non-zero for at least one unit".
   */
  relativeThreshold?: number;
  /** A floor on the same total, in attribution units. Default 0. */
  absoluteThreshold?: number;
}

export interface ExampleEntropy {
  /** Mean S(i, x) over the salient features; NaN when none is salient. */
  mean: number;
  /** S(i, x) per feature, NaN for features that are not salient. */
  perFeature: Float64Array;
  salientCount: number;
  /** ln d_H. */
  maxEntropy: number;
}

export interface AverageEntropy {
  /** E_X E_{I ~ salient features of X} S(I, X), over the examples with a salient feature. */
  mean: number;
  perExample: number[];
  /** Examples left out because no feature was salient. */
  skippedExamples: number;
  maxEntropy: number;
}

export const DEFAULT_RELATIVE_THRESHOLD = 1e-3;

function thresholds(options: EntropyOptions): { relative: number; absolute: number } {
  const relative = options.relativeThreshold ?? DEFAULT_RELATIVE_THRESHOLD;
  const absolute = options.absoluteThreshold ?? 0;
  if (!Number.isFinite(relative) || relative < 0 || relative >= 1) throw new Error(`relativeThreshold must be in [0, 1), got ${relative}`);
  if (!Number.isFinite(absolute) || absolute < 0) throw new Error(`absoluteThreshold must be a finite number >= 0, got ${absolute}`);
  return { relative, absolute };
}

/** Entropy of one example; `unitMaps[j]` is the saliency map of latent unit j. */
export function saliencyEntropy(unitMaps: readonly MapLike[], options: EntropyOptions = {}): ExampleEntropy {
  const { relative, absolute } = thresholds(options);
  const maps = toVectors(unitMaps, 'unitMaps', 2);
  const features = maps[0]!.length;
  const totals = new Float64Array(features);
  for (const map of maps) for (let i = 0; i < features; i++) totals[i] += Math.abs(map[i]!);
  const largest = totals.reduce((a, b) => Math.max(a, b), 0);
  const threshold = Math.max(absolute, relative * largest);
  const perFeature = new Float64Array(features).fill(Number.NaN);
  let salientCount = 0;
  let sum = 0;
  for (let i = 0; i < features; i++) {
    const total = totals[i]!;
    if (!(total > threshold)) continue;
    let entropy = 0;
    for (const map of maps) {
      const p = Math.abs(map[i]!) / total;
      // 0 ln 0 = 0 by continuity.
      if (p > 0) entropy -= p * Math.log(p);
    }
    perFeature[i] = entropy;
    sum += entropy;
    salientCount++;
  }
  return { mean: salientCount > 0 ? sum / salientCount : Number.NaN, perFeature, salientCount, maxEntropy: Math.log(maps.length) };
}

/** Average entropy over examples; `examples[n][j]` is unit j's map for example n. */
export function averageSaliencyEntropy(examples: readonly (readonly MapLike[])[], options: EntropyOptions = {}): AverageEntropy {
  if (!Array.isArray(examples as unknown) || examples.length === 0) throw new Error('examples must be a non-empty list of per-unit map lists');
  const perExample = examples.map((maps, n) => {
    try {
      return saliencyEntropy(maps, options);
    } catch (error) {
      throw new Error(`examples[${n}]: ${(error as Error).message}`);
    }
  });
  const units = perExample[0]!.maxEntropy;
  perExample.forEach((e, n) => {
    if (e.maxEntropy !== units) throw new Error(`examples[${n}] has ${examples[n]!.length} units but examples[0] has ${examples[0]!.length}`);
  });
  const means = perExample.map((e) => e.mean);
  const summary = meanStd(means);
  return { mean: summary.mean, perExample: means, skippedExamples: means.length - summary.count, maxEntropy: units };
}
