import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import '@tensorflow/tfjs-backend-cpu';
import { buildClassifier, buildDenoisingAutoencoder, encoderLayerNames } from '../../../demo/template/models';
import { perExampleGradients, type GradientOptions } from '../../../src/engine/influence/perExampleGradients';
import { perExampleGradientsLoop } from '../../../src/engine/influence/perExampleGradientsLoop';
import type { LossSpec } from '../../../src/protocol/manifest';
import { expectGroupsClose, expectNoLeak } from './closeTo';
import { convAutoencoder, convClassifier, dilatedClassifier, randomizeWeights, sequenceAutoencoder } from './models';

/** Batched gradients against the batch-1 oracle, per example and parameter block, 1e-4 relative to the block's scale. */
function expectMatchesLoop(model: tfl.LayersModel, loss: LossSpec, x: tf.Tensor, options: GradientOptions): number {
  const fast = perExampleGradients(model, loss, x, options);
  const slow = perExampleGradientsLoop(model, loss, x, options);
  try {
    assert.deepEqual(fast.parameters, slow.parameters);
    assert.deepEqual(fast.gradients.shape, slow.gradients.shape);
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

function uniform(shape: number[], seed: number): tf.Tensor {
  return tf.randomUniform(shape, 0, 1, 'float32', seed);
}

test('Conv2D (stride 2 same, valid) + BatchNorm + Dense: batched equals the loop, reconstruction and denoising', () => {
  const model = convAutoencoder();
  const x = uniform([4, 6, 6, 2], 10);
  const width = expectMatchesLoop(model, { kind: 'reconstruction' }, x, { ids: [0, 1, 2, 3], split: 'train' });
  assert.equal(width, 3 * 3 * 2 * 4 + 4 + 4 + 4 + 2 * 2 * 4 * 3 + 3 + 2 * 2 * 3 * 3 + 3 + 3 * 72 + 72);
  expectMatchesLoop(model, { kind: 'denoising', noiseStd: 0.3, seed: 2 }, x, { ids: [7, 3, 11, 0], split: 'test' });
  expectMatchesLoop(model, { kind: 'inpainting', maskFraction: 0.25, seed: 2 }, x, { ids: [7, 3, 11, 0], split: 'train', relevantLayers: ['c2', 'bn'] });
  x.dispose();
});

test('a Conv2D softmax classifier under cross-entropy: batched equals the loop', () => {
  const model = convClassifier();
  const x = uniform([3, 6, 6, 2], 11);
  expectMatchesLoop(model, { kind: 'crossEntropy' }, x, { ids: [0, 1, 2], split: 'train', labels: [4, 0, 2] });
  x.dispose();
});

test('a dilated first Conv2D: batched equals the loop on the equivalent undilated twin', () => {
  const model = dilatedClassifier();
  const twin = dilatedClassifier(4, true);
  const x = uniform([2, 6, 6, 2], 20);
  const options = { ids: [0, 1], split: 'train' as const, labels: [1, 3] };
  const fast = perExampleGradients(model, { kind: 'crossEntropy' }, x, options);
  const slow = perExampleGradientsLoop(twin, { kind: 'crossEntropy' }, x, options);
  const fastValues = fast.gradients.arraySync();
  const slowValues = slow.gradients.arraySync();
  // Keep the twin's kernel taps at even offsets: [5, 5, 2, 3] -> [3, 3, 2, 3].
  const picked = slowValues.map((row) => {
    const kernel = row.slice(0, 5 * 5 * 2 * 3);
    const taps: number[] = [];
    for (let i = 0; i < 5; i += 2) for (let j = 0; j < 5; j += 2) taps.push(...kernel.slice((i * 5 + j) * 6, (i * 5 + j) * 6 + 6));
    return [...taps, ...row.slice(5 * 5 * 2 * 3)];
  });
  const width = fast.gradients.shape[1];
  assert.equal(picked[0]!.length, width);
  const groups = [0, 1].flatMap((n) => fast.parameters.map((p) => ({ name: `example ${n} ${p.name}`, start: n * width + p.offset, end: n * width + p.offset + p.size })));
  expectGroupsClose(fastValues.flat(), picked.flat(), groups, 1e-4);
  tf.dispose([x, fast.gradients, slow.gradients]);
});

test('Dense on sequences and BatchNorm over a middle axis: batched equals the loop on a permuted twin', () => {
  const model = sequenceAutoencoder(3);
  const twin = sequenceAutoencoder(3, true);
  const x = uniform([3, 4, 3], 12);
  const options = { ids: [0, 1, 2], split: 'train' as const };
  const fast = perExampleGradients(model, { kind: 'reconstruction' }, x, options);
  const slow = perExampleGradientsLoop(twin, { kind: 'reconstruction' }, x, options);
  assert.deepEqual(fast.parameters, slow.parameters);
  const width = fast.gradients.shape[1];
  const groups = [0, 1, 2].flatMap((n) => fast.parameters.map((p) => ({ name: `example ${n} ${p.name}`, start: n * width + p.offset, end: n * width + p.offset + p.size })));
  expectGroupsClose(fast.gradients.dataSync(), slow.gradients.dataSync(), groups, 1e-4);
  tf.dispose([x, fast.gradients, slow.gradients]);
});

test('demo autoencoder, encoder parameters, denoising loss: batched equals the loop', () => {
  const model = buildDenoisingAutoencoder(1);
  randomizeWeights(model, 5); // BatchNorm statistics away from (0, 1)
  const x = uniform([3, 28, 28, 1], 13);
  const relevantLayers = encoderLayerNames(model);
  const width = expectMatchesLoop(model, { kind: 'denoising', noiseStd: 0.5, seed: 1 }, x, { ids: [42, 7, 1000], split: 'train', relevantLayers });
  assert.equal(width, 43428);
  x.dispose();
});

test('demo autoencoder, all parameters (Conv2DTranspose decoder included): batched equals the loop', () => {
  const model = buildDenoisingAutoencoder(2);
  randomizeWeights(model, 6);
  const x = uniform([2, 28, 28, 1], 14);
  expectMatchesLoop(model, { kind: 'reconstruction' }, x, { ids: [0, 1], split: 'train' });
  x.dispose();
});

test('demo classifier, encoder parameters, cross-entropy: batched equals the loop', () => {
  const model = buildClassifier(3);
  const x = uniform([2, 28, 28, 1], 15);
  expectMatchesLoop(model, { kind: 'crossEntropy' }, x, { ids: [0, 1], split: 'train', labels: Int32Array.from([3, 8]), relevantLayers: encoderLayerNames(model) });
  x.dispose();
});

test('nested Sequential models are flattened; a later layer alone can be relevant', () => {
  const inner = tfl.sequential({
    name: 'inner',
    layers: [tfl.layers.conv2d({ name: 'ic', inputShape: [4, 4, 1], filters: 2, kernelSize: 3, padding: 'same', activation: 'tanh' }), tfl.layers.flatten({ name: 'if' })],
  });
  const model = tfl.sequential({ layers: [inner, tfl.layers.dense({ name: 'od', units: 16, activation: 'sigmoid' }), tfl.layers.reshape({ targetShape: [4, 4, 1] })] });
  randomizeWeights(model, 8);
  const x = uniform([3, 4, 4, 1], 16);
  expectMatchesLoop(model, { kind: 'reconstruction' }, x, { ids: [0, 1, 2], split: 'train' });
  expectMatchesLoop(model, { kind: 'reconstruction' }, x, { ids: [0, 1, 2], split: 'train', relevantLayers: ['od'] });
  x.dispose();
});

test('a single-path functional model is a chain; flat data is reshaped to the model input', () => {
  const input = tfl.input({ shape: [2, 3] });
  const flat = tfl.layers.flatten().apply(input) as tfl.SymbolicTensor;
  const hidden = tfl.layers.dense({ name: 'h', units: 4, activation: 'tanh' }).apply(flat) as tfl.SymbolicTensor;
  const output = tfl.layers.dense({ name: 'o', units: 6 }).apply(hidden) as tfl.SymbolicTensor;
  const model = tfl.model({ inputs: input, outputs: output });
  randomizeWeights(model, 9);
  const x = uniform([3, 6], 17);
  expectMatchesLoop(model, { kind: 'reconstruction' }, x, { ids: [0, 1, 2], split: 'train' });
  x.dispose();
});

test('the parameter layout lists the relevant weights in model order with running offsets', () => {
  const model = buildDenoisingAutoencoder(1);
  const x = tf.zeros([1, 28, 28, 1]);
  const { gradients, parameters } = perExampleGradients(model, { kind: 'reconstruction' }, x, { ids: [0], split: 'train', relevantLayers: ['enc_latent', 'enc_conv1', 'enc_bn2'] });
  assert.deepEqual(
    parameters.map((p) => [p.name, p.layer, p.shape, p.offset]),
    [
      ['enc_conv1/kernel', 'enc_conv1', [3, 3, 1, 8], 0],
      ['enc_conv1/bias', 'enc_conv1', [8], 72],
      ['enc_bn2/gamma', 'enc_bn2', [16], 80],
      ['enc_bn2/beta', 'enc_bn2', [16], 96],
      ['enc_latent/kernel', 'enc_latent', [128, 4], 112],
      ['enc_latent/bias', 'enc_latent', [4], 624],
    ],
  );
  assert.deepEqual(gradients.shape, [1, 628]);
  tf.dispose([x, gradients]);
});

test('the batched path never needs Conv2DBackpropFilter (missing on wasm)', async () => {
  const model = buildDenoisingAutoencoder(1);
  const x = uniform([2, 28, 28, 1], 18);
  const profile = await tf.profile(() => {
    perExampleGradients(model, { kind: 'denoising', noiseStd: 0.1 }, x, { ids: [0, 1], split: 'train' }).gradients.dispose();
  });
  const kernels = new Set(profile.kernels.map((k) => k.name));
  assert.ok(kernels.has('Conv2DBackpropInput'), 'the profile saw the backward pass');
  assert.ok(!kernels.has('Conv2DBackpropFilter'));
  x.dispose();
});

test('unsupported or unknown relevant layers and branching models are rejected by name', () => {
  const model = tfl.sequential({
    layers: [
      tfl.layers.conv1d({ name: 'seq_conv', inputShape: [5, 2], filters: 3, kernelSize: 2 }),
      tfl.layers.flatten(),
      tfl.layers.dense({ name: 'seq_dense', units: 10 }),
      tfl.layers.reshape({ targetShape: [5, 2] }),
    ],
  });
  const x = tf.zeros([2, 5, 2]);
  const options = { ids: [0, 1], split: 'train' as const };
  assert.throws(() => perExampleGradients(model, { kind: 'reconstruction' }, x, options), /layer "seq_conv" \(Conv1D\) has trainable weights, but per-example gradients support only Dense/);
  assert.throws(() => perExampleGradients(model, { kind: 'reconstruction' }, x, { ...options, relevantLayers: ['nope'] }), /relevant layer "nope" not found in the model; its layers are seq_conv/);
  const g = perExampleGradients(model, { kind: 'reconstruction' }, x, { ...options, relevantLayers: ['seq_dense'] });
  assert.deepEqual(g.gradients.shape, [2, 4 * 3 * 10 + 10]);
  g.gradients.dispose();

  const dilatedLater = tfl.sequential({
    layers: [
      tfl.layers.conv2d({ name: 'first', inputShape: [5, 5, 1], filters: 2, kernelSize: 3, padding: 'same' }),
      tfl.layers.conv2d({ name: 'dilated', filters: 1, kernelSize: 3, dilationRate: 2, padding: 'same' }),
    ],
  });
  const image = tf.zeros([1, 5, 5, 1]);
  assert.throws(() => perExampleGradients(dilatedLater, { kind: 'reconstruction' }, image, { ids: [0], split: 'train' }), /layer "dilated" \(Conv2D\) is dilated/);
  const lastOnly = perExampleGradients(dilatedLater, { kind: 'reconstruction' }, image, { ids: [0], split: 'train', relevantLayers: ['dilated'] });
  assert.deepEqual(lastOnly.gradients.shape, [1, 3 * 3 * 2 + 1]);
  tf.dispose([image, lastOnly.gradients]);

  const input = tfl.input({ shape: [3] });
  const a = tfl.layers.dense({ units: 3 }).apply(input) as tfl.SymbolicTensor;
  const b = tfl.layers.dense({ units: 3 }).apply(input) as tfl.SymbolicTensor;
  const branching = tfl.model({ inputs: input, outputs: tfl.layers.add().apply([a, b]) as tfl.SymbolicTensor });
  assert.throws(() => perExampleGradients(branching, { kind: 'reconstruction' }, tf.zeros([1, 3]), { ids: [0], split: 'train' }), /is not a chain of layers/);
  x.dispose();
});

test('no tensors leak, on success and when the loss throws mid-pass', async () => {
  const model = convAutoencoder();
  const classifier = convClassifier();
  const x = uniform([2, 6, 6, 2], 19);
  await expectNoLeak(() => perExampleGradients(model, { kind: 'denoising', noiseStd: 0.2 }, x, { ids: [0, 1], split: 'train' }), (r) => r.gradients.dispose());
  await expectNoLeak(() => perExampleGradientsLoop(model, { kind: 'denoising', noiseStd: 0.2 }, x, { ids: [0, 1], split: 'train' }), (r) => r.gradients.dispose());
  await expectNoLeak(() => perExampleGradients(model, { kind: 'reconstruction' }, x, { ids: [0, 1], split: 'train', relevantLayers: ['c1'] }), (r) => r.gradients.dispose());
  await expectNoLeak(() =>
    assert.throws(() => perExampleGradients(classifier, { kind: 'crossEntropy' }, x, { ids: [0, 1], split: 'train', labels: [0, 7] }), /labels\[1\] = 7/),
  );
  x.dispose();
});
