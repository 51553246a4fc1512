import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { averageRanks, pearson, spearman } from '../../../src/engine/metrics';
import { expectClose, expectNoLeak } from './testUtils';

test('pearson on hand-computed vectors', () => {
  expectClose(pearson([1, 2, 3], [2, 4, 6]), 1, 1e-12, 0);
  expectClose(pearson([1, 2, 3], [3, 2, 1]), -1, 1e-12, 0);
  // dx = (-1.5, -0.5, 0.5, 1.5), dy = (-0.5, -1.5, 1.5, 0.5): cov = 3, var = 5 and 5.
  expectClose(pearson([1, 2, 3, 4], [2, 1, 4, 3]), 0.6, 1e-12, 0);
  // Invariant to positive affine maps of either argument.
  expectClose(pearson(new Float32Array([1, 2, 3, 4]), [7, 4, 13, 10]), 0.6, 1e-7, 0);
});

test('pearson of a constant vector is NaN, never a silent 0', () => {
  assert.ok(Number.isNaN(pearson([2, 2, 2], [1, 2, 3])));
  assert.ok(Number.isNaN(pearson([1, 2, 3], [0, 0, 0])));
});

test('pearson rejects bad input with the argument named', () => {
  assert.throws(() => pearson([1, 2, 3], [1, 2]), /a has 3 values but b has 2/);
  assert.throws(() => pearson([1], [2]), /at least 2 values/);
  assert.throws(() => pearson([1, Number.NaN, 3], [1, 2, 3]), /a holds a non-finite value at flat index 1/);
  assert.throws(() => pearson('abc' as unknown as number[], [1, 2, 3]), /a must be a Float32Array/);
});

test('average ranks share tied positions', () => {
  assert.deepEqual(Array.from(averageRanks(Float64Array.from([10, 20, 20, 30]))), [1, 2.5, 2.5, 4]);
  assert.deepEqual(Array.from(averageRanks(Float64Array.from([3, 1, 3, 3, 0]))), [4, 2, 4, 4, 1]);
});

test('spearman on hand-computed vectors, with ties', () => {
  // Monotone but nonlinear: rho = 1 while Pearson < 1.
  const x = [0.1, 0.5, 1, 2, 4];
  const y = x.map(Math.exp);
  expectClose(spearman(x, y), 1, 1e-12, 0);
  assert.ok(pearson(x, y) < 0.99);
  expectClose(spearman(x, y.map((v) => -v)), -1, 1e-12, 0);
  // Ranks (1, 2.5, 2.5, 4) against (1, 2, 3, 4): cov = 4.5, var = 4.5 and 5.
  expectClose(spearman([1, 2, 2, 3], [1, 2, 3, 4]), 4.5 / Math.sqrt(4.5 * 5), 1e-12, 0);
  assert.ok(Number.isNaN(spearman([5, 5, 5], [1, 2, 3])));
});

test('correlations accept tensors without disposing or leaking them', async () => {
  const a = tf.tensor2d([1, 2, 3, 4], [2, 2]);
  const b = tf.tensor1d([2, 1, 4, 3]);
  await expectNoLeak(() => {
    expectClose(pearson(a, b), 0.6, 1e-7, 0);
    expectClose(spearman(a, b), 0.6, 1e-7, 0);
  });
  assert.equal(a.isDisposed, false);
  tf.dispose([a, b]);
});
