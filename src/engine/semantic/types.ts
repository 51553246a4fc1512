/**
 * Semantic Shapley values (Frye et al., "Human-interpretable model explainability
 * on high-dimensional data"): Shapley values of latent features z(x), with the
 * value of a coalition S the model's expected output on decoded hybrids,
 *   v(S) = E_{x' ~ background}[ f_y( x( z_S(x) ⊔ z_S̄(x') ) ) ].
 */
import type * as tf from '@tensorflow/tfjs-core';
import type { FeatureMaskInput } from '../attribution/featureMask';

/** Maps a batch of inputs [B, ...inputShape] to the explained output f_y, one number per example [B]. */
export type ScoreFunction = (x: tf.Tensor) => tf.Tensor1D;

/** Like ScoreFunction, also told which dataset example is being explained (so the class y can follow its label). */
export type ExampleScoreFunction = (x: tf.Tensor, example: number) => tf.Tensor1D;

/** An encoder z(x) and a decoder x(z) of a semantic representation. */
export interface SemanticRepresentation {
  /** [B, ...inputShape] -> [B, ...latentShape], float32. */
  encode: (x: tf.Tensor) => tf.Tensor;
  /** [B, ...latentShape] -> [B, ...inputShape] (whatever the score function takes). */
  decode: (z: tf.Tensor) => tf.Tensor;
  /**
   * The feature (a non-negative integer id) of every entry of one latent [...latentShape],
   * flat and row-major; entries sharing an id move together. Default: every latent entry is its own feature.
   */
  features?: FeatureMaskInput;
  /** One name per feature, in ascending id order (optional, passed through to results). */
  featureNames?: readonly string[];
}

export type SemanticProgress = (fraction: number, message: string) => void;

export interface SemanticRunOptions {
  /** Hybrids decoded and scored per model call; 32 when absent. */
  batchSize?: number;
  signal?: AbortSignal;
  onProgress?: SemanticProgress;
}

export type SemanticShapleyMethod = 'auto' | 'exact' | 'permutation';

export interface SemanticShapleyOptions extends SemanticRunOptions {
  /** 'auto' (the default) is exact up to MAX_EXACT_FEATURES features and permutation sampling above. */
  method?: SemanticShapleyMethod;
  /** Permutations sampled by the permutation method (even when antithetic); DEFAULT_PERMUTATIONS when absent. */
  samples?: number;
  /** Pair every permutation with its reverse (default true). */
  antithetic?: boolean;
  seed?: number;
}

export interface SemanticShapleyResult {
  /** phi_i, one per feature in ascending feature-id order; they sum to fullValue - emptyValue. */
  values: Float64Array;
  /**
   * Standard error of each value. Exact: over the background examples (the spread of the
   * per-background Shapley values / sqrt(M); NaN with one background example).
   * Permutation: the Monte Carlo error over the sampled units (a permutation, or an antithetic pair, with
   * its background example), stratified by background, about the exact value over the same background set
   * (unbiased for it when samples is a multiple of M, or 2M when antithetic, as units cycle through the backgrounds).
   */
  standardErrors: Float64Array;
  /** v(N) = f_y(x(z(x))). */
  fullValue: number;
  /** v(∅), the mean of f_y(x(z(x'))) over the background examples used. */
  emptyValue: number;
  method: 'exact' | 'permutation';
  /** Hybrids decoded and scored. */
  evaluations: number;
  /** The caller's id of each feature, ascending. */
  featureIds: number[];
  featureNames?: string[];
}

export interface GlobalSemanticShapleyResult {
  /** Mean of the local values over the examples, per feature; sums to fullValue - emptyValue. */
  mean: Float64Array;
  meanStandardErrors: Float64Array;
  /** Mean absolute local value, per feature. */
  meanAbsolute: Float64Array;
  meanAbsoluteStandardErrors: Float64Array;
  /** Local values, [examples, features] row-major. */
  local: Float64Array;
  localStandardErrors: Float64Array;
  /** Mean over the examples of v(N) and of v(∅). */
  fullValue: number;
  emptyValue: number;
  examples: number;
  method: 'exact' | 'permutation';
  evaluations: number;
  featureIds: number[];
  featureNames?: string[];
}
