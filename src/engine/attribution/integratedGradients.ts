/**
 * Integrated gradients: (x - x') * integral_0^1 grad f(x' + a (x - x')) da,
 * the integral taken by a quadrature rule whose nodes are batched through fn.
 */
import * as tf from '@tensorflow/tfjs-core';
import { forEachChunk } from './chunking';
import { batchGradients, evaluateTarget, totalOf } from './gradients';
import { quadrature, type QuadratureRule } from './quadrature';
import type { Attribution, RunOptions, ScalarFunction } from './types';
import { assertSameShape, assertSingleExample } from './validate';

export interface IntegratedGradientsOptions extends RunOptions {
  steps?: number;
  rule?: QuadratureRule;
}

export const DEFAULT_IG_STEPS = 50;
export const DEFAULT_IG_RULE: QuadratureRule = 'gauss_legendre';

/** Points baseline + alpha_k (input - baseline) for k in [start, end), as [end - start, ...]. */
export function pathPoints(input: tf.Tensor, baseline: tf.Tensor, alphas: Float64Array, start: number, end: number): tf.Tensor {
  return tf.tidy(() => {
    const alpha = tf.tensor(Float32Array.from(alphas.subarray(start, end)), [end - start, ...input.shape.slice(1).map(() => 1)], 'float32');
    return tf.add(baseline, tf.mul(alpha, tf.sub(input, baseline)));
  });
}

/** Weighted sum over the batch dimension: sum_k w_k t_k, shape [1, ...]. */
export function weightedBatchSum(batch: tf.Tensor, weights: ArrayLike<number>): tf.Tensor {
  return tf.tidy(() => {
    const w = tf.tensor(Float32Array.from(weights), [weights.length, ...batch.shape.slice(1).map(() => 1)], 'float32');
    return tf.sum(tf.mul(batch, w), 0, true);
  });
}

/** Reads fn at the input and at the baseline in one pass: [f(input), f(baseline)]. */
export async function endpointValues(fn: ScalarFunction, input: tf.Tensor, baseline: tf.Tensor): Promise<[number, number]> {
  const both = tf.concat([input, baseline], 0);
  try {
    const values = await evaluateTarget(fn, both);
    return [values[0]!, values[1]!];
  } finally {
    both.dispose();
  }
}

export async function integratedGradients(
  fn: ScalarFunction,
  input: tf.Tensor,
  baseline: tf.Tensor,
  options: IntegratedGradientsOptions = {},
): Promise<Attribution> {
  assertSingleExample(input);
  assertSameShape(baseline, input, 'baseline');
  const { nodes, weights } = quadrature(options.rule ?? DEFAULT_IG_RULE, options.steps ?? DEFAULT_IG_STEPS);
  let gradientSum: tf.Tensor = tf.zerosLike(input);
  try {
    await forEachChunk(nodes.length, options, (start, end) => {
      const next = tf.tidy(() => {
        const grads = batchGradients(fn, pathPoints(input, baseline, nodes, start, end));
        return tf.add(gradientSum, weightedBatchSum(grads, weights.subarray(start, end)));
      });
      gradientSum.dispose();
      gradientSum = next;
    });
    const attributions = tf.tidy(() => tf.mul(tf.sub(input, baseline), gradientSum));
    try {
      const [atInput, atBaseline] = await endpointValues(fn, input, baseline);
      const sum = await totalOf(attributions);
      return { attributions, completeness: { sum, expected: atInput - atBaseline } };
    } catch (error) {
      attributions.dispose();
      throw error;
    }
  } finally {
    gradientSum.dispose();
  }
}
