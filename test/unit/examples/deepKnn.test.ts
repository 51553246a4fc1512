import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { deepKnn } from '../../../src/engine/examples/deepKnn';
import { expectArraysClose } from '../influence/closeTo';
import { normalArray } from './random';

test('scores are 1 / (distance + eps) and ranks are exact on hand-made points', () => {
  // 1-D distances from 0: 3, 1, 4, 0.5, 2 -> nearest order 3, 1, 4, 0, 2.
  const train = { values: Float32Array.from([3, 0, 1, 0, 0, 4, 0.5, 0, 0, -2]), count: 5, dim: 2 };
  const result = deepKnn(train, [0, 0], { k: 2, epsilon: 1e-3 });
  expectArraysClose(result.scores, [3, 1, 4, 0.5, 2].map((d) => 1 / (d + 1e-3)), 1e-6, 0);
  assert.deepEqual(result.mostSimilar.map((e) => e.index), [3, 1]);
  assert.deepEqual(result.leastSimilar.map((e) => e.index), [2, 0]);
  expectArraysClose(result.mostSimilar.map((e) => e.distance), [0.5, 1], 1e-12, 0);
});

test('the most and least similar lists never overlap and ties keep index order', () => {
  const train = { values: Float32Array.from([1, 1, 1]), count: 3, dim: 1 };
  const result = deepKnn(train, [0], { k: 2 });
  assert.deepEqual(result.mostSimilar.map((e) => e.index), [0, 1]);
  assert.deepEqual(result.leastSimilar.map((e) => e.index), [2]);
});

test('scores are invariant to an orthogonal transform of the latent space', () => {
  const n = 200;
  const d = 6;
  const train = normalArray(n * d, 3);
  const query = normalArray(d, 4);
  const [q, r] = tf.linalg.qr(tf.tensor2d(normalArray(d * d, 5), [d, d]));
  const rotated = tf.tidy(() => tf.matMul(tf.tensor2d(train, [n, d]), q!).dataSync() as Float32Array);
  const rotatedQuery = tf.tidy(() => tf.matMul(tf.tensor2d(query, [1, d]), q!).dataSync() as Float32Array);
  // The transform really moves the points, or the check proves nothing.
  assert.ok(Math.abs(rotated[0]! - train[0]!) > 1e-3);
  tf.dispose([q!, r!]);
  const before = deepKnn({ values: train, count: n, dim: d }, query, { k: 10 });
  const after = deepKnn({ values: rotated, count: n, dim: d }, rotatedQuery, { k: 10 });
  expectArraysClose(after.scores, before.scores, 1e-4, 0, 'scores');
  assert.deepEqual(after.mostSimilar.map((e) => e.index), before.mostSimilar.map((e) => e.index));
  assert.deepEqual(after.leastSimilar.map((e) => e.index), before.leastSimilar.map((e) => e.index));
});

test('bad inputs are rejected with the argument named', () => {
  const train = { values: new Float32Array(4), count: 2, dim: 2 };
  assert.throws(() => deepKnn(train, [0]), /test representation has 1 values/);
  assert.throws(() => deepKnn(train, [0, NaN]), /not finite/);
  assert.throws(() => deepKnn(train, [0, 0], { k: 0 }), /k must be a positive integer/);
  assert.throws(() => deepKnn({ values: new Float32Array(3), count: 2, dim: 2 }, [0, 0]), /train.values has 3 numbers/);
});
