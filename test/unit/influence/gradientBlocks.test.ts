import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import {
  concatBlocks,
  disposeBlocks,
  disposeReferenceBlocks,
  gradientDots,
  materializeBlock,
  referenceBlocks,
  type GradientBlock,
} from '../../../src/engine/influence/gradientBlocks';
import { perExampleGradientBlocks, perExampleGradients } from '../../../src/engine/influence/perExampleGradients';
import { expectArraysClose } from './closeTo';
import { convAutoencoder } from './models';

test('an outer block materialises to a ⊗ δ, row-major [in, out]', () => {
  const block: GradientBlock = { kind: 'outer', input: tf.tensor2d([[1, 2], [3, 4]]), delta: tf.tensor2d([[5, 6, 7], [0, 1, -1]]) };
  const values = materializeBlock(block);
  assert.deepEqual(values.arraySync(), [
    [5, 6, 7, 10, 12, 14],
    [0, 3, -3, 0, 4, -4],
  ]);
  values.dispose();
  disposeBlocks([block]);
});

test('factored Gram products equal η · G_train G_testᵀ of the flattened gradients, across concatenated batches', () => {
  const model = convAutoencoder(4);
  const loss = { kind: 'denoising' as const, noiseStd: 0.2, seed: 1 };
  const trainX = tf.randomUniform([5, 6, 6, 2], 0, 1, 'float32', 1);
  const testX = tf.randomUniform([3, 6, 6, 2], 0, 1, 'float32', 2);
  const before = tf.memory().numTensors;
  const trainOptions = { ids: [0, 1, 2, 3, 4], split: 'train' as const };
  const testOptions = { ids: [9, 4, 1], split: 'test' as const };

  const trainBlocks = perExampleGradientBlocks(model, loss, trainX, trainOptions).blocks;
  assert.ok(trainBlocks.some((b) => b.kind === 'outer'), 'the Dense kernel stays factored');
  const halves = tf.tidy(() => [
    perExampleGradientBlocks(model, loss, tf.slice(testX, 0, 1), { ids: [9], split: 'test' }).blocks,
    perExampleGradientBlocks(model, loss, tf.slice(testX, 1, 2), { ids: [4, 1], split: 'test' }).blocks,
  ]);
  const reference = tf.tidy(() => referenceBlocks(concatBlocks(halves), 0.25));
  const dots = gradientDots(trainBlocks, reference);

  const gTrain = perExampleGradients(model, loss, trainX, trainOptions).gradients;
  const gTest = perExampleGradients(model, loss, testX, testOptions).gradients;
  const expected = tf.tidy(() => tf.mul(tf.matMul(gTrain, gTest, false, true), 0.25));
  assert.deepEqual(dots.shape, [5, 3]);
  expectArraysClose(dots.dataSync(), expected.dataSync(), 1e-4, 1e-6, 'dots');

  tf.dispose([dots, gTrain, gTest, expected]);
  disposeReferenceBlocks(reference);
  disposeBlocks(trainBlocks);
  halves.forEach(disposeBlocks);
  assert.equal(tf.memory().numTensors, before, 'tensors leaked');
  tf.dispose([trainX, testX]);
});
