import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { influenceScores, type InfluenceInput } from '../../../src/engine/influence/influenceFunctions';
import { expectArraysClose, expectNoLeak } from './closeTo';
import { denseGradient, denseModel, dot, mseHessian, randomMatrix, softmaxHessian, solve, weightsOf, type Matrix } from './hessianOracle';

const D = 3;
const x = randomMatrix(8, D, 5);
const testX = randomMatrix(2, D, 6);
const labels = Int32Array.from([0, 1, 2, 3, 0, 1, 2, 3]);
const testLabels = Int32Array.from([2, 0]);
const split = (rows: Matrix): { values: Float32Array; count: number; exampleShape: number[] } => ({ values: Float32Array.from(rows.flat()), count: rows.length, exampleShape: [D] });

const affine = (row: number[], k: Matrix, b: number[]): number[] => b.map((bj, j) => bj + row.reduce((s, xi, i) => s + xi * k[i]![j]!, 0));

/** −g_tᵀ (H + shift·I)⁻¹ g_n, row-major [test, train]. */
function exactScores(h: Matrix, shift: number, gradient: (row: number[], label: number) => number[], trainLabels: ArrayLike<number>, tLabels: ArrayLike<number>): number[] {
  return testX.flatMap((t, i) => {
    const solved = solve(h, gradient(t, tLabels[i]!), shift);
    return x.map((row, n) => -dot(solved, gradient(row, trainLabels[n]!)));
  });
}

test('LiSSA influence of a linear autoencoder matches −∇L_tᵀ (H + λI)⁻¹ ∇L_n', async () => {
  await tf.setBackend('cpu');
  const model = denseModel(D, D, 'linear', 1);
  const { k, b } = weightsOf(model);
  const gradient = (row: number[]): number[] => denseGradient(row, affine(row, k, b).map((y, j) => 2 * (y - row[j]!)));
  const input: InfluenceInput = {
    model,
    loss: { kind: 'reconstruction' },
    train: split(x),
    test: { ...split(testX), ids: [0, 1] },
    method: { kind: 'lissa', options: { depth: 400, scale: 10, damping: 0.05, batchSize: 8 } },
    batchSize: 3,
  };
  const result = await expectNoLeak(() => influenceScores(input));
  assert.equal(result.hvpMode, 'doubleBackprop', result.hvpModeReason);
  assert.equal(result.lissaNormTraces.length, 2);
  const zeros = new Int32Array(8);
  expectArraysClose(result.scores, exactScores(mseHessian(x), 0.5, gradient, zeros, zeros), 2e-3, 2e-3, 'scores');
  model.dispose();
});

test('Arnoldi influence of a softmax classifier matches the exact inverse', async () => {
  const model = denseModel(D, 4, 'softmax', 2);
  const { k, b } = weightsOf(model);
  const gradient = (row: number[], label: number): number[] => {
    const z = affine(row, k, b);
    const e = z.map(Math.exp);
    const sum = e.reduce((s, v) => s + v, 0);
    return denseGradient(row, e.map((v, j) => v / sum - (j === label ? 1 : 0)));
  };
  const input: InfluenceInput = {
    model,
    loss: { kind: 'crossEntropy' },
    train: { ...split(x), labels },
    test: { ...split(testX), labels: testLabels, ids: [0, 1] },
    method: { kind: 'arnoldi', options: { iterations: 16, damping: 0.1, seed: 2 } },
    batchSize: 5,
  };
  const result = await expectNoLeak(() => influenceScores(input));
  expectArraysClose(result.scores, exactScores(softmaxHessian(x, k, b), 0.1, gradient, labels, testLabels), 1e-2, 1e-2, 'scores');
  model.dispose();
});

test('cancelling stops between batches without leaking tensors', async () => {
  const model = denseModel(D, D, 'linear', 1);
  const controller = new AbortController();
  const input: InfluenceInput = {
    model,
    loss: { kind: 'reconstruction' },
    train: split(x),
    test: { ...split(testX), ids: [0, 1] },
    method: { kind: 'arnoldi', options: { iterations: 4 } },
    batchSize: 2,
    signal: controller.signal,
    onProgress: (fraction) => {
      if (fraction > 0.5) controller.abort();
    },
  };
  const before = tf.memory().numTensors;
  await assert.rejects(influenceScores(input), { name: 'AbortError' });
  assert.equal(tf.memory().numTensors, before);
  await assert.rejects(influenceScores({ ...input, signal: undefined, test: { ...split(testX), ids: [0] } }), /test.ids/);
  model.dispose();
});
