/**
 * Semantic Shapley values: local values for one input (exact over all 2^d
 * coalitions up to MAX_EXACT_FEATURES, permutation sampling above), the value
 * function v(S) itself, and global values averaged over a dataset.
 */
import * as tf from '@tensorflow/tfjs-core';
import { resolveBatchSize, throwIfAborted } from '../attribution/chunking';
import type { Coalitions } from '../attribution/coalitions';
import { assertInteger } from '../attribution/validate';
import { assertExamples, assertRepresentation, buildLatentGame, encodeFlat, evaluateHybrids, latentGameFromEncoded, type HybridRunOptions, type LatentGame } from './latentGame';
import { MAX_EXACT_FEATURES, meanAndStandardError, samplePermutations, shapleyFromCoalitionValues, shapleyWeights } from './shapleyMath';
import type {
  ExampleScoreFunction,
  GlobalSemanticShapleyResult,
  ScoreFunction,
  SemanticRepresentation,
  SemanticRunOptions,
  SemanticShapleyOptions,
  SemanticShapleyResult,
} from './types';

export const DEFAULT_PERMUTATIONS = 512;

interface ResolvedOptions {
  method: 'exact' | 'permutation';
  samples: number;
  antithetic: boolean;
  seed: number;
}

function resolveMethod(options: SemanticShapleyOptions, features: number): ResolvedOptions {
  const method = options.method ?? 'auto';
  if (method !== 'auto' && method !== 'exact' && method !== 'permutation') throw new Error(`method must be 'auto', 'exact' or 'permutation', got ${String(method)}`);
  if (method === 'exact' && features > MAX_EXACT_FEATURES) {
    throw new Error(`method 'exact' supports up to ${MAX_EXACT_FEATURES} features, the representation has ${features}; use method 'permutation'`);
  }
  const antithetic = options.antithetic ?? true;
  const samples = options.samples ?? DEFAULT_PERMUTATIONS;
  assertInteger(samples, 'samples', 1);
  if (antithetic && samples % 2 !== 0) throw new Error(`samples must be even when antithetic, got ${samples}`);
  const seed = options.seed ?? 0;
  assertInteger(seed, 'seed', -(2 ** 31), 2 ** 32 - 1);
  const resolved = method === 'auto' ? (features <= MAX_EXACT_FEATURES ? 'exact' : 'permutation') : method;
  return { method: resolved, samples, antithetic, seed };
}

/** Every coalition S (index sum_{i in S} 2^i) against every background example m, hybrid k = S * M + m. */
async function exactOnGame(game: LatentGame, decode: SemanticRepresentation['decode'], score: ScoreFunction, options: HybridRunOptions): Promise<SemanticShapleyResult> {
  const d = game.features;
  const m = game.backgroundCount;
  const coalitions = 2 ** d;
  const outputs = await evaluateHybrids(
    game,
    decode,
    score,
    coalitions * m,
    (k, present) => {
      const s = Math.floor(k / m);
      for (let j = 0; j < d; j++) present[j] = (s >> j) & 1;
      return k % m;
    },
    { ...options, label: options.label ?? `exact semantic Shapley (${d} features, ${coalitions} coalitions x ${m} background)` },
  );
  // Shapley values are linear in the game: phi = mean over m of the Shapley values of v_m.
  const weights = shapleyWeights(d);
  const perBackground = new Float64Array(m * d);
  for (let b = 0; b < m; b++) perBackground.set(shapleyFromCoalitionValues(outputs, d, m, b, weights), b * d);
  const { mean, standardError } = meanAndStandardError(perBackground, m, d);
  let empty = 0;
  let full = 0;
  for (let b = 0; b < m; b++) {
    empty += outputs[b]!;
    full += outputs[(coalitions - 1) * m + b]!;
  }
  return result(game, mean, standardError, full / m, empty / m, 'exact', coalitions * m);
}

/**
 * Permutation sampling: unit u (a permutation, or an antithetic pair) is scored
 * against background example u mod M, so the backgrounds are used evenly. Hybrids
 * 0..B-1 are the empty coalition against each background used, hybrid B the full
 * coalition, then the d - 1 proper prefixes of every permutation.
 */
async function permutationOnGame(
  game: LatentGame,
  decode: SemanticRepresentation['decode'],
  score: ScoreFunction,
  resolved: ResolvedOptions,
  options: HybridRunOptions,
): Promise<SemanticShapleyResult> {
  const d = game.features;
  const { samples, antithetic } = resolved;
  const perUnit = antithetic ? 2 : 1;
  const units = samples / perUnit;
  const used = Math.min(units, game.backgroundCount);
  const order = samplePermutations(d, samples, antithetic, resolved.seed);
  const backgroundOf = (sample: number) => Math.floor(sample / perUnit) % game.backgroundCount;
  const prefixes = d - 1;
  const total = used + 1 + samples * prefixes;
  const outputs = await evaluateHybrids(
    game,
    decode,
    score,
    total,
    (k, present) => {
      if (k < used) return k;
      if (k === used) {
        present.fill(1);
        return 0;
      }
      const sample = Math.floor((k - used - 1) / prefixes);
      const size = ((k - used - 1) % prefixes) + 1;
      for (let j = 0; j < size; j++) present[order[sample * d + j]!] = 1;
      return backgroundOf(sample);
    },
    { ...options, label: options.label ?? `sampled semantic Shapley (${d} features, ${samples} permutations)` },
  );
  const full = outputs[used]!;
  const unitValues = new Float64Array(units * d);
  let empty = 0;
  for (let sample = 0; sample < samples; sample++) {
    const u = Math.floor(sample / perUnit);
    let previous = outputs[backgroundOf(sample)]!;
    if (sample % perUnit === 0) empty += previous;
    for (let size = 1; size <= d; size++) {
      const value = size === d ? full : outputs[used + 1 + sample * prefixes + size - 1]!;
      unitValues[u * d + order[sample * d + size - 1]!] += (value - previous) / perUnit;
      previous = value;
    }
  }
  const { mean, standardError } = stratifiedMeanAndStandardError(unitValues, units, d, game.backgroundCount);
  return result(game, mean, standardError, full, empty / units, 'permutation', total);
}

/**
 * Means over the units and their standard errors. Unit u used background u mod M,
 * so the units form M strata; when every stratum holds 2 or more units the error
 * is the stratified one, sqrt(sum_h (n_h / U)^2 var_h / n_h): the Monte Carlo error
 * about the exact value over this background set. Otherwise the plain error over
 * units (which also counts the spread between backgrounds, so it is larger).
 */
function stratifiedMeanAndStandardError(values: Float64Array, units: number, d: number, strata: number): { mean: Float64Array; standardError: Float64Array } {
  const plain = meanAndStandardError(values, units, d);
  if (strata === 1 || units < 2 * strata) return plain;
  const variance = new Float64Array(d);
  for (let h = 0; h < strata; h++) {
    const members = Math.floor((units - h - 1) / strata) + 1;
    const stratum = new Float64Array(members * d);
    for (let k = 0; k < members; k++) stratum.set(values.subarray((h + k * strata) * d, (h + k * strata + 1) * d), k * d);
    const { standardError } = meanAndStandardError(stratum, members, d);
    const weight = members / units;
    for (let j = 0; j < d; j++) variance[j] += weight * weight * standardError[j]! ** 2;
  }
  return { mean: plain.mean, standardError: variance.map(Math.sqrt) };
}

function result(
  game: LatentGame,
  values: Float64Array,
  standardErrors: Float64Array,
  fullValue: number,
  emptyValue: number,
  method: 'exact' | 'permutation',
  evaluations: number,
): SemanticShapleyResult {
  return {
    values,
    standardErrors,
    fullValue,
    emptyValue,
    method,
    evaluations,
    featureIds: [...game.featureIds],
    ...(game.featureNames ? { featureNames: [...game.featureNames] } : {}),
  };
}

function checkBackground(input: tf.Tensor, background: tf.Tensor, inputName: string): void {
  assertExamples(background, 'background', false);
  const a = input.shape.slice(1);
  const b = background.shape.slice(1);
  if (a.length !== b.length || a.some((v, i) => v !== b[i])) {
    throw new Error(`background examples have shape [${b.join(', ')}] but ${inputName} examples have shape [${a.join(', ')}]`);
  }
}

/**
 * Local semantic Shapley values of score(decode(·)) at z(input), input [1, ...],
 * marginalising absent latent features over the background examples [M, ...].
 */
export async function semanticShapley(
  representation: SemanticRepresentation,
  score: ScoreFunction,
  input: tf.Tensor,
  background: tf.Tensor,
  options: SemanticShapleyOptions = {},
): Promise<SemanticShapleyResult> {
  assertRepresentation(representation, score);
  assertExamples(input, 'input', true);
  checkBackground(input, background, 'input');
  const batchSize = resolveBatchSize(options.batchSize === undefined ? {} : { batchSize: options.batchSize });
  throwIfAborted(options.signal);
  const game = await buildLatentGame(representation, input, background, batchSize, options.signal);
  try {
    const resolved = resolveMethod(options, game.features);
    return resolved.method === 'exact'
      ? await exactOnGame(game, representation.decode, score, options)
      : await permutationOnGame(game, representation.decode, score, resolved, options);
  } finally {
    game.dispose();
  }
}

/**
 * The value function itself: v(S) = mean over the background examples of
 * score(decode(z_S(input) ⊔ z_S̄(x'))) for every coalition row of `coalitions`
 * (present[k * features + j] = 1 when feature j, in ascending id order, is in S).
 */
export async function semanticCoalitionValues(
  representation: SemanticRepresentation,
  score: ScoreFunction,
  input: tf.Tensor,
  background: tf.Tensor,
  coalitions: Pick<Coalitions, 'present' | 'count' | 'features'>,
  options: SemanticRunOptions = {},
): Promise<Float64Array> {
  assertRepresentation(representation, score);
  assertExamples(input, 'input', true);
  checkBackground(input, background, 'input');
  assertInteger(coalitions.count, 'coalitions.count', 0);
  if (coalitions.present.length !== coalitions.count * coalitions.features) {
    throw new Error(`coalitions.present has ${coalitions.present.length} entries, expected count x features = ${coalitions.count * coalitions.features}`);
  }
  const batchSize = resolveBatchSize(options.batchSize === undefined ? {} : { batchSize: options.batchSize });
  const game = await buildLatentGame(representation, input, background, batchSize, options.signal);
  try {
    if (coalitions.features !== game.features) {
      throw new Error(`coalitions.features is ${coalitions.features} but the representation has ${game.features} features`);
    }
    const m = game.backgroundCount;
    const d = game.features;
    const outputs = await evaluateHybrids(
      game,
      representation.decode,
      score,
      coalitions.count * m,
      (k, present) => {
        const row = Math.floor(k / m) * d;
        for (let j = 0; j < d; j++) present[j] = coalitions.present[row + j] ? 1 : 0;
        return k % m;
      },
      { ...options, label: `semantic value function (${coalitions.count} coalitions x ${m} background)` },
    );
    const values = new Float64Array(coalitions.count);
    for (let k = 0; k < outputs.length; k++) values[Math.floor(k / m)] += outputs[k]! / m;
    return values;
  } finally {
    game.dispose();
  }
}

/**
 * Global semantic Shapley values (Frye et al., eq. 3): local values for every
 * example of `inputs` [N, ...], averaged, with their mean absolute values; the
 * standard errors are over the examples. score is told the example's index.
 */
export async function globalSemanticShapley(
  representation: SemanticRepresentation,
  score: ExampleScoreFunction,
  inputs: tf.Tensor,
  background: tf.Tensor,
  options: SemanticShapleyOptions = {},
): Promise<GlobalSemanticShapleyResult> {
  assertRepresentation(representation, score);
  assertExamples(inputs, 'inputs', false);
  checkBackground(inputs, background, 'inputs');
  const batchSize = resolveBatchSize(options.batchSize === undefined ? {} : { batchSize: options.batchSize });
  throwIfAborted(options.signal);
  const n = inputs.shape[0]!;
  const encodedInputs = await encodeFlat(representation.encode, inputs, 'inputs', batchSize, options.signal);
  let game: LatentGame | undefined;
  try {
    const encodedBackground = (await encodeFlat(representation.encode, background, 'background', batchSize, options.signal, encodedInputs.latentShape)).flat;
    // One game whose input latent is swapped for each example's slice.
    game = await latentGameFromEncoded(representation, tf.slice(encodedInputs.flat, 0, 1), encodedInputs.latentShape, encodedBackground);
    const resolved = resolveMethod(options, game.features);
    const d = game.features;
    const local = new Float64Array(n * d);
    const localStandardErrors = new Float64Array(n * d);
    let full = 0;
    let empty = 0;
    let evaluations = 0;
    for (let i = 0; i < n; i++) {
      throwIfAborted(options.signal);
      game.input.dispose();
      game.input = tf.slice(encodedInputs.flat, i, 1);
      const exampleScore: ScoreFunction = (x) => score(x, i);
      const runOptions: HybridRunOptions = {
        ...options,
        progressOffset: i / n,
        progressSpan: 1 / n,
        label: `example ${i + 1} of ${n}, ${resolved.method === 'exact' ? 'exact' : 'sampled'} semantic Shapley`,
      };
      const one =
        resolved.method === 'exact'
          ? await exactOnGame(game, representation.decode, exampleScore, runOptions)
          : await permutationOnGame(game, representation.decode, exampleScore, resolved, runOptions);
      local.set(one.values, i * d);
      localStandardErrors.set(one.standardErrors, i * d);
      full += one.fullValue / n;
      empty += one.emptyValue / n;
      evaluations += one.evaluations;
    }
    const { mean, standardError: meanStandardErrors } = meanAndStandardError(local, n, d);
    const { mean: meanAbsolute, standardError: meanAbsoluteStandardErrors } = meanAndStandardError(
      local.map((v) => Math.abs(v)),
      n,
      d,
    );
    return {
      mean,
      meanStandardErrors,
      meanAbsolute,
      meanAbsoluteStandardErrors,
      local,
      localStandardErrors,
      fullValue: full,
      emptyValue: empty,
      examples: n,
      method: resolved.method,
      evaluations,
      featureIds: [...game.featureIds],
      ...(game.featureNames ? { featureNames: [...game.featureNames] } : {}),
    };
  } finally {
    game?.dispose();
    encodedInputs.flat.dispose();
  }
}
