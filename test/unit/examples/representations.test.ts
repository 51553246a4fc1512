import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import '@tensorflow/tfjs-backend-cpu';
import { encoderFromModel } from '../../../src/engine/attribution/targets';
import { computeRepresentations } from '../../../src/engine/examples/representations';
import { expectArraysClose } from '../influence/closeTo';
import { normalArray } from './random';

function model(): tfl.LayersModel {
  const m = tfl.sequential({
    layers: [
      tfl.layers.flatten({ name: 'flat', inputShape: [2, 3] }),
      tfl.layers.dense({ name: 'enc_latent', units: 2, activation: 'linear', kernelInitializer: 'ones', biasInitializer: 'zeros' }),
      tfl.layers.dense({ name: 'head', units: 3, activation: 'softmax' }),
    ],
  });
  return m;
}

test('representations of every example, batched, equal f(x) computed by hand', async () => {
  const m = model();
  const values = normalArray(7 * 6, 1);
  const encoder = encoderFromModel(m, 'enc_latent');
  const progress: number[] = [];
  const before = tf.memory().numTensors;
  const r = await computeRepresentations(encoder, { values, count: 7, exampleShape: [2, 3] }, { batchSize: 3, onProgress: (f) => progress.push(f) });
  assert.equal(tf.memory().numTensors, before, 'tensors leaked');
  assert.equal(r.dim, 2);
  // Ones kernel, zero bias: each latent unit is the sum of the example's 6 values.
  const expected = Array.from({ length: 7 }, (_, n) => values.subarray(n * 6, n * 6 + 6).reduce((s, v) => s + v, 0)).flatMap((s) => [s, s]);
  expectArraysClose(r.values, expected, 1e-5, 1e-5);
  assert.deepEqual(progress, [3 / 7, 6 / 7, 1]);
  m.dispose();
});

test('a cancel between batches stops with an AbortError', async () => {
  const m = model();
  const encoder = encoderFromModel(m, 'enc_latent');
  const controller = new AbortController();
  const before = tf.memory().numTensors;
  await assert.rejects(
    computeRepresentations(encoder, { values: new Float32Array(10 * 6), count: 10, exampleShape: [2, 3] }, { batchSize: 2, signal: controller.signal, onProgress: () => controller.abort() }),
    { name: 'AbortError' },
  );
  assert.equal(tf.memory().numTensors, before, 'tensors leaked');
  m.dispose();
});

test('a dataset of the wrong size is rejected', async () => {
  const encoder = (x: tf.Tensor): tf.Tensor => x;
  await assert.rejects(computeRepresentations(encoder, { values: new Float32Array(5), count: 2, exampleShape: [3] }), /data.values has 5 numbers/);
});
