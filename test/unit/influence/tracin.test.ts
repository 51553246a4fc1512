import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import '@tensorflow/tfjs-backend-cpu';
import { exampleGaussianNoise } from '../../../src/engine/losses/exampleRandom';
import { topProponentsOpponents, tracInScores, type TracInInput } from '../../../src/engine/influence/tracin';
import type { LossSpec } from '../../../src/protocol/manifest';
import { expectArraysClose } from './closeTo';

type Matrix = number[][];

function randomMatrix(rows: number, cols: number, seed: number, scale = 0.5): Matrix {
  let state = seed;
  const next = (): number => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return (state / 2 ** 32 - 0.5) * 2 * scale;
  };
  return Array.from({ length: rows }, () => Array.from({ length: cols }, next));
}

const dot = (a: number[], b: number[]): number => a.reduce((s, v, i) => s + v * b[i]!, 0);
/** x K + b, with K stored [in, out] as in tfjs. */
const affine = (x: number[], k: Matrix, b: number[]): number[] => b.map((bj, j) => bj + x.reduce((s, xi, i) => s + xi * k[i]![j]!, 0));
/** The flattened gradient of a Dense layer: kernel a ⊗ δ (row-major [in, out]), then bias δ. */
const denseGradient = (a: number[], delta: number[]): number[] => [...a.flatMap((ai) => delta.map((dj) => ai * dj)), ...delta];

function denseModel(units: number, inputs: number, activation: 'linear' | 'softmax', k: Matrix, b: number[]): tfl.Sequential {
  const model = tfl.sequential({ layers: [tfl.layers.dense({ name: 'd', inputShape: [inputs], units, activation })] });
  model.setWeights([tf.tensor2d(k), tf.tensor1d(b)]);
  return model;
}

const D = 3;
const trainX = randomMatrix(7, D, 1, 1);
const testX = randomMatrix(2, D, 2, 1);
const testIds = [5, 2];
const rates = [0.1, 0.03];
const weights = [0, 1].map((c) => ({ k: randomMatrix(D, D, 10 + c), b: randomMatrix(1, D, 20 + c)[0]! }));

function input(models: tfl.LayersModel[], loss: LossSpec, extra: Partial<TracInInput> = {}): TracInInput {
  return {
    checkpoints: models.map((model, c) => ({ model, learningRate: rates[c]! })),
    loss,
    train: { values: Float32Array.from(trainX.flat()), count: trainX.length, exampleShape: [D] },
    test: { values: Float32Array.from(testX.flat()), count: testX.length, exampleShape: [D], ids: testIds },
    batchSize: 3,
    ...extra,
  };
}

/** Σ_c η_c <g_c(test t), g_c(train n)>, row-major [test, train]. */
function handScores(gradient: (c: number, x: number[], split: 'train' | 'test', id: number) => number[]): number[] {
  return testX.flatMap((xt, t) =>
    trainX.map((xn, n) => rates.reduce((s, rate, c) => s + rate * dot(gradient(c, xt, 'test', testIds[t]!), gradient(c, xn, 'train', n)), 0)),
  );
}

test('reconstruction of a linear layer: scores equal Σ_c η_c <∇L_t, ∇L_n> with ∇K = 2 x (xK + b - x)ᵀ', async () => {
  const models = weights.map(({ k, b }) => denseModel(D, D, 'linear', k, b));
  const expected = handScores((c, x) => {
    const r = affine(x, weights[c]!.k, weights[c]!.b).map((y, j) => y - x[j]!);
    return denseGradient(x, r.map((v) => 2 * v));
  });
  const scores = await tracInScores(input(models, { kind: 'reconstruction' }));
  expectArraysClose(scores, expected, 1e-4, 1e-6, 'scores');
});

test('denoising: each example is corrupted by its own (split, id) noise, the target stays clean', async () => {
  const models = weights.map(({ k, b }) => denseModel(D, D, 'linear', k, b));
  const loss: LossSpec = { kind: 'denoising', noiseStd: 0.5, seed: 9 };
  const expected = handScores((c, x, split, id) => {
    const noise = exampleGaussianNoise(9, split, id, D, 0.5);
    const noisy = x.map((v, i) => v + noise[i]!);
    const r = affine(noisy, weights[c]!.k, weights[c]!.b).map((y, j) => y - x[j]!);
    return denseGradient(noisy, r.map((v) => 2 * v));
  });
  const scores = await tracInScores(input(models, loss));
  expectArraysClose(scores, expected, 1e-4, 1e-6, 'scores');
  const oneBatch = await tracInScores(input(models, loss, { batchSize: 100 }));
  expectArraysClose(oneBatch, scores, 1e-5, 1e-7, 'scores with one batch');
});

test('only the relevant layer counts: the first of two linear layers', async () => {
  const second = [0, 1].map((c) => ({ k: randomMatrix(D, D, 30 + c), b: randomMatrix(1, D, 40 + c)[0]! }));
  const models = [0, 1].map((c) => {
    const model = tfl.sequential({
      layers: [tfl.layers.dense({ name: 'first', inputShape: [D], units: D }), tfl.layers.dense({ name: 'second', units: D })],
    });
    model.setWeights([tf.tensor2d(weights[c]!.k), tf.tensor1d(weights[c]!.b), tf.tensor2d(second[c]!.k), tf.tensor1d(second[c]!.b)]);
    return model;
  });
  const expected = handScores((c, x) => {
    const h = affine(x, weights[c]!.k, weights[c]!.b);
    const r = affine(h, second[c]!.k, second[c]!.b).map((y, j) => y - x[j]!);
    // δ1 = K2 · 2r  (K2 is [in, out], so δ1_i = Σ_j K2[i][j] 2 r_j)
    const delta = second[c]!.k.map((row) => row.reduce((s, kij, j) => s + kij * 2 * r[j]!, 0));
    return denseGradient(x, delta);
  });
  const scores = await tracInScores(input(models, { kind: 'reconstruction' }, { relevantLayers: ['first'] }));
  expectArraysClose(scores, expected, 1e-4, 1e-6, 'scores');
});

test('supervised cross-entropy of softmax regression: ∇K = x (p - e_y)ᵀ', async () => {
  const classes = 4;
  const heads = [0, 1].map((c) => ({ k: randomMatrix(D, classes, 50 + c), b: randomMatrix(1, classes, 60 + c)[0]! }));
  const models = heads.map(({ k, b }) => denseModel(classes, D, 'softmax', k, b));
  const trainLabels = Int32Array.from([0, 3, 1, 1, 2, 0, 3]);
  const testLabels = Int32Array.from([2, 0]);
  const labelOf = (split: 'train' | 'test', id: number): number => (split === 'train' ? trainLabels[id]! : testLabels[testIds.indexOf(id)]!);
  const expected = handScores((c, x, split, id) => {
    const z = affine(x, heads[c]!.k, heads[c]!.b);
    const total = z.reduce((s, v) => s + Math.exp(v), 0);
    const delta = z.map((v, j) => Math.exp(v) / total - (j === labelOf(split, id) ? 1 : 0));
    return denseGradient(x, delta);
  });
  const base = input(models, { kind: 'crossEntropy' });
  const scores = await tracInScores({ ...base, train: { ...base.train, labels: trainLabels }, test: { ...base.test, labels: testLabels } });
  expectArraysClose(scores, expected, 1e-4, 1e-6, 'scores');
});

test('data of the same size but another layout is reshaped to the model input', async () => {
  const models = weights.map(({ k, b }) => denseModel(D, D, 'linear', k, b));
  const flat = await tracInScores(input(models, { kind: 'reconstruction' }));
  const base = input(models, { kind: 'reconstruction' });
  const shaped = await tracInScores({ ...base, train: { ...base.train, exampleShape: [1, D] }, test: { ...base.test, exampleShape: [D, 1] } });
  assert.deepEqual(shaped, flat);
});

test('progress rises to 1; no tensors leak', async () => {
  const models = weights.map(({ k, b }) => denseModel(D, D, 'linear', k, b));
  const fractions: number[] = [];
  const before = tf.memory().numTensors;
  await tracInScores(input(models, { kind: 'denoising', noiseStd: 0.1 }, { onProgress: (f) => fractions.push(f) }));
  assert.equal(tf.memory().numTensors, before);
  assert.ok(fractions.every((f, i) => f > 0 && (i === 0 || f >= fractions[i - 1]!)), `fractions ${fractions.join(', ')}`);
  assert.equal(fractions[fractions.length - 1], 1);
});

test('cancellation between batches throws an AbortError and leaks nothing', async () => {
  const models = weights.map(({ k, b }) => denseModel(D, D, 'linear', k, b));
  const controller = new AbortController();
  let calls = 0;
  const before = tf.memory().numTensors;
  await assert.rejects(
    tracInScores(
      input(models, { kind: 'reconstruction' }, {
        signal: controller.signal,
        onProgress: () => {
          if (++calls === 2) controller.abort();
        },
      }),
    ),
    (error: Error) => error.name === 'AbortError',
  );
  assert.equal(calls, 2);
  assert.equal(tf.memory().numTensors, before);
  await assert.rejects(tracInScores(input(models, { kind: 'reconstruction' }, { signal: AbortSignal.abort() })), { name: 'AbortError' });
  // An abort fired from another task is seen at the next batch.
  const later = new AbortController();
  setImmediate(() => later.abort());
  await assert.rejects(tracInScores(input(models, { kind: 'reconstruction' }, { signal: later.signal, batchSize: 1 })), { name: 'AbortError' });
  assert.equal(tf.memory().numTensors, before);
});

test('malformed input is rejected with the field named', async () => {
  const models = weights.map(({ k, b }) => denseModel(D, D, 'linear', k, b));
  const base = input(models, { kind: 'reconstruction' });
  await assert.rejects(tracInScores({ ...base, checkpoints: [] }), /checkpoints must be a non-empty list/);
  await assert.rejects(tracInScores({ ...base, checkpoints: [{ model: models[0]!, learningRate: Number.NaN }] }), /checkpoints\[0\].learningRate/);
  await assert.rejects(tracInScores({ ...base, train: { ...base.train, count: 8 } }), /train.values has 21 numbers but 8 examples of shape \[3\] need 24/);
  await assert.rejects(tracInScores({ ...base, test: { ...base.test, ids: [1] } }), /test.ids must hold one id per test example \(2\)/);
  await assert.rejects(tracInScores({ ...base, batchSize: 0 }), /batchSize must be a positive integer/);
  await assert.rejects(tracInScores({ ...base, loss: { kind: 'crossEntropy' } }), /train.labels are required/);
  await assert.rejects(tracInScores({ ...base, test: { ...base.test, exampleShape: [0] } }), /test.exampleShape/);
});

test('topProponentsOpponents: highest and lowest scores per test row, disjoint, NaN skipped', () => {
  const scores = Float32Array.from([3, -1, 0, 5, -2, /* row 1 */ 1, Number.NaN, 1, -0.5, 0]);
  assert.deepEqual(topProponentsOpponents(scores, 2, 5, 2), [
    { proponents: [{ index: 3, score: 5 }, { index: 0, score: 3 }], opponents: [{ index: 4, score: -2 }, { index: 1, score: -1 }] },
    { proponents: [{ index: 0, score: 1 }, { index: 2, score: 1 }], opponents: [{ index: 3, score: -0.5 }, { index: 4, score: 0 }] },
  ]);
  // All positive (early training): the lowest are still opponents, and the lists never overlap.
  assert.deepEqual(topProponentsOpponents(Float32Array.from([4, 1, 3]), 1, 3, 2), [
    { proponents: [{ index: 0, score: 4 }, { index: 2, score: 3 }], opponents: [{ index: 1, score: 1 }] },
  ]);
  assert.deepEqual(topProponentsOpponents(scores, 2, 5, 0), [
    { proponents: [], opponents: [] },
    { proponents: [], opponents: [] },
  ]);
  assert.throws(() => topProponentsOpponents(scores, 3, 5, 1), /scores has 10 entries, expected testCount \* trainCount = 15/);
  assert.throws(() => topProponentsOpponents(scores, 2, 5, -1), /k must be/);
});
