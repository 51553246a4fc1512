/**
 * GradientSHAP: the expectation, over baselines b drawn from a set, inputs
 * x~ = x + N(0, sigma^2) and alpha ~ U(0, 1), of (x~ - b) * grad f(b + alpha (x~ - b)).
 * It is integrated gradients averaged over baselines, estimated by sampling.
 */
import * as tf from '@tensorflow/tfjs-core';
import { forEachChunk } from './chunking';
import { batchGradients, evaluateTarget, totalOf } from './gradients';
import { createRandom, type Random } from './random';
import type { Attribution, RunOptions, ScalarFunction } from './types';
import { assertFiniteNumber, assertInteger, assertSingleExample, exampleSize, sameShape, shapeText } from './validate';

export interface GradientShapOptions extends RunOptions {
  samples?: number;
  /** Standard deviation of the Gaussian noise added to the input. */
  sigma?: number;
  seed?: number;
}

export const DEFAULT_GRADIENT_SHAP_SAMPLES = 50;

interface Draws {
  baselineIndices: Int32Array;
  alphas: Float32Array;
  noise: Float32Array;
}

/** Draws sample by sample, so the stream does not depend on the batch size. */
function draw(random: Random, count: number, baselineCount: number, size: number, sigma: number): Draws {
  const draws: Draws = { baselineIndices: new Int32Array(count), alphas: new Float32Array(count), noise: new Float32Array(count * size) };
  for (let s = 0; s < count; s++) {
    draws.baselineIndices[s] = random.int(baselineCount);
    draws.alphas[s] = random.next();
    if (sigma > 0) for (let i = 0; i < size; i++) draws.noise[s * size + i] = sigma * random.normal();
  }
  return draws;
}

/** mean_k fn(baselineSet_k), in chunks. */
async function meanOverSet(fn: ScalarFunction, baselineSet: tf.Tensor, options: RunOptions): Promise<number> {
  const count = baselineSet.shape[0]!;
  let total = 0;
  await forEachChunk(count, { ...options, onProgress: undefined }, async (start, end) => {
    const chunk = tf.slice(baselineSet, start, end - start);
    try {
      const values = await evaluateTarget(fn, chunk);
      for (const v of values) total += v;
    } finally {
      chunk.dispose();
    }
  });
  return total / count;
}

export async function gradientShap(
  fn: ScalarFunction,
  input: tf.Tensor,
  baselineSet: tf.Tensor,
  options: GradientShapOptions = {},
): Promise<Attribution> {
  assertSingleExample(input);
  if (baselineSet.rank !== input.rank || baselineSet.shape[0]! < 1 || !sameShape(baselineSet.shape.slice(1), input.shape.slice(1))) {
    throw new Error(`baselineSet must have shape [K, ${input.shape.slice(1).join(', ')}] with K >= 1, got ${shapeText(baselineSet.shape)}`);
  }
  const samples = options.samples ?? DEFAULT_GRADIENT_SHAP_SAMPLES;
  assertInteger(samples, 'samples', 1);
  const sigma = options.sigma ?? 0;
  assertFiniteNumber(sigma, 'sigma', 0);
  const random = createRandom(options.seed ?? 0);
  const size = exampleSize(input);
  const pointShape = (n: number) => [n, ...input.shape.slice(1)];
  let contributionSum: tf.Tensor = tf.zerosLike(input);
  try {
    await forEachChunk(samples, options, (start, end) => {
      const n = end - start;
      const draws = draw(random, n, baselineSet.shape[0]!, size, sigma);
      const next = tf.tidy(() => {
        const noisy = tf.add(input, tf.tensor(draws.noise, pointShape(n)));
        const baselines = tf.gather(baselineSet, tf.tensor1d(draws.baselineIndices, 'int32'));
        const delta = tf.sub(noisy, baselines);
        const alpha = tf.tensor(draws.alphas, [n, ...input.shape.slice(1).map(() => 1)]);
        const grads = batchGradients(fn, tf.add(baselines, tf.mul(alpha, delta)));
        return tf.add(contributionSum, tf.sum(tf.mul(delta, grads), 0, true));
      });
      contributionSum.dispose();
      contributionSum = next;
    });
    const attributions = tf.div(contributionSum, samples);
    try {
      const atInput = (await evaluateTarget(fn, input))[0]!;
      const expected = atInput - (await meanOverSet(fn, baselineSet, options));
      return { attributions, completeness: { sum: await totalOf(attributions), expected } };
    } catch (error) {
      attributions.dispose();
      throw error;
    }
  } finally {
    contributionSum.dispose();
  }
}
