import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { averageSaliencyEntropy, saliencyEntropy } from '../../../src/engine/metrics';
import { expectClose, expectNoLeak } from './testUtils';

test('one unit per feature gives entropy 0; all units equal gives ln d_H', () => {
  // Feature i is seen by unit i only (signs do not matter).
  const oneHot = [
    [2, 0, 0],
    [0, -3, 0],
    [0, 0, 0.5],
  ];
  const result = saliencyEntropy(oneHot, { relativeThreshold: 0 });
  assert.equal(result.mean, 0);
  assert.equal(result.salientCount, 3);
  expectClose(result.maxEntropy, Math.log(3), 1e-12, 0);
  const uniform = [
    [1, -2, 0.5, 4],
    [-1, 2, 0.5, 4],
    [1, 2, -0.5, -4],
    [1, 2, 0.5, 4],
  ];
  const flat = saliencyEntropy(uniform);
  expectClose(flat.mean, Math.log(4), 1e-12, 0);
  expectClose(flat.maxEntropy, Math.log(4), 1e-12, 0);
});

test('entropy per feature on a hand-made mixture, non-salient features excluded', () => {
  const maps = [
    [1, 3, 0, 1e-9],
    [1, 1, 0, 0],
  ];
  const result = saliencyEntropy(maps, { relativeThreshold: 1e-3 });
  const h = (p: number[]): number => -p.reduce((s, v) => s + (v > 0 ? v * Math.log(v) : 0), 0);
  // Feature 2 is zero everywhere and feature 3 is below 1e-3 of the largest total (4).
  assert.equal(result.salientCount, 2);
  expectClose(result.perFeature[0]!, Math.log(2), 1e-12, 0);
  expectClose(result.perFeature[1]!, h([0.75, 0.25]), 1e-12, 0);
  assert.ok(Number.isNaN(result.perFeature[2]!) && Number.isNaN(result.perFeature[3]!));
  expectClose(result.mean, (Math.log(2) + h([0.75, 0.25])) / 2, 1e-12, 0);
  // With no threshold the paper's definition (non-zero for some unit) keeps feature 3: entropy 0.
  assert.equal(saliencyEntropy(maps, { relativeThreshold: 0 }).salientCount, 3);
});

test('average entropy over examples skips examples without salient features', async () => {
  const examples = [
    [tf.tensor1d([1, 0]), tf.tensor1d([0, 1])],
    [new Float32Array([1, 1]), new Float32Array([1, 1])],
    [
      [0, 0],
      [0, 0],
    ],
  ];
  await expectNoLeak(() => {
    const result = averageSaliencyEntropy(examples);
    expectClose(result.mean, Math.log(2) / 2, 1e-12, 0);
    assert.equal(result.skippedExamples, 1);
    assert.equal(result.perExample.length, 3);
    assert.ok(Number.isNaN(result.perExample[2]!));
  });
  tf.dispose(examples[0] as tf.Tensor[]);
});

test('entropy validates its inputs', () => {
  assert.throws(() => saliencyEntropy([[1, 2]]), /unitMaps must hold at least 2 maps/);
  assert.throws(() => saliencyEntropy([[1, 2], [1]]), /unitMaps\[1\] has 1 values but unitMaps\[0\] has 2/);
  assert.throws(() => saliencyEntropy([[1, 2], [1, 2]], { relativeThreshold: 1 }), /relativeThreshold must be in \[0, 1\)/);
  assert.throws(() => averageSaliencyEntropy([[[1], [1]], [[1], [1], [1]]]), /examples\[1\] has 3 units but examples\[0\] has 2/);
  assert.throws(() => averageSaliencyEntropy([]), /examples must be a non-empty list/);
});
