import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { integratedGradients } from '../../../src/engine/attribution/integratedGradients';
import { gradientTimesInputMethod, saliency, saliencyMethod } from '../../../src/engine/attribution/saliency';
import { smoothGrad } from '../../../src/engine/attribution/smoothGrad';
import type { AttributionMethod } from '../../../src/engine/attribution/method';
import type { ScalarFunction } from '../../../src/engine/attribution/types';
import { expectClose, expectNoLeak, seededValues } from '../metrics/testUtils';
import { linearFunction, tanhMlp, useCpu } from './attributionTestUtils';

before(useCpu);

const shape = [1, 2, 5];
const weights = seededValues(10, 31, -2, 2);
const linear = linearFunction(weights, 0.3);
const mlp = tanhMlp(10, 6, 32);
const xValues = seededValues(10, 33, 0, 1);
/** f(x) = sum x^2: saliency 2x, so at x + e it is 2(x + e). */
const square: ScalarFunction = (x) => tf.tidy(() => tf.sum(tf.reshape(tf.square(x), [x.shape[0]!, -1]), 1) as tf.Tensor1D);

async function run(promise: Promise<{ attributions: tf.Tensor }>): Promise<Float32Array> {
  const result = await promise;
  const values = Float32Array.from(await result.attributions.data());
  result.attributions.dispose();
  return values;
}

test('with sigma = 0 SmoothGrad equals the base method (batched and per-sample bases)', async () => {
  await expectNoLeak(async () => {
    const x = tf.tensor(xValues, shape);
    const baseline = tf.zerosLike(x);
    const ig: AttributionMethod = (input, options) => integratedGradients(mlp, input, baseline, { ...options, steps: 8 });
    expectClose(await run(smoothGrad(ig, x, { sigma: 0, samples: 3 })), await run(ig(x, {})), 1e-6, 1e-5);
    expectClose(await run(smoothGrad(saliencyMethod(mlp), x, { sigma: 0, samples: 5, batchSize: 2 })), await run(saliency(mlp, x)), 1e-6, 1e-5);
    const squared = await run(saliency(mlp, x));
    expectClose(await run(smoothGrad(saliencyMethod(mlp), x, { sigma: 0, samples: 4, mode: 'smoothgrad_sq' })), squared.map((v) => v * v), 1e-6, 1e-5);
    tf.dispose([x, baseline]);
  });
});

test('SmoothGrad of a linear model: mean w, mean of squares w^2, vargrad 0', async () => {
  await expectNoLeak(async () => {
    const x = tf.tensor(xValues, shape);
    expectClose(await run(smoothGrad(saliencyMethod(linear), x, { sigma: 0.5, samples: 20 })), weights, 1e-5, 1e-5);
    expectClose(await run(smoothGrad(saliencyMethod(linear), x, { sigma: 0.5, samples: 20, mode: 'smoothgrad_sq' })), weights.map((v) => v * v), 1e-5, 1e-5);
    expectClose(await run(smoothGrad(saliencyMethod(linear), x, { sigma: 0.5, samples: 20, mode: 'vargrad' })), new Float32Array(10), 1e-5, 0);
    tf.dispose([x]);
  });
});

test('SmoothGrad of sum x^2 recovers E[2(x + e)] = 2x and vargrad 4 sigma^2 within sampling error', async () => {
  const sigma = 0.3;
  const samples = 800;
  await expectNoLeak(async () => {
    const x = tf.tensor(xValues, shape);
    const mean = await run(smoothGrad(saliencyMethod(square), x, { sigma, samples, seed: 5, batchSize: 100 }));
    const variance = await run(smoothGrad(saliencyMethod(square), x, { sigma, samples, seed: 5, mode: 'vargrad', batchSize: 100 }));
    for (let i = 0; i < 10; i++) {
      // Standard errors: 2 sigma / sqrt(n) for the mean, 4 sigma^2 sqrt(2 / n) for the variance.
      assert.ok(Math.abs(mean[i]! - 2 * xValues[i]!) < 4 * ((2 * sigma) / Math.sqrt(samples)), `mean ${i}: ${mean[i]}`);
      assert.ok(Math.abs(variance[i]! - 4 * sigma * sigma) < 4 * 4 * sigma * sigma * Math.sqrt(2 / samples), `vargrad ${i}: ${variance[i]}`);
    }
    tf.dispose([x]);
  });
});

test('SmoothGrad is reproducible under a seed, differs across seeds, and wraps gradient x input', async () => {
  await expectNoLeak(async () => {
    const x = tf.tensor(xValues, shape);
    const a = await run(smoothGrad(gradientTimesInputMethod(mlp), x, { sigma: 0.2, samples: 10, seed: 1, batchSize: 3 }));
    const b = await run(smoothGrad(gradientTimesInputMethod(mlp), x, { sigma: 0.2, samples: 10, seed: 1, batchSize: 10 }));
    const c = await run(smoothGrad(gradientTimesInputMethod(mlp), x, { sigma: 0.2, samples: 10, seed: 2 }));
    expectClose(a, b, 1e-6, 1e-5);
    assert.notDeepEqual(Array.from(a), Array.from(c));
    tf.dispose([x]);
  });
});

test('SmoothGrad validates its settings by name', async () => {
  const x = tf.tensor(xValues, shape);
  await assert.rejects(smoothGrad(saliencyMethod(linear), x, { samples: 0 }), /samples must be an integer/);
  await assert.rejects(smoothGrad(saliencyMethod(linear), x, { sigma: -1 }), /sigma must be a finite number >= 0/);
  await assert.rejects(smoothGrad(saliencyMethod(linear), x, { mode: 'median' as never }), /mode must be one of smoothgrad, smoothgrad_sq, vargrad/);
  x.dispose();
});
