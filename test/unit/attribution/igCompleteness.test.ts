import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { buildDenoisingAutoencoder } from '../../../demo/template/models';
import { integratedGradients } from '../../../src/engine/attribution/integratedGradients';
import type { QuadratureRule } from '../../../src/engine/attribution/quadrature';
import { encoderFromModel, labelFreeTarget } from '../../../src/engine/attribution/targets';
import type { ScalarFunction } from '../../../src/engine/attribution/types';
import { expectClose, expectNoLeak, seededValues } from '../metrics/testUtils';
import { tanhMlp, useCpu, valuesOf } from './attributionTestUtils';

before(useCpu);

async function completenessError(fn: ScalarFunction, x: tf.Tensor, baseline: tf.Tensor, rule: QuadratureRule, steps: number): Promise<number> {
  const result = await integratedGradients(fn, x, baseline, { rule, steps });
  result.attributions.dispose();
  return Math.abs(result.completeness!.sum - result.completeness!.expected);
}

test('IG completeness on a tanh MLP improves with steps, and Gauss-Legendre converges faster than Riemann left', async () => {
  const fn = tanhMlp(6, 8, 3, 1.5);
  await expectNoLeak(async () => {
    const x = tf.tensor(seededValues(6, 9, -1, 1), [1, 6]);
    const baseline = tf.zerosLike(x);
    const stepsList = [4, 8, 16, 32, 64];
    const left = [];
    const trapezoid = [];
    const gauss = [];
    for (const steps of stepsList) {
      left.push(await completenessError(fn, x, baseline, 'riemann_left', steps));
      trapezoid.push(await completenessError(fn, x, baseline, 'riemann_trapezoid', steps));
      gauss.push(await completenessError(fn, x, baseline, 'gauss_legendre', steps));
    }
    for (let i = 1; i < stepsList.length; i++) {
      assert.ok(left[i]! < left[i - 1]!, `riemann_left does not improve: ${left}`);
      assert.ok(trapezoid[i]! < trapezoid[i - 1]!, `riemann_trapezoid does not improve: ${trapezoid}`);
    }
    // First order: doubling the steps about halves the left-rule error.
    for (let i = 1; i < stepsList.length; i++) assert.ok(left[i]! / left[i - 1]! > 0.4 && left[i]! / left[i - 1]! < 0.65, `left ratios: ${left}`);
    for (let i = 0; i < stepsList.length; i++) assert.ok(gauss[i]! < left[i]!, `gauss ${gauss[i]} >= left ${left[i]} at ${stepsList[i]} steps`);
    assert.ok(gauss[1]! < left[4]! / 100, `8-node Gauss-Legendre (${gauss[1]}) should beat 64-step Riemann left (${left[4]}) by 100x`);
    tf.dispose([x, baseline]);
  });
});

test('label-free IG on the demo encoder (zero baseline, 64 steps) is complete to 1%, and its sum is |f(x)|^2 - <f(x), f(0)>', async () => {
  const model = buildDenoisingAutoencoder(1);
  const encoder = encoderFromModel(model, 'enc_latent');
  for (const seed of [1, 2]) {
    await expectNoLeak(async () => {
      const x = tf.tensor(seededValues(784, seed, 0, 1), [1, 28, 28, 1]);
      const baseline = tf.zerosLike(x);
      const target = labelFreeTarget(encoder, x);
      const result = await integratedGradients(target.fn, x, baseline, { steps: 64 });
      const { sum, expected } = result.completeness!;
      assert.ok(Math.abs(sum - expected) <= 0.01 * Math.abs(expected), `sum ${sum} vs expected ${expected}`);
      // Proposition 2.3: label-free completeness, checked against the encoder directly.
      const [fxTensor, f0Tensor] = [encoder(x), encoder(baseline)];
      const fx = await valuesOf(fxTensor);
      const f0 = await valuesOf(f0Tensor);
      tf.dispose([fxTensor, f0Tensor]);
      const direct = fx.reduce((s, v, j) => s + v * v - v * f0[j]!, 0);
      expectClose(expected, direct, 1e-7, 1e-4);
      assert.equal(Math.abs(expected) > 1e-6, true, 'a vanishing expected value would make the 1% check empty');
      tf.dispose([x, baseline, result.attributions]);
      target.dispose();
    });
  }
  model.dispose();
});
