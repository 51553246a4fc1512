import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { featureAblation } from '../../../src/engine/attribution/featureAblation';
import { gridMask } from '../../../src/engine/attribution/featureMask';
import { occlusion } from '../../../src/engine/attribution/occlusion';
import { expectClose, expectNoLeak, seededValues } from '../metrics/testUtils';
import { linearFunction, useCpu, valuesOf } from './attributionTestUtils';

before(useCpu);

const [h, w, c] = [4, 5, 2];
const size = h * w * c;
const shape = [1, h, w, c];
const weights = seededValues(size, 41, -2, 2);
const fn = linearFunction(weights, 1.3);
const xValues = seededValues(size, 42, 0, 1);
const bValues = seededValues(size, 43, -0.3, 0.3);
const contribution = Float64Array.from(weights, (wi, i) => wi * (xValues[i]! - bValues[i]!));
const flat = (y: number, x: number, ch: number) => (y * w + x) * c + ch;

test('occlusion with a 1x1x1 window on a linear model equals (x - baseline) * w', async () => {
  await expectNoLeak(async () => {
    const x = tf.tensor(xValues, shape);
    const baseline = tf.tensor(bValues, shape);
    const result = await occlusion(fn, x, { window: [1, 1, 1], baseline, batchSize: 7 });
    expectClose(await valuesOf(result.attributions), contribution, 1e-5, 1e-5);
    tf.dispose([x, baseline, result.attributions]);
  });
});

test('occlusion averages the drop of every covering window (3x2 windows, strides 1x2, whole channels)', async () => {
  // For a linear model a window's drop is the sum of its features' contributions.
  const [wh, ww, sh, sw] = [3, 2, 1, 2];
  const sums = new Float64Array(size);
  const counts = new Float64Array(size);
  for (let y0 = 0; y0 + wh <= h; y0 += sh) {
    for (let x0 = 0; x0 + ww <= w; x0 += sw) {
      let drop = 0;
      for (let y = y0; y < y0 + wh; y++) for (let x = x0; x < x0 + ww; x++) for (let ch = 0; ch < c; ch++) drop += contribution[flat(y, x, ch)]!;
      for (let y = y0; y < y0 + wh; y++) for (let x = x0; x < x0 + ww; x++) for (let ch = 0; ch < c; ch++) {
        sums[flat(y, x, ch)] += drop;
        counts[flat(y, x, ch)]++;
      }
    }
  }
  const expected = sums.map((s, i) => (counts[i]! > 0 ? s / counts[i]! : 0));
  assert.ok(counts.some((n) => n === 0), 'the last column is never covered, which the oracle must show as 0');
  await expectNoLeak(async () => {
    const x = tf.tensor(xValues, shape);
    const baseline = tf.tensor(bValues, shape);
    const result = await occlusion(fn, x, { window: [wh, ww], strides: [sh, sw], baseline });
    expectClose(await valuesOf(result.attributions), expected, 1e-5, 1e-5);
    tf.dispose([x, baseline, result.attributions]);
  });
});

test('occlusion validates window and strides by name', async () => {
  const x = tf.tensor(xValues, shape);
  await assert.rejects(occlusion(fn, x, { window: [5, 1] }), /window\[0\] must be an integer in \[1, 4\]/);
  await assert.rejects(occlusion(fn, x, { window: [1, 1], strides: [1] }), /strides must have the same length as window/);
  await assert.rejects(occlusion(fn, x, { window: [1, 1, 1, 1] }), /window must list 1 to 3 sizes/);
  await assert.rejects(occlusion(fn, x, { window: [1, 1], baseline: tf.zeros([1, 4, 5]) }), /baseline has shape \[1, 4, 5\]/);
  x.dispose();
});

test('feature ablation credits each group with the sum of its contributions (grid cells over channels)', async () => {
  const mask = gridMask([h, w, c], 2, 2);
  const groups = Math.max(...mask) + 1;
  assert.equal(groups, 2 * 3);
  const perGroup = new Float64Array(groups);
  mask.forEach((g, i) => (perGroup[g] += contribution[i]!));
  await expectNoLeak(async () => {
    const x = tf.tensor(xValues, shape);
    const baseline = tf.tensor(bValues, shape);
    const result = await featureAblation(fn, x, { featureMask: mask, baseline, batchSize: 4 });
    expectClose(result.featureValues, perGroup, 1e-5, 1e-5);
    expectClose(await valuesOf(result.attributions), Array.from(mask, (g) => perGroup[g]!), 1e-5, 1e-5);
    tf.dispose([x, baseline, result.attributions]);
  });
});

test('feature ablation accepts a non-contiguous tensor mask and rejects bad masks by name', async () => {
  const ids = Array.from({ length: size }, (_, i) => (i % 3) * 10 + 5);
  await expectNoLeak(async () => {
    const x = tf.tensor(xValues, shape);
    const maskTensor = tf.tensor(ids, shape, 'int32');
    const result = await featureAblation(fn, x, { featureMask: maskTensor, baseline: 0.25 });
    const expected = [0, 1, 2].map((g) => ids.reduce((s, id, i) => s + (id === g * 10 + 5 ? weights[i]! * (xValues[i]! - 0.25) : 0), 0));
    expectClose(result.featureValues, expected, 1e-5, 1e-5);
    tf.dispose([x, maskTensor, result.attributions]);
  });
  const x = tf.tensor(xValues, shape);
  await assert.rejects(featureAblation(fn, x, { featureMask: [1, 2, 3] }), /featureMask has 3 entries but one example of input has 40/);
  await assert.rejects(featureAblation(fn, x, { featureMask: new Array(size).fill(-1) }), /featureMask must hold non-negative integer ids, got -1/);
  x.dispose();
});
