/** Vanilla gradients (signed or absolute) and gradient x input. */
import * as tf from '@tensorflow/tfjs-core';
import { batchGradients } from './gradients';
import type { BatchedMethod } from './method';
import { throwIfAborted } from './chunking';
import type { Attribution, RunOptions, ScalarFunction } from './types';
import { assertSingleExample } from './validate';

export interface SaliencyOptions extends RunOptions {
  /** |gradient| instead of the signed gradient. */
  absolute?: boolean;
}

export function saliencyMethod(fn: ScalarFunction, absolute = false): BatchedMethod {
  return {
    name: absolute ? 'saliency_abs' : 'saliency',
    attributeBatch: (points) =>
      tf.tidy(() => {
        const grads = batchGradients(fn, points);
        return absolute ? tf.abs(grads) : grads;
      }),
  };
}

export function gradientTimesInputMethod(fn: ScalarFunction): BatchedMethod {
  return {
    name: 'gradient_x_input',
    attributeBatch: (points) => tf.tidy(() => tf.mul(batchGradients(fn, points), points)),
  };
}

/** Runs a batched method on a single example, with the usual checks. */
export async function runBatchedMethod(method: BatchedMethod, input: tf.Tensor, options: RunOptions = {}): Promise<Attribution> {
  assertSingleExample(input);
  throwIfAborted(options.signal);
  const attributions = method.attributeBatch(input);
  options.onProgress?.(1);
  return { attributions };
}

export function saliency(fn: ScalarFunction, input: tf.Tensor, options: SaliencyOptions = {}): Promise<Attribution> {
  return runBatchedMethod(saliencyMethod(fn, options.absolute ?? false), input, options);
}

export function gradientTimesInput(fn: ScalarFunction, input: tf.Tensor, options: RunOptions = {}): Promise<Attribution> {
  return runBatchedMethod(gradientTimesInputMethod(fn), input, options);
}
