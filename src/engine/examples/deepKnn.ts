/**
 * Deep-KNN example importance (Papernot & McDaniel 2018), in the label-free
 * form of Crabbé & van der Schaar 2022 (Appendix): every training example n is
 * scored by the inverse latent distance 1 / (‖f(x) − f(xⁿ)‖ + ε), so the K most
 * important examples are the K nearest neighbours. Distances make the scores
 * invariant to orthogonal transforms of the latent space. Representation
 * methods have no opponents: the lowest scores are the least similar examples.
 */
import { checkPositiveInteger } from './cancel';
import type { Representations } from './representations';

export interface DeepKnnOptions {
  /** How many most and least similar examples to list. */
  k?: number;
  /** Keeps the score finite for an exact duplicate. */
  epsilon?: number;
}

export interface SimilarExample {
  index: number;
  score: number;
  distance: number;
}

export interface DeepKnnResult {
  /** One score per training example. */
  scores: Float32Array;
  /** The K highest scores (nearest first). */
  mostSimilar: SimilarExample[];
  /** The K lowest scores (farthest first): least similar, not opponents. */
  leastSimilar: SimilarExample[];
}

export const DEFAULT_DEEP_KNN_K = 10;
export const DEFAULT_DEEP_KNN_EPSILON = 1e-8;

export function checkRepresentations(r: Representations, name: string): void {
  if (!(r.values instanceof Float32Array)) throw new Error(`${name}.values must be a Float32Array`);
  checkPositiveInteger(r.count, `${name}.count`);
  checkPositiveInteger(r.dim, `${name}.dim`);
  if (r.values.length !== r.count * r.dim) throw new Error(`${name}.values has ${r.values.length} numbers, expected count * dim = ${r.count * r.dim}`);
}

/** Euclidean distances from `query` [d] to every row of `rows`, accumulated in float64. */
export function latentDistances(rows: Representations, query: ArrayLike<number>): Float64Array {
  if (query.length !== rows.dim) throw new Error(`the test representation has ${query.length} values, the training representations ${rows.dim}`);
  const out = new Float64Array(rows.count);
  for (let n = 0; n < rows.count; n++) {
    let sum = 0;
    const offset = n * rows.dim;
    for (let j = 0; j < rows.dim; j++) {
      const diff = query[j]! - rows.values[offset + j]!;
      sum += diff * diff;
    }
    out[n] = Math.sqrt(sum);
  }
  return out;
}

export function deepKnn(train: Representations, test: ArrayLike<number>, options: DeepKnnOptions = {}): DeepKnnResult {
  checkRepresentations(train, 'train');
  const k = options.k ?? DEFAULT_DEEP_KNN_K;
  checkPositiveInteger(k, 'k');
  const epsilon = options.epsilon ?? DEFAULT_DEEP_KNN_EPSILON;
  if (!(Number.isFinite(epsilon) && epsilon > 0)) throw new Error(`epsilon must be a finite positive number, got ${epsilon}`);
  for (let j = 0; j < test.length; j++) {
    if (!Number.isFinite(test[j]!)) throw new Error(`test representation value ${j} is not finite`);
  }
  const distances = latentDistances(train, test);
  const scores = Float32Array.from(distances, (d) => 1 / (d + epsilon));
  // Sorting on the float64 distances keeps ties that float32 scores would merge in their original order.
  const order = Array.from({ length: train.count }, (_, i) => i).sort((a, b) => distances[a]! - distances[b]! || a - b);
  const listed = (index: number): SimilarExample => ({ index, score: scores[index]!, distance: distances[index]! });
  const most = order.slice(0, Math.min(k, order.length));
  const rest = order.slice(most.length);
  const least = rest.slice(Math.max(0, rest.length - k)).reverse();
  return { scores, mostSimilar: most.map(listed), leastSimilar: least.map(listed) };
}
