import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { simplex } from '../../../src/engine/examples/simplex';
import { normalArray } from './random';

const d = 4;
const count = 12;
const corpus = { values: normalArray(count * d, 11, 2), count, dim: d };
const mixture = [
  { index: 2, weight: 0.5 },
  { index: 7, weight: 0.3 },
  { index: 9, weight: 0.2 },
];
/** A point inside the hull of corpus rows 2, 7 and 9. */
const inside = Array.from({ length: d }, (_, j) => mixture.reduce((s, { index, weight }) => s + weight * corpus.values[index * d + j]!, 0));
const norm = Math.hypot(...inside);

const sum = (w: Float32Array): number => w.reduce((s, v) => s + v, 0);

test('a point inside the corpus hull is reconstructed with a small latent error, weights sum to 1', async () => {
  const before = tf.memory().numTensors;
  const result = await simplex(corpus, inside, { epochs: 4000, learningRate: 0.01 });
  assert.equal(tf.memory().numTensors, before, 'tensors leaked');
  assert.ok(Math.abs(sum(result.weights) - 1) < 1e-5, `weights sum to ${sum(result.weights)}`);
  assert.ok(result.weights.every((w) => w >= 0));
  assert.ok(result.error < 0.02 * norm, `latent error ${result.error} vs |f(x)| ${norm}`);
  let direct = 0;
  for (let j = 0; j < d; j++) direct += (inside[j]! - result.reconstruction[j]!) ** 2;
  assert.ok(Math.abs(Math.sqrt(direct) - result.error) < 1e-6, 'error is the distance to the reconstruction');
  // Before fitting (uniform weights) the error is far larger, so the fit did the work.
  const uniform = Array.from({ length: d }, (_, j) => Array.from({ length: count }, (_, n) => corpus.values[n * d + j]! / count).reduce((s, v) => s + v, 0));
  assert.ok(result.error < 0.1 * Math.hypot(...inside.map((v, j) => v - uniform[j]!)));
});

test('with the paper lr 0.001, more epochs give a smaller error', async () => {
  const short = await simplex(corpus, inside, { epochs: 200 });
  const long = await simplex(corpus, inside, { epochs: 2000 });
  assert.ok(long.error < short.error, `${long.error} should be below ${short.error}`);
  assert.ok(Math.abs(sum(long.weights) - 1) < 1e-5);
});

test('restricting to the K nearest corpus examples fits K weights over the nearest rows', async () => {
  const result = await simplex(corpus, inside, { epochs: 500, learningRate: 0.01, nearest: 5 });
  assert.equal(result.weights.length, 5);
  assert.equal(result.corpusIndices.length, 5);
  const distance = (n: number): number => Math.hypot(...inside.map((v, j) => v - corpus.values[n * d + j]!));
  const all = Array.from({ length: count }, (_, n) => n).sort((a, b) => distance(a) - distance(b));
  assert.deepEqual(result.corpusIndices, all.slice(0, 5));
  assert.ok(Math.abs(sum(result.weights) - 1) < 1e-5);
  assert.deepEqual(result.decomposition.map((w) => w.weight), [...result.weights].sort((a, b) => b - a));
});

test('two runs give identical weights (no hidden randomness)', async () => {
  const a = await simplex(corpus, inside, { epochs: 300, learningRate: 0.01 });
  const b = await simplex(corpus, inside, { epochs: 300, learningRate: 0.01 });
  assert.deepEqual(Array.from(a.weights), Array.from(b.weights));
});

test('cancel and bad inputs', async () => {
  const controller = new AbortController();
  controller.abort();
  const before = tf.memory().numTensors;
  await assert.rejects(simplex(corpus, inside, { signal: controller.signal }), { name: 'AbortError' });
  assert.equal(tf.memory().numTensors, before, 'tensors leaked');
  await assert.rejects(simplex(corpus, [1, 2]), /test representation has 2 values/);
  await assert.rejects(simplex(corpus, inside, { epochs: 0 }), /epochs must be a positive integer/);
  await assert.rejects(simplex(corpus, inside, { learningRate: -1 }), /learningRate/);
  await assert.rejects(simplex(corpus, inside, { nearest: 1.5 }), /nearest/);
});
