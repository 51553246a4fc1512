import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import '@tensorflow/tfjs-backend-cpu';
import { buildClassifier, buildDenoisingAutoencoder, encoderLayerNames, REPRESENTATION_LAYER } from '../../../demo/template/models';

const ENCODER = ['enc_conv1', 'enc_conv2', 'enc_bn2', 'enc_conv3', 'enc_dense1', 'enc_latent'];

function weightValues(model: tfl.LayersModel): number[][] {
  return model.getWeights().map((w) => Array.from(w.dataSync()));
}

test('the models have the documented shapes and encoder layer names', async () => {
  await tf.setBackend('cpu');
  const ae = buildDenoisingAutoencoder();
  const classifier = buildClassifier();
  assert.deepEqual(ae.inputs[0]!.shape, [null, 28, 28, 1]);
  assert.deepEqual(ae.outputs[0]!.shape, [null, 28, 28, 1]);
  assert.deepEqual(classifier.outputs[0]!.shape, [null, 10]);
  assert.deepEqual(ae.getLayer(REPRESENTATION_LAYER).outputShape, [null, 4]);
  assert.deepEqual(encoderLayerNames(ae), ENCODER);
  assert.deepEqual(encoderLayerNames(classifier), ENCODER);
  ae.dispose();
  classifier.dispose();
});

test('building is seeded: same seed same weights, other seed other kernels, biases zero', async () => {
  await tf.setBackend('cpu');
  const a = buildClassifier(5);
  const b = buildClassifier(5);
  const c = buildClassifier(6);
  assert.deepEqual(weightValues(a), weightValues(b));
  assert.notDeepEqual(weightValues(a)[0], weightValues(c)[0]);
  const kernel = a.getLayer('enc_conv1').getWeights()[0]!;
  // Glorot-uniform bound for a 3x3x1x8 kernel: sqrt(6 / (9 * 1 + 9 * 8)).
  const limit = Math.sqrt(6 / (9 + 72));
  assert.ok(Array.from(kernel.dataSync()).every((v) => Math.abs(v) <= limit));
  assert.ok(Array.from(a.getLayer('enc_conv1').getWeights()[1]!.dataSync()).every((v) => v === 0));
  [a, b, c].forEach((m) => m.dispose());
});

test('building and disposing a model leaves no tensors behind', async () => {
  await tf.setBackend('cpu');
  const before = tf.memory().numTensors;
  buildDenoisingAutoencoder().dispose();
  buildClassifier().dispose();
  assert.equal(tf.memory().numTensors, before);
});

test('the builders name bad arguments', () => {
  assert.throws(() => buildDenoisingAutoencoder(1.5), /seed must be an integer/);
  assert.throws(() => buildClassifier(1, 1), /classes must be an integer >= 2/);
  assert.throws(() => buildClassifier(1, 10, 0), /latentDim must be a positive integer/);
});
