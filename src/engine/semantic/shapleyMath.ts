/**
 * The host-side arithmetic of Shapley values: the weights |S|! (d - |S| - 1)! / d!,
 * exact values from all 2^d coalition values, sampled permutations, and means
 * with standard errors.
 */
import { createRandom } from '../attribution/random';
import { assertInteger } from '../attribution/validate';

/** Exact Shapley values are computed up to this many features (2^12 coalitions per background example). */
export const MAX_EXACT_FEATURES = 12;

/** w[s] = s! (d - s - 1)! / d!, the weight of a coalition of size s (s = 0..d-1) not holding the feature. */
export function shapleyWeights(features: number): Float64Array {
  assertInteger(features, 'features', 1, 64);
  const weights = new Float64Array(features);
  // w[0] = 1/d; w[s+1] = w[s] (s + 1) / (d - s - 1).
  weights[0] = 1 / features;
  for (let s = 0; s + 1 < features; s++) weights[s + 1] = (weights[s]! * (s + 1)) / (features - s - 1);
  return weights;
}

export function popcount(bits: number): number {
  let count = 0;
  for (let b = bits; b !== 0; b &= b - 1) count++;
  return count;
}

/**
 * Shapley values from the values of all 2^d coalitions, coalition S at index
 * sum_{i in S} 2^i, read as values[offset + S * stride].
 */
export function shapleyFromCoalitionValues(values: ArrayLike<number>, features: number, stride = 1, offset = 0, weights = shapleyWeights(features)): Float64Array {
  assertInteger(features, 'features', 1, MAX_EXACT_FEATURES + 8);
  const total = 2 ** features;
  if (offset + (total - 1) * stride >= values.length) {
    throw new Error(`values must hold all 2^${features} coalition values, got ${values.length} entries for stride ${stride} and offset ${offset}`);
  }
  const phi = new Float64Array(features);
  for (let s = 0; s < total; s++) {
    const w = weights[popcount(s)];
    const without = values[offset + s * stride]!;
    for (let i = 0; i < features; i++) {
      const bit = 1 << i;
      if (s & bit) continue;
      phi[i] += w! * (values[offset + (s | bit) * stride]! - without);
    }
  }
  return phi;
}

/**
 * `samples` permutations of [0, features), row-major; when antithetic, every odd
 * row is the reverse of the row before it.
 */
export function samplePermutations(features: number, samples: number, antithetic: boolean, seed: number): Int32Array {
  assertInteger(features, 'features', 1);
  assertInteger(samples, 'samples', 1);
  if (antithetic && samples % 2 !== 0) throw new Error(`samples must be even when antithetic, got ${samples}`);
  const random = createRandom(seed);
  const out = new Int32Array(features * samples);
  for (let s = 0; s < samples; s++) {
    const row = out.subarray(s * features, (s + 1) * features);
    if (antithetic && s % 2 === 1) {
      const previous = out.subarray((s - 1) * features, s * features);
      for (let j = 0; j < features; j++) row[j] = previous[features - 1 - j]!;
      continue;
    }
    for (let j = 0; j < features; j++) row[j] = j;
    for (let j = features - 1; j > 0; j--) {
      const pick = random.int(j + 1);
      [row[j], row[pick]] = [row[pick]!, row[j]!];
    }
  }
  return out;
}

/** Column means and standard errors of the mean (sample std / sqrt(rows); NaN for one row) of a [rows, columns] matrix. */
export function meanAndStandardError(values: ArrayLike<number>, rows: number, columns: number): { mean: Float64Array; standardError: Float64Array } {
  const mean = new Float64Array(columns);
  const standardError = new Float64Array(columns);
  for (let r = 0; r < rows; r++) for (let c = 0; c < columns; c++) mean[c] += values[r * columns + c]!;
  for (let c = 0; c < columns; c++) mean[c] /= rows;
  if (rows < 2) return { mean, standardError: standardError.fill(Number.NaN) };
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < columns; c++) {
      const d = values[r * columns + c]! - mean[c]!;
      standardError[c] += d * d;
    }
  }
  for (let c = 0; c < columns; c++) standardError[c] = Math.sqrt(standardError[c]! / (rows - 1) / rows);
  return { mean, standardError };
}
