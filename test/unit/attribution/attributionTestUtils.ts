/** Fixtures for the attribution tests: functions with known attributions. */
import * as tf from '@tensorflow/tfjs-core';
import type { AttributionRequest } from '../../../src/engine/attribution/requests';
import type { ScalarFunction } from '../../../src/engine/attribution/types';
import { seededValues } from '../metrics/testUtils';

export async function useCpu(): Promise<void> {
  await import('@tensorflow/tfjs-backend-cpu');
  await tf.setBackend('cpu');
}

/** f(x) = w . x + b over each example; its gradient is w everywhere. */
export function linearFunction(weights: Float32Array, bias = 0): ScalarFunction {
  return (x) =>
    tf.tidy(() => {
      const flat = tf.reshape(x, [x.shape[0]!, -1]);
      return tf.add(tf.sum(tf.mul(flat, tf.tensor1d(weights)), 1), bias) as tf.Tensor1D;
    });
}

/** A 2-layer tanh MLP on flat inputs of size d: smooth and nonlinear. */
export function tanhMlp(d: number, hidden: number, seed: number, scale = 1): ScalarFunction {
  const w1 = seededValues(d * hidden, seed, -scale, scale);
  const b1 = seededValues(hidden, seed + 1, -0.5, 0.5);
  const w2 = seededValues(hidden, seed + 2, -1, 1);
  return (x) =>
    tf.tidy(() => {
      const flat = tf.reshape(x, [x.shape[0]!, d]);
      const h = tf.tanh(tf.add(tf.matMul(flat, tf.tensor2d(w1, [d, hidden])), tf.tensor1d(b1)));
      return tf.sum(tf.mul(h, tf.tensor1d(w2)), 1) as tf.Tensor1D;
    });
}

export function tensorOf(values: Float32Array, shape: number[]): tf.Tensor {
  return tf.tensor(values, shape);
}

export async function valuesOf(t: tf.Tensor): Promise<Float32Array> {
  return (await t.data()) as Float32Array;
}

export function elementwise(a: ArrayLike<number>, b: ArrayLike<number>, op: (x: number, y: number) => number): Float64Array {
  return Float64Array.from({ length: a.length }, (_, i) => op(a[i]!, b[i]!));
}

/** One request per method, small enough to run quickly on a [1, 6, 6, 1] input. */
export const EVERY_METHOD: AttributionRequest[] = [
  { method: 'saliency', absolute: true },
  { method: 'gradientXInput' },
  { method: 'integratedGradients', steps: 8, rule: 'riemann_middle', baseline: { kind: 'blur', sigma: 1 } },
  { method: 'gradientShap', samples: 12, sigma: 0.1, seed: 3 },
  { method: 'smoothGrad', base: { method: 'integratedGradients', steps: 4 }, samples: 3, sigma: 0.1, mode: 'vargrad' },
  { method: 'occlusion', window: [2, 2], strides: [2, 2], baseline: { kind: 'constant', value: 0.5 } },
  { method: 'featureAblation', features: { kind: 'grid', cellHeight: 3, cellWidth: 2 }, baseline: { kind: 'mean' } },
  { method: 'kernelShap', features: { kind: 'superpixels', segments: 4 }, samples: 40, seed: 1 },
  { method: 'lime', features: { kind: 'grid', cellHeight: 2, cellWidth: 2 }, samples: 30, seed: 2, surrogate: 'lasso', alpha: 0.001 },
];
