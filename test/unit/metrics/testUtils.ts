/** Shared helpers for the attribution and metric tests. */
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';

/** |actual - expected| <= atol + rtol * |expected| element by element, like tfjs' expectArraysClose. */
export function expectClose(actual: ArrayLike<number> | number, expected: ArrayLike<number> | number, atol = 1e-5, rtol = 1e-5): void {
  const a = typeof actual === 'number' ? [actual] : Array.from(actual);
  const e = typeof expected === 'number' ? [expected] : Array.from(expected);
  assert.equal(a.length, e.length, `length ${a.length} != expected length ${e.length}`);
  for (let i = 0; i < a.length; i++) {
    const tolerance = atol + rtol * Math.abs(e[i]!);
    if (!(Math.abs(a[i]! - e[i]!) <= tolerance)) {
      assert.fail(`index ${i}: ${a[i]} is not within ${tolerance} of ${e[i]}\nactual:   [${a.slice(0, 12).join(', ')}]\nexpected: [${e.slice(0, 12).join(', ')}]`);
    }
  }
}

/** Runs fn and checks that it leaves no tensor behind (fn must dispose what it keeps). */
export async function expectNoLeak(fn: () => Promise<void> | void): Promise<void> {
  const before = tf.memory().numTensors;
  await fn();
  assert.equal(tf.memory().numTensors, before, 'tensor count changed');
}

/** Deterministic pseudo-random values in [lo, hi). */
export function seededValues(count: number, seed: number, lo = -1, hi = 1): Float32Array {
  let state = seed >>> 0;
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    out[i] = lo + ((state >>> 8) / 16777216) * (hi - lo);
  }
  return out;
}
