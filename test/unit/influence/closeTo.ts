/** Float comparison helpers for the influence and loss tests. */
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';

/** |actual - expected| <= atol + rtol * |expected|, element-wise. */
export function expectArraysClose(actual: ArrayLike<number>, expected: ArrayLike<number>, rtol: number, atol: number, what = 'values'): void {
  assert.equal(actual.length, expected.length, `${what}: length ${actual.length} != ${expected.length}`);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    if (!(Math.abs(a - e) <= atol + rtol * Math.abs(e))) {
      assert.fail(`${what}[${i}]: ${a} differs from ${e} (rtol ${rtol}, atol ${atol})`);
    }
  }
}

/**
 * max |actual - expected| <= rtol * max |expected| over each group: a relative
 * error measured against the group's scale, so entries that are zero up to
 * rounding do not demand absolute agreement.
 */
export function expectGroupsClose(actual: ArrayLike<number>, expected: ArrayLike<number>, groups: Array<{ name: string; start: number; end: number }>, rtol: number): void {
  assert.equal(actual.length, expected.length);
  for (const { name, start, end } of groups) {
    let scale = 0;
    let error = 0;
    for (let i = start; i < end; i++) {
      scale = Math.max(scale, Math.abs(expected[i]!));
      error = Math.max(error, Math.abs(actual[i]! - expected[i]!));
    }
    assert.ok(scale > 0, `${name}: the reference is all zeros, which proves nothing`);
    assert.ok(error <= rtol * scale, `${name}: max error ${error} exceeds ${rtol} x scale ${scale}`);
  }
}

/** Runs f and checks it leaves no tensor behind (after disposing what it returns through `dispose`). */
export async function expectNoLeak<T>(f: () => T | Promise<T>, dispose: (result: T) => void = () => undefined): Promise<T> {
  const before = tf.memory().numTensors;
  const result = await f();
  dispose(result);
  assert.equal(tf.memory().numTensors, before, 'tensors leaked');
  return result;
}
