import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { gradientShap } from '../../../src/engine/attribution/gradientShap';
import { integratedGradients } from '../../../src/engine/attribution/integratedGradients';
import { QUADRATURE_RULES } from '../../../src/engine/attribution/quadrature';
import { gradientTimesInput, saliency } from '../../../src/engine/attribution/saliency';
import { expectClose, expectNoLeak, seededValues } from '../metrics/testUtils';
import { elementwise, linearFunction, useCpu, valuesOf } from './attributionTestUtils';

before(useCpu);

const shape = [1, 3, 4];
const weights = seededValues(12, 1, -2, 2);
const fn = linearFunction(weights, 0.7);
const xValues = seededValues(12, 2, 0, 1);
const bValues = seededValues(12, 3, -0.5, 0.5);

test('saliency of a linear model is its weight vector, signed or absolute', async () => {
  await expectNoLeak(async () => {
    const x = tf.tensor(xValues, shape);
    const signed = await saliency(fn, x);
    const absolute = await saliency(fn, x, { absolute: true });
    assert.deepEqual(signed.attributions.shape, shape);
    expectClose(await valuesOf(signed.attributions), weights, 1e-6, 1e-6);
    expectClose(await valuesOf(absolute.attributions), weights.map(Math.abs), 1e-6, 1e-6);
    tf.dispose([x, signed.attributions, absolute.attributions]);
  });
});

test('gradient x input of a linear model is x * w', async () => {
  await expectNoLeak(async () => {
    const x = tf.tensor(xValues, shape);
    const result = await gradientTimesInput(fn, x);
    expectClose(await valuesOf(result.attributions), elementwise(xValues, weights, (a, b) => a * b), 1e-6, 1e-6);
    tf.dispose([x, result.attributions]);
  });
});

test('integrated gradients of a linear model are (x - baseline) * w under every rule', async () => {
  const expected = elementwise(xValues, bValues, (a, b) => a - b).map((d, i) => d * weights[i]!);
  const expectedSum = expected.reduce((a, b) => a + b, 0);
  for (const rule of QUADRATURE_RULES) {
    for (const steps of [2, 5, 13]) {
      await expectNoLeak(async () => {
        const x = tf.tensor(xValues, shape);
        const b = tf.tensor(bValues, shape);
        const result = await integratedGradients(fn, x, b, { rule, steps, batchSize: 4 });
        expectClose(await valuesOf(result.attributions), expected, 1e-5, 1e-5);
        expectClose(result.completeness!.sum, expectedSum, 1e-5, 1e-5);
        expectClose(result.completeness!.expected, expectedSum, 1e-5, 1e-5);
        tf.dispose([x, b, result.attributions]);
      });
    }
  }
});

test('integrated gradients reject mismatched baselines and batched inputs by name', async () => {
  const x = tf.tensor(xValues, shape);
  const wrong = tf.zeros([1, 12]);
  const batch = tf.zeros([2, 3, 4]);
  await assert.rejects(integratedGradients(fn, x, wrong), /baseline has shape \[1, 12\] but input has shape \[1, 3, 4\]/);
  await assert.rejects(integratedGradients(fn, batch, batch), /input must have shape \[1, \.\.\.exampleShape\]/);
  await assert.rejects(integratedGradients(fn, x, x, { steps: 0 }), /steps must be an integer/);
  await assert.rejects(integratedGradients(fn, x, x, { batchSize: 0 }), /batchSize must be an integer/);
  tf.dispose([x, wrong, batch]);
});

test('a target that does not return one value per example is reported', async () => {
  const x = tf.tensor(xValues, shape);
  const scalarFn = (t: tf.Tensor) => tf.sum(t) as unknown as tf.Tensor1D;
  await assert.rejects(saliency(scalarFn, x), /target function must map a batch of 1 to shape \[1\], got \[\]/);
  x.dispose();
});

test('GradientSHAP on a linear model averages to (x - E[b]) * w within sampling error', async () => {
  const k = 7;
  const sigma = 0.2;
  const samples = 3000;
  const setValues = seededValues(k * 12, 4, -1, 1);
  const mean = new Float64Array(12);
  const variance = new Float64Array(12);
  for (let j = 0; j < k; j++) for (let i = 0; i < 12; i++) mean[i] += setValues[j * 12 + i]! / k;
  for (let j = 0; j < k; j++) for (let i = 0; i < 12; i++) variance[i] += (setValues[j * 12 + i]! - mean[i]!) ** 2 / k;
  await expectNoLeak(async () => {
    const x = tf.tensor(xValues, shape);
    const set = tf.tensor(setValues, [k, 3, 4]);
    const result = await gradientShap(fn, x, set, { samples, sigma, seed: 11, batchSize: 256 });
    const got = await valuesOf(result.attributions);
    for (let i = 0; i < 12; i++) {
      const expected = (xValues[i]! - mean[i]!) * weights[i]!;
      // The estimate is w_i (x_i + mean noise - mean sampled baseline): its standard error is known.
      const standardError = Math.abs(weights[i]!) * Math.sqrt((sigma * sigma + variance[i]!) / samples);
      assert.ok(Math.abs(got[i]! - expected) <= 4 * standardError + 1e-6, `feature ${i}: ${got[i]} vs ${expected} (se ${standardError})`);
    }
    const expectedTotal = Array.from(xValues).reduce((s, v, i) => s + (v - mean[i]!) * weights[i]!, 0);
    expectClose(result.completeness!.expected, expectedTotal, 1e-5, 1e-5);
    tf.dispose([x, set, result.attributions]);
  });
});

test('GradientSHAP is reproducible under a seed and independent of the batch size', async () => {
  await expectNoLeak(async () => {
    const x = tf.tensor(xValues, shape);
    const set = tf.tensor(seededValues(3 * 12, 5, 0, 1), [3, 3, 4]);
    const a = await gradientShap(fn, x, set, { samples: 20, sigma: 0.1, seed: 3, batchSize: 7 });
    const b = await gradientShap(fn, x, set, { samples: 20, sigma: 0.1, seed: 3, batchSize: 20 });
    const c = await gradientShap(fn, x, set, { samples: 20, sigma: 0.1, seed: 4 });
    expectClose(await valuesOf(a.attributions), await valuesOf(b.attributions), 1e-6, 1e-5);
    assert.notDeepEqual(Array.from(await valuesOf(a.attributions)), Array.from(await valuesOf(c.attributions)));
    tf.dispose([x, set, a.attributions, b.attributions, c.attributions]);
  });
});

test('GradientSHAP rejects a baseline set of the wrong shape', async () => {
  const x = tf.tensor(xValues, shape);
  const set = tf.zeros([3, 4, 3]);
  await assert.rejects(gradientShap(fn, x, set), /baselineSet must have shape \[K, 3, 4\]/);
  tf.dispose([x, set]);
});
