/** Per-example input gradients of a ScalarFunction, and plain evaluation. */
import * as tf from '@tensorflow/tfjs-core';
// tfjs-core's CommonJS build registers no gradient functions; tfjs-layers' build registers
// them all. tfjs-core's own register_all_gradients is an ES module that plain node (the
// bundled engine keeps @tensorflow/* external) cannot require, so load tfjs-layers instead.
import '@tensorflow/tfjs-layers';
import type { ScalarFunction } from './types';
import { shapeText } from './validate';

function checkOutput(out: tf.Tensor, batch: number): tf.Tensor1D {
  if (out.rank !== 1 || out.shape[0] !== batch) {
    throw new Error(`target function must map a batch of ${batch} to shape [${batch}], got ${shapeText(out.shape)}`);
  }
  return out as tf.Tensor1D;
}

/** Calls fn and checks that it returns one scalar per example. */
export function callTarget(fn: ScalarFunction, points: tf.Tensor): tf.Tensor1D {
  return checkOutput(fn(points), points.shape[0]!);
}

/**
 * d fn(points)_b / d points_b for every b. Examples are independent in fn, so the
 * gradient of the batch sum gives every example's gradient in one backward pass.
 */
export function batchGradients(fn: ScalarFunction, points: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.grad((x: tf.Tensor) => tf.sum(callTarget(fn, x)))(points));
}

/** fn on a batch, read back as numbers. */
export async function evaluateTarget(fn: ScalarFunction, points: tf.Tensor): Promise<Float32Array> {
  const out = tf.tidy(() => callTarget(fn, points));
  try {
    return (await out.data()) as Float32Array;
  } finally {
    out.dispose();
  }
}

/** Sum of all entries, accumulated in float64 on the host. */
export async function totalOf(tensor: tf.Tensor): Promise<number> {
  const values = await tensor.data();
  let total = 0;
  for (let i = 0; i < values.length; i++) total += values[i]!;
  return total;
}
