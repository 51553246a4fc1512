/**
 * SmoothGrad around any method: attributions at n noisy copies x + N(0, sigma^2)
 * of the input, reduced by mean (smoothgrad), mean of squares (smoothgrad_sq)
 * or variance (vargrad).
 */
import * as tf from '@tensorflow/tfjs-core';
import { forEachChunk, subProgress, throwIfAborted, yieldToEventLoop } from './chunking';
import { isBatchedMethod, type AttributionMethod, type BatchedMethod } from './method';
import { createRandom, fillNormal, type Random } from './random';
import type { Attribution, RunOptions } from './types';
import { assertFiniteNumber, assertInteger, assertSingleExample, exampleSize } from './validate';

export type SmoothGradMode = 'smoothgrad' | 'smoothgrad_sq' | 'vargrad';
export const SMOOTH_GRAD_MODES: readonly SmoothGradMode[] = ['smoothgrad', 'smoothgrad_sq', 'vargrad'];

export interface SmoothGradOptions extends RunOptions {
  mode?: SmoothGradMode;
  samples?: number;
  /** Noise standard deviation, in input units. */
  sigma?: number;
  seed?: number;
}

export const DEFAULT_SMOOTH_GRAD_SAMPLES = 50;
export const DEFAULT_SMOOTH_GRAD_SIGMA = 0.15;

interface Moments {
  sum: tf.Tensor;
  sumOfSquares: tf.Tensor;
}

function addMoments(moments: Moments, batch: tf.Tensor): Moments {
  return tf.tidy(() => ({
    sum: tf.add(moments.sum, tf.sum(batch, 0, true)),
    sumOfSquares: tf.add(moments.sumOfSquares, tf.sum(tf.square(batch), 0, true)),
  }));
}

function reduce(moments: Moments, samples: number, mode: SmoothGradMode): tf.Tensor {
  return tf.tidy(() => {
    const mean = tf.div(moments.sum, samples);
    const meanOfSquares = tf.div(moments.sumOfSquares, samples);
    if (mode === 'smoothgrad') return mean;
    if (mode === 'smoothgrad_sq') return meanOfSquares;
    // Rounding can leave E[a^2] - E[a]^2 slightly negative; a variance is not.
    return tf.relu(tf.sub(meanOfSquares, tf.square(mean)));
  });
}

function noisyCopies(input: tf.Tensor, random: Random, count: number, sigma: number): tf.Tensor {
  const size = exampleSize(input);
  const noise = fillNormal(random, new Float32Array(count * size), sigma);
  return tf.tidy(() => tf.add(input, tf.tensor(noise, [count, ...input.shape.slice(1)])));
}

export async function smoothGrad(base: AttributionMethod | BatchedMethod, input: tf.Tensor, options: SmoothGradOptions = {}): Promise<Attribution> {
  assertSingleExample(input);
  const mode = options.mode ?? 'smoothgrad';
  if (!SMOOTH_GRAD_MODES.includes(mode)) throw new Error(`mode must be one of ${SMOOTH_GRAD_MODES.join(', ')}, got ${String(mode)}`);
  const samples = options.samples ?? DEFAULT_SMOOTH_GRAD_SAMPLES;
  assertInteger(samples, 'samples', 1);
  const sigma = options.sigma ?? DEFAULT_SMOOTH_GRAD_SIGMA;
  assertFiniteNumber(sigma, 'sigma', 0);
  const random = createRandom(options.seed ?? 0);
  let moments: Moments = { sum: tf.zerosLike(input), sumOfSquares: tf.zerosLike(input) };
  const accumulateAndDispose = (batch: tf.Tensor) => {
    try {
      const next = addMoments(moments, batch);
      tf.dispose([moments.sum, moments.sumOfSquares]);
      moments = next;
    } finally {
      batch.dispose();
    }
  };
  try {
    if (isBatchedMethod(base)) {
      await forEachChunk(samples, options, (start, end) => {
        const points = noisyCopies(input, random, end - start, sigma);
        try {
          accumulateAndDispose(base.attributeBatch(points));
        } finally {
          points.dispose();
        }
      });
    } else {
      throwIfAborted(options.signal);
      for (let s = 0; s < samples; s++) {
        const noisy = noisyCopies(input, random, 1, sigma);
        try {
          const result = await base(noisy, { ...options, onProgress: subProgress(options, s / samples, 1 / samples) });
          accumulateAndDispose(result.attributions);
        } finally {
          noisy.dispose();
        }
        await yieldToEventLoop();
        throwIfAborted(options.signal);
      }
    }
    return { attributions: reduce(moments, samples, mode) };
  } finally {
    tf.dispose([moments.sum, moments.sumOfSquares]);
  }
}
