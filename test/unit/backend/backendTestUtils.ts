/** Shared helpers for the backend tests: wasm start-up, seeded data, tolerance checks. */
import * as tf from '@tensorflow/tfjs-core';
import assert from 'node:assert/strict';
import { BACKEND_ENV_VAR, selectBackend } from '../../../src/engine/backend/selectBackend';

/** Selects wasm through the real selection path (which installs the gradient bridge). */
export async function startWasm(): Promise<void> {
  const saved = process.env[BACKEND_ENV_VAR];
  Reflect.deleteProperty(process.env, BACKEND_ENV_VAR);
  try {
    const info = await selectBackend({ preferred: 'wasm' });
    assert.equal(info.name, 'wasm', `wasm did not start: ${info.skipped.join('; ')}`);
  } finally {
    if (saved !== undefined) process.env[BACKEND_ENV_VAR] = saved;
  }
}

/** mulberry32: a tiny seeded generator, so inputs do not depend on any backend's RNG. */
export function seededUniform(size: number, seed: number, low = -1, high = 1): Float32Array {
  let state = seed >>> 0;
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    const unit = ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    out[i] = low + (high - low) * unit;
  }
  return out;
}

/** max|a - b| / max(|b|_inf, tiny): the error relative to the reference's scale. */
export function relativeError(actual: ArrayLike<number>, expected: ArrayLike<number>, tiny = 1e-12): number {
  assert.equal(actual.length, expected.length, `length ${actual.length} != expected length ${expected.length}`);
  let worstDiff = 0;
  let scale = 0;
  for (let i = 0; i < expected.length; i++) {
    const diff = Math.abs(actual[i]! - expected[i]!);
    if (!(diff <= worstDiff)) worstDiff = diff; // also catches NaN
    scale = Math.max(scale, Math.abs(expected[i]!));
  }
  return worstDiff / Math.max(scale, tiny);
}

export function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tolerance: number, label: string): number {
  const error = relativeError(actual, expected);
  assert.ok(error <= tolerance, `${label}: relative error ${error.toExponential(3)} exceeds ${tolerance}`);
  return error;
}

/** Runs `compute` with `backend` active and returns the flat values of its tensors (disposed afterwards). */
export async function valuesOn(backend: string, compute: () => tf.Tensor | tf.Tensor[]): Promise<Float32Array[]> {
  assert.ok(await tf.setBackend(backend), `could not activate ${backend}`);
  const result = compute();
  const tensors = Array.isArray(result) ? result : [result];
  const values = tensors.map((t) => Float32Array.from(t.dataSync()));
  tf.dispose(tensors);
  return values;
}
