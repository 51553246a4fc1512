import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { lime, limeDistance } from '../../../src/engine/attribution/lime';
import { expectClose, expectNoLeak, seededValues } from '../metrics/testUtils';
import { linearFunction, tanhMlp, useCpu, valuesOf } from './attributionTestUtils';

before(useCpu);

const d = 12;
const weights = seededValues(d, 101, -2, 2);
const fn = linearFunction(weights, 0.4);
const xValues = seededValues(d, 102, 0, 1);
const bValues = seededValues(d, 103, -0.3, 0.3);
const identity = Int32Array.from({ length: d }, (_, i) => i);

test('LIME distances: cosine and Hamming to the all-present coalition', () => {
  expectClose(limeDistance('cosine', 16, 16), 0, 1e-15, 0);
  expectClose(limeDistance('cosine', 4, 16), 0.5, 1e-15, 0);
  expectClose(limeDistance('cosine', 0, 16), 1, 0, 0);
  expectClose(limeDistance('hamming', 4, 16), 0.75, 1e-15, 0);
});

test('LIME with a least-squares surrogate recovers the coefficients w_i (x_i - b_i) of a linear model', async () => {
  for (const distance of ['cosine', 'hamming'] as const) {
    await expectNoLeak(async () => {
      const x = tf.tensor(xValues, [1, d]);
      const baseline = tf.tensor(bValues, [1, d]);
      const result = await lime(fn, x, { featureMask: identity, baseline, samples: 100, seed: 1, distance, batchSize: 30 });
      expectClose(result.featureValues, Array.from(weights, (w, i) => w * (xValues[i]! - bValues[i]!)), 1e-5, 1e-5);
      const atBaseline = bValues.reduce((s, b, i) => s + b * weights[i]!, 0.4);
      expectClose(result.intercept, atBaseline, 1e-5, 1e-5);
      expectClose(await valuesOf(result.attributions), result.featureValues, 1e-6, 1e-6);
      tf.dispose([x, baseline, result.attributions]);
    });
  }
});

test('LIME over feature groups recovers each group total; a small-alpha Lasso nearly does', async () => {
  const mask = Int32Array.from({ length: d }, (_, i) => Math.floor(i / 3));
  const expected = [0, 1, 2, 3].map((g) => Array.from(weights).reduce((s, w, i) => s + (mask[i] === g ? w * xValues[i]! : 0), 0));
  await expectNoLeak(async () => {
    const x = tf.tensor(xValues, [1, d]);
    const ls = await lime(fn, x, { featureMask: mask, samples: 60, seed: 2 });
    expectClose(ls.featureValues, expected, 1e-5, 1e-5);
    const lasso = await lime(fn, x, { featureMask: mask, samples: 60, seed: 2, surrogate: 'lasso', alpha: 1e-6 });
    expectClose(lasso.featureValues, expected, 1e-3, 1e-3);
    const sparse = await lime(fn, x, { featureMask: mask, samples: 60, seed: 2, surrogate: 'lasso', alpha: 1e3 });
    assert.deepEqual(Array.from(sparse.featureValues), [0, 0, 0, 0]);
    tf.dispose([x, ls.attributions, lasso.attributions, sparse.attributions]);
  });
});

test('LIME is reproducible under a seed and differs across seeds on a nonlinear model', async () => {
  const mlp = tanhMlp(d, 5, 104, 2);
  await expectNoLeak(async () => {
    const x = tf.tensor(xValues, [1, d]);
    const a = await lime(mlp, x, { featureMask: identity, samples: 50, seed: 7 });
    const b = await lime(mlp, x, { featureMask: identity, samples: 50, seed: 7, batchSize: 9 });
    const c = await lime(mlp, x, { featureMask: identity, samples: 50, seed: 8 });
    assert.deepEqual(Array.from(a.featureValues), Array.from(b.featureValues));
    assert.notDeepEqual(Array.from(a.featureValues), Array.from(c.featureValues));
    tf.dispose([x, a.attributions, b.attributions, c.attributions]);
  });
});

test('LIME validates its settings by name', async () => {
  const x = tf.tensor(xValues, [1, d]);
  await assert.rejects(lime(fn, x, { featureMask: identity, samples: 1 }), /samples must be an integer in \[2/);
  await assert.rejects(lime(fn, x, { featureMask: identity, kernelWidth: 0 }), /kernelWidth must be > 0/);
  await assert.rejects(lime(fn, x, { featureMask: identity, distance: 'l2' as never }), /distance must be one of cosine, hamming/);
  await assert.rejects(lime(fn, x, { featureMask: identity, surrogate: 'ridge' as never }), /surrogate must be one of least_squares, lasso/);
  x.dispose();
});
