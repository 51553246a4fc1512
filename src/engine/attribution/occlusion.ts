/**
 * Occlusion: slide a window over the example, replace it by the baseline, and
 * credit every feature with the mean output drop over the windows covering it.
 */
import * as tf from '@tensorflow/tfjs-core';
import { throwIfAborted } from './chunking';
import { baselineValues, evaluateEndpoints, evaluatePerturbations, type BaselineValue } from './perturb';
import type { Attribution, RunOptions, ScalarFunction } from './types';
import { assertInteger, assertSingleExample, shapeText } from './validate';

export interface OcclusionOptions extends RunOptions {
  /**
   * Window shape over the example dimensions (without the batch dimension).
   * Missing trailing dimensions (e.g. channels) are covered whole.
   */
  window: number[];
  /** Step per dimension; 1 when absent. */
  strides?: number[];
  /** Replacement values; 0 when absent. */
  baseline?: BaselineValue;
}

interface WindowGrid {
  /** Windows along each dimension. */
  counts: number[];
  strides: number[];
  /** Flat offsets of a window's features relative to its first feature. */
  offsets: Int32Array;
  /** Row-major strides of the example. */
  rowStrides: number[];
  total: number;
}

function windowGrid(exampleShape: number[], window: number[], strides: number[] | undefined): WindowGrid {
  if (!Array.isArray(window) || window.length === 0 || window.length > exampleShape.length) {
    throw new Error(`window must list 1 to ${exampleShape.length} sizes for example shape ${shapeText(exampleShape)}, got ${JSON.stringify(window)}`);
  }
  if (strides !== undefined && (!Array.isArray(strides) || strides.length !== window.length)) {
    throw new Error(`strides must have the same length as window (${window.length}), got ${JSON.stringify(strides)}`);
  }
  const fullWindow = exampleShape.map((extent, d) => (d < window.length ? window[d]! : extent));
  const fullStrides = exampleShape.map((extent, d) => (d < window.length ? (strides?.[d] ?? 1) : extent));
  fullWindow.forEach((w, d) => assertInteger(w, `window[${d}]`, 1, exampleShape[d]));
  fullStrides.forEach((s, d) => assertInteger(s, `strides[${d}]`, 1));
  const rowStrides = exampleShape.map((_, d) => exampleShape.slice(d + 1).reduce((a, b) => a * b, 1));
  const counts = exampleShape.map((extent, d) => Math.floor((extent - fullWindow[d]!) / fullStrides[d]!) + 1);
  const offsets = new Int32Array(fullWindow.reduce((a, b) => a * b, 1));
  for (let j = 0; j < offsets.length; j++) {
    let rest = j;
    let offset = 0;
    for (let d = fullWindow.length - 1; d >= 0; d--) {
      offset += (rest % fullWindow[d]!) * rowStrides[d]!;
      rest = Math.floor(rest / fullWindow[d]!);
    }
    offsets[j] = offset;
  }
  return { counts, strides: fullStrides, offsets, rowStrides, total: counts.reduce((a, b) => a * b, 1) };
}

/** Flat index of window k's first feature. */
function windowStart(grid: WindowGrid, k: number): number {
  let rest = k;
  let start = 0;
  for (let d = grid.counts.length - 1; d >= 0; d--) {
    start += (rest % grid.counts[d]!) * grid.strides[d]! * grid.rowStrides[d]!;
    rest = Math.floor(rest / grid.counts[d]!);
  }
  return start;
}

export async function occlusion(fn: ScalarFunction, input: tf.Tensor, options: OcclusionOptions): Promise<Attribution> {
  assertSingleExample(input);
  throwIfAborted(options.signal);
  const grid = windowGrid(input.shape.slice(1), options.window, options.strides);
  const baseline = await baselineValues(options.baseline ?? 0, input);
  const values = Float32Array.from(await input.data());
  const occluded = await evaluatePerturbations(
    fn,
    input,
    grid.total,
    (k, out) => {
      out.set(values);
      const start = windowStart(grid, k);
      for (const offset of grid.offsets) out[start + offset] = baseline[start + offset]!;
    },
    options,
  );
  const { atInput } = await evaluateEndpoints(fn, input, values, baseline);
  const drops = new Float64Array(values.length);
  const counts = new Uint32Array(values.length);
  for (let k = 0; k < grid.total; k++) {
    const start = windowStart(grid, k);
    for (const offset of grid.offsets) {
      drops[start + offset] += atInput - occluded[k]!;
      counts[start + offset]++;
    }
  }
  const result = new Float32Array(values.length);
  for (let i = 0; i < result.length; i++) result[i] = counts[i]! > 0 ? drops[i]! / counts[i]! : 0;
  return { attributions: tf.tensor(result, input.shape) };
}
