/**
 * KernelSHAP (Lundberg & Lee 2017): Shapley values of the interpretable
 * features as the weighted least-squares fit of f over coalitions under the
 * Shapley kernel, with phi_0 = f(baseline) and sum(phi) = f(x) - f(baseline)
 * imposed exactly (the empty and full coalitions carry infinite weight).
 */
import * as tf from '@tensorflow/tfjs-core';
import { CoalitionBuilder, evaluateCoalitions, type Coalitions } from './coalitions';
import { throwIfAborted } from './chunking';
import { featureGroups, spreadOverFeatures, type FeatureMaskInput, type GroupAttribution } from './featureMask';
import { weightedLeastSquares } from './linearModels';
import { baselineValues, evaluateEndpoints, type BaselineValue } from './perturb';
import { createRandom, type Random } from './random';
import type { RunOptions, ScalarFunction } from './types';
import { assertInteger, assertSingleExample } from './validate';

export interface KernelShapOptions extends RunOptions {
  featureMask: FeatureMaskInput;
  /** 0 when absent. */
  baseline?: BaselineValue;
  /** Coalitions to evaluate besides the empty and the full one. */
  samples?: number;
  seed?: number;
}

export const DEFAULT_KERNEL_SHAP_SAMPLES = 2048;
const MAX_ENUMERATED_FEATURES = 30;

function binomial(n: number, k: number): number {
  let result = 1;
  for (let i = 1; i <= k; i++) result = (result * (n - k + i)) / i;
  return result;
}

/** The Shapley kernel (M - 1) / (C(M, s) s (M - s)) for a coalition of size s. */
export function shapleyKernel(features: number, size: number): number {
  return (features - 1) / (binomial(features, size) * size * (features - size));
}

/** Every coalition but the empty and the full one, with its exact kernel weight. */
function allCoalitions(features: number): Coalitions {
  const builder = new CoalitionBuilder(features);
  for (let bits = 1; bits < 2 ** features - 1; bits++) {
    const present = new Uint8Array(features);
    let size = 0;
    for (let j = 0; j < features; j++) {
      present[j] = Math.floor(bits / 2 ** j) % 2;
      size += present[j]!;
    }
    builder.add(present, shapleyKernel(features, size));
  }
  return builder.build();
}

/**
 * Coalitions drawn with probability proportional to the kernel: a size s with
 * probability ~ 1 / (s (M - s)), then a uniform subset of that size; each draw
 * also adds its complement (same probability), which cancels much of the variance.
 */
function sampledCoalitions(features: number, samples: number, random: Random): Coalitions {
  const sizeWeights = Array.from({ length: features - 1 }, (_, i) => 1 / ((i + 1) * (features - i - 1)));
  const total = sizeWeights.reduce((a, b) => a + b, 0);
  const builder = new CoalitionBuilder(features);
  const order = Int32Array.from({ length: features }, (_, j) => j);
  for (let drawn = 0; drawn < samples; drawn += 2) {
    let u = random.next() * total;
    let size = 1;
    while (size < features - 1 && u >= sizeWeights[size - 1]!) {
      u -= sizeWeights[size - 1]!;
      size++;
    }
    for (let j = 0; j < size; j++) {
      const pick = j + random.int(features - j);
      [order[j], order[pick]] = [order[pick]!, order[j]!];
    }
    const present = new Uint8Array(features);
    for (let j = 0; j < size; j++) present[order[j]!] = 1;
    builder.add(present, 1);
    if (drawn + 1 < samples) builder.add(present.map((v) => 1 - v), 1);
  }
  return builder.build();
}

export function kernelShapCoalitions(features: number, samples: number, seed: number): Coalitions {
  const exhaustive = features <= MAX_ENUMERATED_FEATURES && 2 ** features - 2 <= samples;
  return exhaustive ? allCoalitions(features) : sampledCoalitions(features, samples, createRandom(seed));
}

/** Solves the constrained fit by eliminating the last feature: phi_M = delta - sum of the others. */
export function constrainedShapleyFit(coalitions: Coalitions, outputs: Float64Array, atBaseline: number, delta: number): Float64Array {
  const m = coalitions.features;
  const phi = new Float64Array(m);
  if (m === 1) {
    phi[0] = delta;
    return phi;
  }
  const design = new Float64Array(coalitions.count * (m - 1));
  const y = new Float64Array(coalitions.count);
  for (let k = 0; k < coalitions.count; k++) {
    const last = coalitions.present[k * m + m - 1]!;
    for (let j = 0; j < m - 1; j++) design[k * (m - 1) + j] = coalitions.present[k * m + j]! - last;
    y[k] = outputs[k]! - atBaseline - last * delta;
  }
  const { coefficients } = weightedLeastSquares({ values: design, rows: coalitions.count, columns: m - 1 }, y, coalitions.weights, false);
  phi.set(coefficients);
  phi[m - 1] = delta - coefficients.reduce((a, b) => a + b, 0);
  return phi;
}

export async function kernelShap(fn: ScalarFunction, input: tf.Tensor, options: KernelShapOptions): Promise<GroupAttribution> {
  assertSingleExample(input);
  throwIfAborted(options.signal);
  const samples = options.samples ?? DEFAULT_KERNEL_SHAP_SAMPLES;
  assertInteger(samples, 'samples', 1);
  const groups = await featureGroups(options.featureMask, input);
  const baseline = await baselineValues(options.baseline ?? 0, input);
  const values = Float32Array.from(await input.data());
  const { atInput, atBaseline } = await evaluateEndpoints(fn, input, values, baseline);
  const delta = atInput - atBaseline;
  let featureValues: Float64Array;
  if (groups.count === 1) {
    featureValues = Float64Array.of(delta);
  } else {
    const coalitions = kernelShapCoalitions(groups.count, samples, options.seed ?? 0);
    const outputs = await evaluateCoalitions(fn, input, values, baseline, groups, coalitions, options);
    featureValues = constrainedShapleyFit(coalitions, outputs, atBaseline, delta);
  }
  const sum = featureValues.reduce((a, b) => a + b, 0);
  return {
    attributions: tf.tensor(spreadOverFeatures(groups, featureValues), input.shape),
    completeness: { sum, expected: delta },
    featureValues,
    featureIds: groups.ids,
  };
}
