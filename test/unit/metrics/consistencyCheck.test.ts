import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { averageConsistencyCurves, consistencyCheck } from '../../../src/engine/metrics';
import { expectClose, expectNoLeak, seededValues } from './testUtils';

const D = 40;
// f(x) = w . x with w_i > 0 and x_i > 0: every feature contributes w_i x_i >= 0,
// so masking (to 0) the k largest contributions moves f by their sum, which is
// at least the sum of any other k contributions: top-k beats every random mask.
const w = seededValues(D, 1, 0.1, 2);
const xValues = seededValues(D, 2, 0.1, 1);
const contributions = Array.from(xValues, (v, i) => v * w[i]!);
const weights = tf.tensor2d(w, [D, 1]);
const representation = (x: tf.Tensor): tf.Tensor => tf.matMul(tf.reshape(x, [-1, D]) as tf.Tensor2D, weights);
const probability = (x: tf.Tensor): tf.Tensor => tf.reshape(tf.sigmoid(tf.sub(representation(x), 10)), [-1]);

function topSum(k: number): number {
  return [...contributions].sort((a, b) => b - a).slice(0, k).reduce((s, v) => s + v, 0);
}

test('on a linear representation the top-M mask shifts f by the sum of the M largest contributions, more than random masks', async () => {
  const input = tf.tensor(xValues, [1, 4, 10]);
  const curve = await consistencyCheck(representation, input, contributions, { randomMasks: 20, seed: 3 });
  assert.equal(curve.measure, 'shift');
  assert.deepEqual(curve.maskedCounts, [2, 4, 8, 20]);
  curve.maskedCounts.forEach((k, i) => {
    expectClose(curve.top[i]!, topSum(k), 1e-4, 1e-5);
    assert.ok(curve.top[i]! > curve.randomMean[i]! + curve.randomStd[i]!, `fraction ${curve.fractions[i]}: top ${curve.top[i]} vs random ${curve.randomMean[i]} +- ${curve.randomStd[i]}`);
  });
  // Random masks remove k contributions out of D: their mean shift is near k/D of the total.
  const total = contributions.reduce((s, v) => s + v, 0);
  expectClose(curve.randomMean[3]!, total / 2, 0.25 * total, 0);
  input.dispose();
});

test('an anti-correlated map does worse than random, and the baseline value is used for masked features', async () => {
  const input = tf.tensor(xValues, [1, D]);
  const reversed = contributions.map((c) => -c);
  const curve = await consistencyCheck(representation, input, reversed, { fractions: [0.1], randomMasks: 20, seed: 4 });
  assert.ok(curve.top[0]! < curve.randomMean[0]!);
  // Masking to the input's own values changes nothing.
  const same = await consistencyCheck(representation, input, contributions, { fractions: [0.5], baseline: input, randomMasks: 3 });
  assert.deepEqual([same.top[0], same.randomMean[0]], [0, 0]);
  input.dispose();
});

test('probability drop for a classifier-like [B] output', async () => {
  const input = tf.tensor(xValues, [1, D]);
  const curve = await consistencyCheck(probability, input, contributions, { fractions: [0.05, 0.2], randomMasks: 10, seed: 5 });
  assert.equal(curve.measure, 'drop');
  const p = (z: number): number => 1 / (1 + Math.exp(-(z - 10)));
  const total = contributions.reduce((s, v) => s + v, 0);
  curve.maskedCounts.forEach((k, i) => {
    expectClose(curve.top[i]!, p(total) - p(total - topSum(k)), 1e-5, 1e-4);
    assert.ok(curve.top[i]! > curve.randomMean[i]!);
  });
  input.dispose();
});

test('random masks are reproducible from the seed', async () => {
  const input = tf.tensor(xValues, [1, D]);
  const a = await consistencyCheck(representation, input, contributions, { seed: 7, randomMasks: 5, batchSize: 4 });
  const b = await consistencyCheck(representation, input, contributions, { seed: 7, randomMasks: 5 });
  const c = await consistencyCheck(representation, input, contributions, { seed: 8, randomMasks: 5 });
  assert.deepEqual(a.randomMean, b.randomMean);
  assert.notDeepEqual(a.randomMean, c.randomMean);
  const average = averageConsistencyCurves([a, c]);
  expectClose(average.randomMean, a.randomMean.map((v, i) => (v + c.randomMean[i]!) / 2), 1e-12, 0);
  input.dispose();
});

test('consistencyCheck validates its inputs and leaves no tensors behind', async () => {
  const input = tf.tensor(xValues, [1, D]);
  await expectNoLeak(async () => {
    await consistencyCheck(representation, input, contributions, { randomMasks: 2 });
    await assert.rejects(consistencyCheck(representation, input, contributions.slice(1)), /attribution has 39 values but input has 40 features/);
    await assert.rejects(consistencyCheck(representation, input, contributions, { fractions: [0] }), /fractions\[0\] must be in \(0, 1\]/);
    await assert.rejects(consistencyCheck(representation, input, contributions, { measure: 'drop' }), /measure 'drop' needs fn to return \[B\]/);
    await assert.rejects(consistencyCheck(() => tf.zeros([3, 2]), input, contributions), /fn must keep the batch dimension/);
    const aborted = new AbortController();
    aborted.abort();
    await assert.rejects(consistencyCheck(representation, input, contributions, { signal: aborted.signal }), /cancelled/);
  });
  input.dispose();
});
