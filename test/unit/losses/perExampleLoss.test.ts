import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import '@tensorflow/tfjs-backend-cpu';
import { CLIP_EPSILON, perExampleLoss, type LossBatch } from '../../../src/engine/losses/perExampleLoss';
import { exampleGaussianNoise, exampleInpaintingMask } from '../../../src/engine/losses/exampleRandom';
import type { LossSpec } from '../../../src/protocol/manifest';
import { expectArraysClose, expectNoLeak } from '../influence/closeTo';

const W = [
  [0.5, -0.2, 0.1, 0.3],
  [0.7, 0.4, -0.6, 0.0],
  [-0.3, 0.2, 0.9, -0.5],
];
const B = [0.1, -0.2, 0.05, 0.3];
const X = [
  [0.2, 0.9, 0.4],
  [1.0, 0.0, 0.5],
  [0.3, 0.3, 0.8],
];

function dense(units: number, activation: 'linear' | 'softmax' | 'sigmoid'): tfl.Sequential {
  const model = tfl.sequential({ layers: [tfl.layers.dense({ inputShape: [3], units, activation })] });
  model.setWeights([tf.tensor2d(W.map((row) => row.slice(0, units))), tf.tensor1d(B.slice(0, units))]);
  return model;
}

/** x W + b for the first `units` outputs. */
function affine(x: number[], units: number): number[] {
  return Array.from({ length: units }, (_, j) => B[j]! + x.reduce((s, xi, i) => s + xi * W[i]![j]!, 0));
}

function losses(model: tfl.LayersModel, loss: LossSpec, x: number[][], batch: LossBatch): Float32Array {
  return tf.tidy(() => perExampleLoss(model, loss, tf.tensor2d(x), batch).dataSync() as Float32Array);
}

const ids = [4, 0, 9];

test('reconstruction: sum over features of (xW + b - x)²', () => {
  const model = dense(3, 'linear');
  const expected = X.map((x) => affine(x, 3).reduce((s, y, j) => s + (y - x[j]!) ** 2, 0));
  expectArraysClose(losses(model, { kind: 'reconstruction' }, X, { ids, split: 'train' }), expected, 1e-6, 1e-7);
});

test('denoising: the input is x + the per-example noise, the target the clean x', () => {
  const model = dense(3, 'linear');
  const loss: LossSpec = { kind: 'denoising', noiseStd: 0.4, seed: 12 };
  const expected = X.map((x, n) => {
    const noise = exampleGaussianNoise(12, 'test', ids[n]!, 3, 0.4);
    return affine(x.map((v, i) => v + noise[i]!), 3).reduce((s, y, j) => s + (y - x[j]!) ** 2, 0);
  });
  expectArraysClose(losses(model, loss, X, { ids, split: 'test' }), expected, 1e-5, 1e-7);
});

test('denoising losses do not depend on batch size or order', () => {
  const model = dense(3, 'linear');
  const loss: LossSpec = { kind: 'denoising', noiseStd: 1, seed: 3 };
  const all = losses(model, loss, X, { ids, split: 'train' });
  const reversed = losses(model, loss, [...X].reverse(), { ids: [...ids].reverse(), split: 'train' });
  X.forEach((x, n) => {
    assert.equal(losses(model, loss, [x], { ids: [ids[n]!], split: 'train' })[0], all[n]);
    assert.equal(reversed[X.length - 1 - n], all[n]);
  });
  const otherSplit = losses(model, loss, X, { ids, split: 'test' });
  assert.notDeepEqual(otherSplit, all);
});

test('inpainting: masked features are zeroed in the input, the target is the clean x', () => {
  const model = dense(3, 'linear');
  const loss: LossSpec = { kind: 'inpainting', maskFraction: 1 / 3, seed: 5 };
  const expected = X.map((x, n) => {
    const keep = exampleInpaintingMask(5, 'train', ids[n]!, 3, 1 / 3);
    assert.equal(keep.filter((k) => k === 0).length, 1);
    return affine(x.map((v, i) => v * keep[i]!), 3).reduce((s, y, j) => s + (y - x[j]!) ** 2, 0);
  });
  expectArraysClose(losses(model, loss, X, { ids, split: 'train' }), expected, 1e-6, 1e-7);
});

test('crossEntropy on softmax outputs: -log p[label]', () => {
  const model = dense(4, 'softmax');
  const labels = [3, 0, 2];
  const expected = X.map((x, n) => {
    const z = affine(x, 4);
    const logSum = Math.log(z.reduce((s, v) => s + Math.exp(v), 0));
    return logSum - z[labels[n]!]!;
  });
  expectArraysClose(losses(model, { kind: 'crossEntropy' }, X, { ids, split: 'train', labels }), expected, 1e-5, 1e-6);
});

test('crossEntropy on logits (no softmax layer) is the log-softmax loss', () => {
  const model = dense(4, 'linear');
  const labels = Int32Array.from([1, 1, 0]);
  const expected = X.map((x, n) => {
    const z = affine(x, 4);
    return Math.log(z.reduce((s, v) => s + Math.exp(v), 0)) - z[labels[n]!]!;
  });
  expectArraysClose(losses(model, { kind: 'crossEntropy' }, X, { ids, split: 'train', labels }), expected, 1e-5, 1e-6);
});

test('crossEntropy on a single sigmoid unit is the binary cross-entropy', () => {
  const model = dense(1, 'sigmoid');
  const labels = [1, 0, 1];
  const expected = X.map((x, n) => {
    const p = 1 / (1 + Math.exp(-affine(x, 1)[0]!));
    return -Math.log(labels[n] === 1 ? p : 1 - p);
  });
  expectArraysClose(losses(model, { kind: 'crossEntropy' }, X, { ids, split: 'train', labels }), expected, 1e-5, 1e-6);
});

test('crossEntropy clips a vanishing probability at epsilon', () => {
  const model = tfl.sequential({ layers: [tfl.layers.dense({ inputShape: [1], units: 2, activation: 'softmax' })] });
  model.setWeights([tf.tensor2d([[200, -200]]), tf.tensor1d([0, 0])]);
  const result = losses(model, { kind: 'crossEntropy' }, [[1]], { ids: [0], split: 'train', labels: [1] });
  expectArraysClose(result, [-Math.log(CLIP_EPSILON)], 1e-5, 0);
});

test('flat data feeds an image model, and the target takes the output layout', () => {
  const model = tfl.sequential({
    layers: [tfl.layers.flatten({ inputShape: [2, 2, 1] }), tfl.layers.dense({ units: 4, useBias: false }), tfl.layers.reshape({ targetShape: [2, 2, 1] })],
  });
  model.setWeights([tf.mul(tf.eye(4), 2)]);
  const x = [[0.1, 0.2, 0.3, 0.4]];
  // output 2x, target x: loss = Σ x²
  expectArraysClose(losses(model, { kind: 'reconstruction' }, x, { ids: [0], split: 'train' }), [0.01 + 0.04 + 0.09 + 0.16], 1e-6, 0);
});

test('BatchNorm runs in inference mode: a batch does not change its own normalisation', () => {
  const model = tfl.sequential({ layers: [tfl.layers.batchNormalization({ inputShape: [3] })] });
  model.setWeights([tf.tensor1d([2, 1, 1]), tf.tensor1d([0, 0, 1]), tf.tensor1d([1, 0, 0]), tf.tensor1d([4, 1, 1])]);
  const expected = X.map((x) => {
    const y = [(2 * (x[0]! - 1)) / Math.sqrt(4.001), x[1]! / Math.sqrt(1.001), x[2]! / Math.sqrt(1.001) + 1];
    return y.reduce((s, v, j) => s + (v - x[j]!) ** 2, 0);
  });
  expectArraysClose(losses(model, { kind: 'reconstruction' }, X, { ids, split: 'train' }), expected, 1e-5, 1e-7);
});

test('bad inputs are rejected with the problem named', () => {
  const model = dense(3, 'linear');
  const classifier = dense(4, 'softmax');
  assert.throws(() => losses(model, { kind: 'reconstruction' }, X, { ids: [1, 2], split: 'train' }), /ids has 2 ids but x holds 3/);
  assert.throws(() => losses(classifier, { kind: 'crossEntropy' }, X, { ids, split: 'train' }), /needs batch.labels/);
  assert.throws(() => losses(classifier, { kind: 'crossEntropy' }, X, { ids, split: 'train', labels: [0, 1] }), /labels has 2 labels/);
  assert.throws(() => losses(classifier, { kind: 'crossEntropy' }, X, { ids, split: 'train', labels: [0, 4, 1] }), /labels\[1\] = 4 is not a class index of a model with 4 classes/);
  assert.throws(() => losses(classifier, { kind: 'crossEntropy' }, X, { ids, split: 'train', labels: [0, 1.5, 1] }), /labels\[1\] must be a non-negative integer/);
  assert.throws(() => losses(classifier, { kind: 'reconstruction' }, X, { ids, split: 'train' }), /output has shape \[3, 4\] and the input \[3, 3\]/);
  assert.throws(() => losses(model, { kind: 'vae' }, X, { ids, split: 'train' }), /"vae" loss needs the run.s decoder/);
  assert.throws(() => losses(model, { kind: 'denoising', noiseStd: -1 }, X, { ids, split: 'train' }), /noiseStd/);
  assert.throws(() => losses(model, { kind: 'inpainting', maskFraction: 2 }, X, { ids, split: 'train' }), /maskFraction/);
  assert.throws(() => losses(model, { kind: 'reconstruction' }, X, { ids: [0, -1, 2], split: 'train' }), /example id/);
  assert.throws(() => perExampleLoss(model, { kind: 'reconstruction' }, tf.tensor1d([1, 2, 3]), { ids: [0], split: 'train' }), /batch dimension/);
});

test('perExampleLoss leaves no tensors behind, also when it throws', async () => {
  const model = dense(3, 'linear');
  const classifier = dense(4, 'softmax');
  const x = tf.tensor2d(X);
  for (const loss of [{ kind: 'reconstruction' }, { kind: 'denoising', noiseStd: 0.1 }, { kind: 'inpainting', maskFraction: 0.5 }] as LossSpec[]) {
    await expectNoLeak(() => perExampleLoss(model, loss, x, { ids, split: 'train' }), (t) => t.dispose());
  }
  await expectNoLeak(() => perExampleLoss(classifier, { kind: 'crossEntropy' }, x, { ids, split: 'train', labels: [0, 1, 2] }), (t) => t.dispose());
  await expectNoLeak(() => assert.throws(() => perExampleLoss(classifier, { kind: 'crossEntropy' }, x, { ids, split: 'train', labels: [0, 9, 2] })));
  x.dispose();
});
