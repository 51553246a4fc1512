import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { arnoldiInverse } from '../../../src/engine/influence/arnoldi';
import { hessianOperator } from '../../../src/engine/influence/hessian';
import { influenceSelfInfluence, tracInSelfInfluence } from '../../../src/engine/influence/selfInfluence';
import { expectArraysClose, expectNoLeak } from './closeTo';
import { denseGradient, denseModel, dot, randomMatrix, softmaxHessian, solve, weightsOf, type Matrix } from './hessianOracle';

const D = 3;
const x = randomMatrix(8, D, 5);
const labels = Int32Array.from([0, 1, 2, 3, 0, 1, 2, 3]);
const train = { values: Float32Array.from(x.flat()), count: x.length, exampleShape: [D], labels };

function softmaxGradient(k: Matrix, b: number[], row: number[], label: number): number[] {
  const e = b.map((bj, j) => Math.exp(bj + row.reduce((s, xi, i) => s + xi * k[i]![j]!, 0)));
  const sum = e.reduce((s, v) => s + v, 0);
  return denseGradient(row, e.map((v, j) => v / sum - (j === label ? 1 : 0)));
}

test('influence self-influence equals ∇L_nᵀ (H + damping·I)⁻¹ ∇L_n', async () => {
  await tf.setBackend('cpu');
  const model = denseModel(D, 4, 'softmax', 2);
  const { k, b } = weightsOf(model);
  const op = hessianOperator(model, { kind: 'crossEntropy' }, train);
  const inverse = arnoldiInverse(op, { iterations: op.parameterCount, damping: 0.1, seed: 2 });
  const scores = await expectNoLeak(() => influenceSelfInfluence(model, { kind: 'crossEntropy' }, train, inverse, { batchSize: 3 }));
  const h = softmaxHessian(x, k, b);
  const expected = x.map((row, n) => {
    const g = softmaxGradient(k, b, row, labels[n]!);
    return dot(g, solve(h, g, 0.1));
  });
  expectArraysClose(scores, expected, 1e-2, 1e-3, 'self-influence');
  model.dispose();
});

test('TracIn self-influence equals Σ_c η_c ‖∇L_n(θ_c)‖²', async () => {
  const models = [denseModel(D, 4, 'softmax', 2), denseModel(D, 4, 'softmax', 7)];
  const rates = [0.1, 0.02];
  const checkpoints = models.map((model, c) => ({ model, learningRate: rates[c]! }));
  const scores = await expectNoLeak(() => tracInSelfInfluence(checkpoints, { kind: 'crossEntropy' }, train, { batchSize: 5 }));
  const expected = x.map((row, n) =>
    models.reduce((s, model, c) => {
      const { k, b } = weightsOf(model);
      const g = softmaxGradient(k, b, row, labels[n]!);
      return s + rates[c]! * dot(g, g);
    }, 0),
  );
  expectArraysClose(scores, expected, 1e-4, 1e-6, 'self-influence');
  await assert.rejects(tracInSelfInfluence([], { kind: 'crossEntropy' }, train), /checkpoints must be a non-empty list/);
  const controller = new AbortController();
  controller.abort();
  await assert.rejects(tracInSelfInfluence(checkpoints, { kind: 'crossEntropy' }, train, { signal: controller.signal }), { name: 'AbortError' });
  models.forEach((m) => m.dispose());
});
