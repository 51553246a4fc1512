/**
 * LIME (Ribeiro et al. 2016) over interpretable features: random coalitions
 * around the input (the first one is the input itself), weighted by an
 * exponential kernel on their distance to the input, explained by a weighted
 * linear surrogate (least squares or Lasso) whose coefficients are the attributions.
 */
import * as tf from '@tensorflow/tfjs-core';
import { throwIfAborted } from './chunking';
import { coalitionSize, evaluateCoalitions, type Coalitions } from './coalitions';
import { featureGroups, spreadOverFeatures, type FeatureMaskInput, type GroupAttribution } from './featureMask';
import { weightedLasso, weightedLeastSquares, type LinearFit } from './linearModels';
import { baselineValues, type BaselineValue } from './perturb';
import { createRandom } from './random';
import type { RunOptions, ScalarFunction } from './types';
import { assertFiniteNumber, assertInteger, assertSingleExample } from './validate';

export type LimeDistance = 'cosine' | 'hamming';
export type LimeSurrogate = 'least_squares' | 'lasso';
export const LIME_DISTANCES: readonly LimeDistance[] = ['cosine', 'hamming'];
export const LIME_SURROGATES: readonly LimeSurrogate[] = ['least_squares', 'lasso'];

export interface LimeOptions extends RunOptions {
  featureMask: FeatureMaskInput;
  /** 0 when absent. */
  baseline?: BaselineValue;
  /** Coalitions evaluated, the input itself included. */
  samples?: number;
  seed?: number;
  distance?: LimeDistance;
  /** Width of the kernel exp(-d^2 / width^2). */
  kernelWidth?: number;
  surrogate?: LimeSurrogate;
  /** L1 penalty of the Lasso surrogate. */
  alpha?: number;
}

export interface LimeAttribution extends GroupAttribution {
  /** The surrogate's intercept: its prediction with every feature at the baseline. */
  intercept: number;
}

export const DEFAULT_LIME_SAMPLES = 1000;
export const DEFAULT_LIME_KERNEL_WIDTH = 0.25;
export const DEFAULT_LIME_ALPHA = 0.01;

/** Distance from a coalition with `size` of `features` present to the all-present one. */
export function limeDistance(distance: LimeDistance, size: number, features: number): number {
  if (distance === 'hamming') return (features - size) / features;
  return size === 0 ? 1 : 1 - Math.sqrt(size / features);
}

/** Row 0 is the full coalition; the others keep each feature with probability 1/2. */
function limeCoalitions(features: number, samples: number, seed: number, weightOf: (size: number) => number): Coalitions {
  const random = createRandom(seed);
  const present = new Uint8Array(samples * features);
  present.fill(1, 0, features);
  for (let i = features; i < present.length; i++) present[i] = random.next() < 0.5 ? 1 : 0;
  const coalitions: Coalitions = { present, count: samples, features, weights: new Float64Array(samples) };
  for (let k = 0; k < samples; k++) coalitions.weights[k] = weightOf(coalitionSize(coalitions, k));
  return coalitions;
}

export async function lime(fn: ScalarFunction, input: tf.Tensor, options: LimeOptions): Promise<LimeAttribution> {
  assertSingleExample(input);
  throwIfAborted(options.signal);
  const samples = options.samples ?? DEFAULT_LIME_SAMPLES;
  assertInteger(samples, 'samples', 2);
  const distance = options.distance ?? 'cosine';
  if (!LIME_DISTANCES.includes(distance)) throw new Error(`distance must be one of ${LIME_DISTANCES.join(', ')}, got ${String(distance)}`);
  const surrogate = options.surrogate ?? 'least_squares';
  if (!LIME_SURROGATES.includes(surrogate)) throw new Error(`surrogate must be one of ${LIME_SURROGATES.join(', ')}, got ${String(surrogate)}`);
  const width = options.kernelWidth ?? DEFAULT_LIME_KERNEL_WIDTH;
  assertFiniteNumber(width, 'kernelWidth');
  if (!(width > 0)) throw new Error(`kernelWidth must be > 0, got ${width}`);
  const alpha = options.alpha ?? DEFAULT_LIME_ALPHA;
  assertFiniteNumber(alpha, 'alpha', 0);

  const groups = await featureGroups(options.featureMask, input);
  const baseline = await baselineValues(options.baseline ?? 0, input);
  const values = Float32Array.from(await input.data());
  const m = groups.count;
  const coalitions = limeCoalitions(m, samples, options.seed ?? 0, (size) => Math.exp(-(limeDistance(distance, size, m) ** 2) / width ** 2));
  const outputs = await evaluateCoalitions(fn, input, values, baseline, groups, coalitions, options);
  const design = { values: Float64Array.from(coalitions.present), rows: samples, columns: m };
  const fit: LinearFit =
    surrogate === 'lasso' ? weightedLasso(design, outputs, coalitions.weights, alpha) : weightedLeastSquares(design, outputs, coalitions.weights);
  return {
    attributions: tf.tensor(spreadOverFeatures(groups, fit.coefficients), input.shape),
    featureValues: fit.coefficients,
    featureIds: groups.ids,
    intercept: fit.intercept,
  };
}
