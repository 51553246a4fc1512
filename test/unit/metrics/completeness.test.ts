import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { attributionSum, readCompleteness } from '../../../src/engine/metrics';
import { expectNoLeak } from './testUtils';

test('readCompleteness reports errors and whether they are within tolerance', () => {
  const ok = readCompleteness({ sum: 1.0005, expected: 1 });
  assert.equal(ok.holds, true);
  assert.ok(Math.abs(ok.absoluteError - 0.0005) < 1e-12);
  assert.ok(Math.abs(ok.relativeError - 0.0005) < 1e-12);
  const bad = readCompleteness({ sum: 1.1, expected: 1 });
  assert.equal(bad.holds, false);
  assert.equal(readCompleteness({ sum: 0, expected: 0 }).relativeError, 0);
  assert.equal(readCompleteness({ sum: 1, expected: 0 }).relativeError, Infinity);
  assert.equal(readCompleteness({ sum: 1.05, expected: 1 }, { absolute: 0, relative: 0.1 }).holds, true);
});

test('readCompleteness validates its arguments', () => {
  assert.throws(() => readCompleteness({ sum: Number.NaN, expected: 1 }), /completeness.sum must be a finite number/);
  assert.throws(() => readCompleteness({ sum: 1, expected: Infinity }), /completeness.expected must be a finite number/);
  assert.throws(() => readCompleteness({ sum: 1, expected: 1 }, { absolute: -1, relative: 0 }), /tolerance.absolute must be/);
});

test('attributionSum reads tensors without leaking', async () => {
  const t = tf.tensor2d([1, -2, 3.5, 0.5], [2, 2]);
  await expectNoLeak(() => assert.equal(attributionSum(t), 3));
  t.dispose();
  assert.throws(() => attributionSum(t), /attributions is a disposed tensor/);
});
