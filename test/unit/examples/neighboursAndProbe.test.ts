import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { nearestNeighbours } from '../../../src/engine/examples/nearestNeighbours';
import { heldOutProbabilities } from '../../../src/engine/examples/heldOutProbe';
import { normalArray } from './random';

test('nearest neighbours match a brute-force search, the row itself excluded, across block boundaries', async () => {
  await tf.setBackend('cpu');
  const count = 700;
  const dim = 3;
  const values = normalArray(count * dim, 4);
  const { indices, k } = await nearestNeighbours({ values, count, dim }, 4);
  assert.equal(k, 4);
  for (const row of [0, 1, 511, 512, 513, 699]) {
    const d = Array.from({ length: count }, (_, m) => [m, values.subarray(m * dim, m * dim + dim).reduce((s, v, j) => s + (v - values[row * dim + j]!) ** 2, 0)] as const)
      .filter(([m]) => m !== row)
      .sort((a, b) => a[1] - b[1]);
    assert.deepEqual(Array.from(indices.subarray(row * k, row * k + k)), d.slice(0, 4).map(([m]) => m), `row ${row}`);
  }
});

test('with fewer rows than K, every other row is a neighbour', async () => {
  const { indices, k } = await nearestNeighbours({ values: Float32Array.from([0, 1, 5]), count: 3, dim: 1 }, 10);
  assert.equal(k, 2);
  assert.deepEqual(Array.from(indices), [1, 2, 0, 2, 1, 0]);
});

test('the held-out probe gives flipped labels a low probability and predicts the true class', async () => {
  await tf.setBackend('cpu');
  // Three well-separated blobs; every 10th label is flipped to the next class.
  const count = 300;
  const centres = [[0, 0], [6, 0], [0, 6]];
  const noise = normalArray(count * 2, 9);
  const values = new Float32Array(count * 2);
  const truth = new Int32Array(count);
  const labels = new Int32Array(count);
  for (let n = 0; n < count; n++) {
    truth[n] = n % 3;
    values[2 * n] = centres[truth[n]!]![0]! + noise[2 * n]!;
    values[2 * n + 1] = centres[truth[n]!]![1]! + noise[2 * n + 1]!;
    labels[n] = n % 10 === 0 ? (truth[n]! + 1) % 3 : truth[n]!;
  }
  const before = tf.memory().numTensors;
  const probe = await heldOutProbabilities({ values, count, dim: 2 }, labels, 3, { epochs: 200 });
  assert.equal(tf.memory().numTensors, before, 'no tensor leaks');
  const flipped = Array.from({ length: count }, (_, n) => n).filter((n) => n % 10 === 0);
  const clean = Array.from({ length: count }, (_, n) => n).filter((n) => n % 10 !== 0);
  const mean = (rows: number[]): number => rows.reduce((s, n) => s + probe.labelProbability[n]!, 0) / rows.length;
  assert.ok(mean(flipped) < 0.2 && mean(clean) > 0.7, `flipped ${mean(flipped)}, clean ${mean(clean)}`);
  assert.ok(flipped.filter((n) => probe.predictions[n] === truth[n]).length >= flipped.length - 2);
  await assert.rejects(heldOutProbabilities({ values, count, dim: 2 }, labels, 2), /labels\[\d+\] is 2, outside 0..1/);
});
