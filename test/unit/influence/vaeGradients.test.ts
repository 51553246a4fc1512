import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import '@tensorflow/tfjs-backend-cpu';
import { BlockSketcher, squaredNorms } from '../../../src/engine/examples/blockSketch';
import { disposeBlocks } from '../../../src/engine/influence/gradientBlocks';
import { hessianOperator } from '../../../src/engine/influence/hessian';
import { layerGraph } from '../../../src/engine/influence/layerChain';
import { perExampleGradientBlocks, perExampleGradients, type GradientOptions } from '../../../src/engine/influence/perExampleGradients';
import { perExampleGradientsLoop } from '../../../src/engine/influence/perExampleGradientsLoop';
import { tracInScores } from '../../../src/engine/influence/tracin';
import { withVaeParts } from '../../../src/engine/losses/vaeLoss';
import type { LossSpec, VaeObjective } from '../../../src/protocol/manifest';
import { expectArraysClose, expectGroupsClose, expectNoLeak } from './closeTo';
import { tinyVae } from './vaeModels';

function uniform(shape: number[], seed: number): tf.Tensor {
  return tf.randomUniform(shape, 0, 1, 'float32', seed);
}

/** Batched gradients against the batch-1 tf.variableGrads oracle, per example and parameter block. */
function expectMatchesLoop(model: tfl.LayersModel, loss: LossSpec, x: tf.Tensor, options: GradientOptions): number {
  const fast = perExampleGradients(model, loss, x, options);
  const slow = perExampleGradientsLoop(model, loss, x, options);
  try {
    assert.deepEqual(fast.parameters, slow.parameters);
    const [count, width] = fast.gradients.shape;
    const groups = Array.from({ length: count }, (_, n) =>
      fast.parameters.map((p) => ({ name: `example ${n} ${p.name}`, start: n * width + p.offset, end: n * width + p.offset + p.size })),
    ).flat();
    expectGroupsClose(fast.gradients.dataSync(), slow.gradients.dataSync(), groups, 1e-4);
    return width;
  } finally {
    tf.dispose([fast.gradients, slow.gradients]);
  }
}

test('layerGraph: a VAE encoder is a trunk and two heads; a chain has no heads', () => {
  const vae = tinyVae(3, true);
  const graph = layerGraph(vae.encoder);
  assert.deepEqual(graph.trunk.map((l) => l.name), ['c1', 'flat', 'h']);
  assert.deepEqual(graph.heads.map((l) => l.name), ['mu', 'lv']);
  assert.deepEqual(layerGraph(vae.decoder).heads, []);
  assert.throws(() => layerGraph(vae.labelledEncoder), /2 inputs/);
  vae.dispose();
});

for (const objective of ['betaVae', 'betaTcVae', 'supervised'] as VaeObjective[]) {
  test(`${objective}: batched per-example gradients of the vae loss equal the tf.variableGrads loop (Dense trunk, two heads)`, async () => {
    const vae = tinyVae(5);
    const loss = withVaeParts({ kind: 'vae', beta: objective === 'supervised' ? 0.9 : 4 }, vae.parts(objective));
    const x = uniform([5, 4], 11);
    const labels = objective === 'supervised' ? { labels: [0, 2, 1, 1, 0] } : {};
    await expectNoLeak(() => {
      const width = expectMatchesLoop(vae.encoder, loss, x, { ids: [3, 1, 8, 0, 5], split: 'train', ...labels });
      assert.equal(width, 4 * 3 + 3 + 2 * (3 * 2 + 2));
      expectMatchesLoop(vae.encoder, loss, x, { ids: [3, 1, 8, 0, 5], split: 'test', relevantLayers: ['lv'], ...labels });
      expectMatchesLoop(vae.encoder, loss, x, { ids: [3, 1, 8, 0, 5], split: 'test', relevantLayers: ['h', 'mu'], ...labels });
    });
    x.dispose();
    vae.dispose();
  });
}

test('conv trunk and a Dense-Reshape-Conv2DTranspose decoder: batched equals the loop; blocks sketch and give exact norms', async () => {
  const vae = tinyVae(7, true);
  const loss = withVaeParts({ kind: 'vae', beta: 5 }, vae.parts('betaVae'));
  const x = uniform([4, 4, 4, 1], 12);
  const options: GradientOptions = { ids: [0, 1, 2, 3], split: 'train' };
  await expectNoLeak(() => {
    expectMatchesLoop(vae.encoder, loss, x, options);
    // The heads' kernels stay factored (a ⊗ δ); the sketcher and the norms work on them unchanged.
    const { blocks } = perExampleGradientBlocks(vae.encoder, loss, x, options);
    const sketcher = new BlockSketcher({ sketchDim: 16, seed: 1 });
    try {
      assert.deepEqual(
        blocks.map((b) => b.kind),
        ['full', 'full', 'outer', 'full', 'outer', 'full', 'outer', 'full'],
      );
      const norms = squaredNorms(blocks);
      const slow = perExampleGradientsLoop(vae.encoder, loss, x, options);
      const expected = tf.tidy(() => tf.sum(tf.square(slow.gradients), 1));
      expectArraysClose(norms.dataSync(), expected.dataSync(), 1e-4, 1e-6, 'squared norms');
      const sketches = sketcher.sketchBlocks(blocks);
      assert.deepEqual(sketches.shape, [4, 16]);
      assert.ok(sketches.dataSync().every(Number.isFinite));
      tf.dispose([norms, slow.gradients, expected, sketches]);
    } finally {
      disposeBlocks(blocks);
      sketcher.dispose();
    }
  });
  x.dispose();
  vae.dispose();
});

test('TracIn on a tiny VAE run with a decoder per checkpoint equals the by-hand Σ_c η_c <g_test, g_train>', async () => {
  const first = tinyVae(21);
  const second = tinyVae(22);
  const train = { values: uniform([7, 4], 30).dataSync() as Float32Array, count: 7, exampleShape: [4], labels: Int32Array.from([0, 1, 2, 0, 1, 2, 0]) };
  const test = { values: uniform([2, 4], 31).dataSync() as Float32Array, count: 2, exampleShape: [4], labels: Int32Array.from([2, 1]), ids: [5, 9] };
  for (const objective of ['betaVae', 'supervised'] as VaeObjective[]) {
    const beta = objective === 'supervised' ? 0.9 : 5;
    const checkpoints = [
      { model: first.encoder, learningRate: 0.1, loss: withVaeParts({ kind: 'vae', beta }, first.parts(objective)) },
      { model: second.encoder, learningRate: 0.05, loss: withVaeParts({ kind: 'vae', beta }, second.parts(objective)) },
    ];
    const scores = await expectNoLeak(() =>
      tracInScores({ checkpoints, loss: { kind: 'vae', beta }, relevantLayers: ['h', 'mu', 'lv'], train, test, batchSize: 3 }),
    );
    const expected = new Float64Array(test.count * train.count);
    for (const c of checkpoints) {
      const gradients = (values: Float32Array, count: number, ids: number[], split: 'train' | 'test', labels: Int32Array): Float32Array =>
        tf.tidy(() => {
          const x = tf.tensor2d(values, [count, 4]);
          const { gradients: g } = perExampleGradientsLoop(c.model, c.loss, x, { ids, split, labels: Array.from(labels) });
          return g.dataSync() as Float32Array;
        });
      const gTrain = gradients(train.values, train.count, [0, 1, 2, 3, 4, 5, 6], 'train', train.labels);
      const gTest = gradients(test.values, test.count, test.ids, 'test', test.labels);
      const width = gTrain.length / train.count;
      for (let t = 0; t < test.count; t++) {
        for (let n = 0; n < train.count; n++) {
          let dot = 0;
          for (let p = 0; p < width; p++) dot += gTest[t * width + p]! * gTrain[n * width + p]!;
          expected[t * train.count + n] += c.learningRate * dot;
        }
      }
    }
    const scale = Math.max(...expected.map(Math.abs));
    assert.ok(scale > 0);
    expectArraysClose(scores, expected, 1e-4, 1e-4 * scale, `${objective} TracIn scores`);
  }
  first.dispose();
  second.dispose();
});

test('Hessian operator on a VAE: double backprop through the heads and the decoder agrees with finite differences, and the probe picks it', async () => {
  const vae = tinyVae(9);
  const loss = withVaeParts({ kind: 'vae', beta: 3 }, vae.parts('betaVae'));
  const train = { values: uniform([6, 4], 40).dataSync() as Float32Array, count: 6, exampleShape: [4] };
  await expectNoLeak(() => {
    const auto = hessianOperator(vae.encoder, loss, train, { relativeStep: 1e-2 });
    assert.equal(auto.mode, 'doubleBackprop', auto.modeReason);
    const fd = hessianOperator(vae.encoder, loss, train, { hvp: 'finiteDifferences', relativeStep: 1e-2 });
    const v = Float32Array.from({ length: auto.parameterCount }, (_, i) => Math.sin(i + 1));
    const exact = auto.hvp(v);
    const approx = fd.hvp(v);
    const norm = (a: ArrayLike<number>): number => Math.sqrt(Array.from(a).reduce((s, e) => s + e * e, 0));
    const difference = norm(Array.from(exact, (e, i) => e - approx[i]!)) / norm(approx);
    assert.ok(difference < 2e-2, `double backprop and finite differences differ by ${difference}`);
    // Its gradient is the mean of the per-example gradients.
    const mean = auto.gradient();
    const loop = tf.tidy(() => tf.mean(perExampleGradientsLoop(vae.encoder, loss, tf.tensor2d(train.values, [6, 4]), { ids: [0, 1, 2, 3, 4, 5], split: 'train' }).gradients, 0).dataSync());
    expectArraysClose(mean, loop, 1e-4, 1e-6, 'mean gradient');
  });
  vae.dispose();
});

test('supervised VAE Hessian: needs the labels; with them the probe runs', () => {
  const vae = tinyVae(10);
  const loss = withVaeParts({ kind: 'vae', beta: 0.9 }, vae.parts('supervised'));
  const values = uniform([4, 4], 41).dataSync() as Float32Array;
  assert.throws(() => hessianOperator(vae.encoder, loss, { values, count: 4, exampleShape: [4] }), /labels are required by the supervised VAE loss/);
  const operator = hessianOperator(vae.encoder, loss, { values, count: 4, exampleShape: [4], labels: Int32Array.from([0, 1, 2, 0]) });
  assert.equal(operator.mode, 'doubleBackprop', operator.modeReason);
  assert.ok(operator.hvp(new Float32Array(operator.parameterCount).fill(0.1)).every(Number.isFinite));
  vae.dispose();
});
