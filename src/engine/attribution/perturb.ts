/** Shared machinery of the perturbation methods: build perturbed copies of the input on the host and evaluate them in chunks. */
import * as tf from '@tensorflow/tfjs-core';
import { forEachChunk } from './chunking';
import { evaluateTarget } from './gradients';
import type { RunOptions, ScalarFunction } from './types';
import { assertFiniteNumber, assertSameShape, exampleSize } from './validate';

/** A reference tensor shaped like the input, or one value for every feature. */
export type BaselineValue = tf.Tensor | number;

export async function baselineValues(baseline: BaselineValue, input: tf.Tensor, name = 'baseline'): Promise<Float32Array> {
  if (typeof baseline === 'number') {
    assertFiniteNumber(baseline, name);
    return new Float32Array(exampleSize(input)).fill(baseline);
  }
  assertSameShape(baseline, input, name);
  return Float32Array.from(await baseline.data());
}

/**
 * Evaluates fn on `count` perturbed inputs; `fill(k, out)` writes perturbation k
 * into `out` (one example, flat). Returns fn's value for each perturbation.
 */
export async function evaluatePerturbations(
  fn: ScalarFunction,
  input: tf.Tensor,
  count: number,
  fill: (k: number, out: Float32Array) => void,
  options: RunOptions,
): Promise<Float64Array> {
  const size = exampleSize(input);
  const outputs = new Float64Array(count);
  await forEachChunk(count, options, async (start, end) => {
    const n = end - start;
    const buffer = new Float32Array(n * size);
    for (let k = start; k < end; k++) fill(k, buffer.subarray((k - start) * size, (k - start + 1) * size));
    const batch = tf.tensor(buffer, [n, ...input.shape.slice(1)]);
    try {
      const values = await evaluateTarget(fn, batch);
      outputs.set(values, start);
    } finally {
      batch.dispose();
    }
  });
  return outputs;
}

/** fn at the input and at the baseline, in one call. */
export async function evaluateEndpoints(fn: ScalarFunction, input: tf.Tensor, inputValues: Float32Array, baseline: Float32Array): Promise<{ atInput: number; atBaseline: number }> {
  const values = await evaluatePerturbations(fn, input, 2, (k, out) => out.set(k === 0 ? inputValues : baseline), {});
  return { atInput: values[0]!, atBaseline: values[1]! };
}
