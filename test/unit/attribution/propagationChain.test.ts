import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import '@tensorflow/tfjs-backend-cpu';
import { buildPropagationChain, layerChain } from '../../../src/engine/attribution/propagation';
import { buildClassifier, buildDenoisingAutoencoder } from '../../../demo/template/models';
import { expectClose, expectNoLeak, seededValues } from '../metrics/testUtils';

/** Gives a BatchNormalization non-trivial statistics so folding mistakes show. */
function perturbBatchNorm(layer: tfl.layers.Layer, seed: number): void {
  const channels = layer.getWeights()[0]!.shape[0]!;
  const values = [
    seededValues(channels, seed, 0.5, 1.5),
    seededValues(channels, seed + 1, -0.5, 0.5),
    seededValues(channels, seed + 2, -0.3, 0.3),
    seededValues(channels, seed + 3, 0.2, 2),
  ].map((v) => tf.tensor1d(v));
  layer.setWeights(values);
  tf.dispose(values);
}

function randomInput(shape: number[], seed: number, lo = 0, hi = 1): tf.Tensor {
  return tf.tensor(seededValues(shape.reduce((a, b) => a * b, 1), seed, lo, hi), shape);
}

function expectChainMatchesPredict(model: tfl.LayersModel, input: tf.Tensor): void {
  const chain = buildPropagationChain(model);
  try {
    const ours = chain.forward(input);
    const theirs = model.predict(input) as tf.Tensor;
    const oursAfterSoftmax = chain.droppedSoftmax ? tf.softmax(ours) : ours;
    expectClose(oursAfterSoftmax.dataSync(), theirs.dataSync(), 1e-5, 1e-4);
    tf.dispose([ours, theirs, oursAfterSoftmax]);
  } finally {
    chain.dispose();
  }
}

test('BatchNormalization after a linear Conv2D is folded and the folded chain computes the model output', async () => {
  const model = tfl.sequential({
    layers: [
      tfl.layers.conv2d({ name: 'conv', inputShape: [6, 6, 2], filters: 3, kernelSize: 3, padding: 'same' }),
      tfl.layers.batchNormalization({ name: 'bn' }),
      tfl.layers.activation({ name: 'relu', activation: 'relu' }),
      tfl.layers.flatten({ name: 'flat' }),
      tfl.layers.dense({ name: 'out', units: 4 }),
    ],
  });
  perturbBatchNorm(model.getLayer('bn'), 10);
  const input = randomInput([2, 6, 6, 2], 3, -1, 1);
  await expectNoLeak(() => {
    const chain = buildPropagationChain(model);
    assert.deepEqual(
      chain.steps.map((s) => s.className),
      ['Conv2D+BatchNormalization', 'Activation', 'Flatten', 'Dense'],
    );
    chain.dispose();
    expectChainMatchesPredict(model, input);
  });
  input.dispose();
  model.dispose();
});

test('BatchNormalization after an activation is kept as an affine step and Dense+BN folds', async () => {
  const model = tfl.sequential({
    layers: [
      tfl.layers.dense({ name: 'd1', inputShape: [5], units: 4, activation: 'tanh' }),
      tfl.layers.batchNormalization({ name: 'bn1' }),
      tfl.layers.dense({ name: 'd2', units: 3 }),
      tfl.layers.batchNormalization({ name: 'bn2' }),
    ],
  });
  perturbBatchNorm(model.getLayer('bn1'), 20);
  perturbBatchNorm(model.getLayer('bn2'), 30);
  const input = randomInput([3, 5], 4, -2, 2);
  await expectNoLeak(() => {
    const chain = buildPropagationChain(model);
    assert.deepEqual(
      chain.steps.map((s) => `${s.kind}:${s.className}`),
      ['linear:Dense', 'elementwise:Dense', 'linear:BatchNormalization', 'linear:Dense+BatchNormalization'],
    );
    chain.dispose();
    expectChainMatchesPredict(model, input);
  });
  input.dispose();
  model.dispose();
});

test('the demo models (Conv2DTranspose, BatchNormalization, softmax head) are reproduced by their chains', async () => {
  const autoencoder = buildDenoisingAutoencoder(1);
  const classifier = buildClassifier(2);
  for (const model of [autoencoder, classifier]) {
    for (const layer of model.layers) if (layer.getClassName() === 'BatchNormalization') perturbBatchNorm(layer, 40);
  }
  const input = randomInput([2, 28, 28, 1], 5);
  await expectNoLeak(() => {
    expectChainMatchesPredict(autoencoder, input);
    expectChainMatchesPredict(classifier, input);
  });
  const chain = buildPropagationChain(classifier);
  assert.equal(chain.droppedSoftmax, 'head');
  chain.dispose();
  input.dispose();
  autoencoder.dispose();
  classifier.dispose();
});

test('a functional model that is a single chain, including a nested Sequential, is walked in order', () => {
  const inner = tfl.sequential({ layers: [tfl.layers.dense({ name: 'inner_dense', inputShape: [4], units: 3, activation: 'relu' })] });
  const input = tfl.input({ shape: [5], name: 'x' });
  const a = tfl.layers.dense({ name: 'first', units: 4 }).apply(input) as tfl.SymbolicTensor;
  const b = tfl.layers.dropout({ name: 'drop', rate: 0.5 }).apply(a) as tfl.SymbolicTensor;
  const c = inner.apply(b) as tfl.SymbolicTensor;
  const model = tfl.model({ inputs: input, outputs: c });
  assert.deepEqual(
    layerChain(model).map((l) => l.name),
    ['first', 'drop', 'inner_dense'],
  );
  const x = randomInput([2, 5], 6, -1, 1);
  expectChainMatchesPredict(model, x);
  x.dispose();
  model.dispose();
});

test('a branching functional model is rejected, naming the merging layer', () => {
  const input = tfl.input({ shape: [3] });
  const a = tfl.layers.dense({ units: 2, name: 'left' }).apply(input) as tfl.SymbolicTensor;
  const b = tfl.layers.dense({ units: 2, name: 'right' }).apply(input) as tfl.SymbolicTensor;
  const sum = tfl.layers.add({ name: 'merge' }).apply([a, b]) as tfl.SymbolicTensor;
  const model = tfl.model({ inputs: input, outputs: sum });
  assert.throws(() => buildPropagationChain(model), /not a single chain: layer 'merge' \(Add\) has 2 inputs/);
  model.dispose();
});

test('unsupported layers are named with their class', () => {
  const lstm = tfl.sequential({ layers: [tfl.layers.lstm({ name: 'my_lstm', inputShape: [5, 3], units: 2, recurrentInitializer: 'glorotUniform' })] });
  assert.throws(() => buildPropagationChain(lstm), /unsupported layer 'my_lstm' \(LSTM\)/);
  const conv1d = tfl.sequential({
    layers: [tfl.layers.conv1d({ name: 'my_conv1d', inputShape: [8, 2], filters: 2, kernelSize: 3 }), tfl.layers.flatten(), tfl.layers.dense({ units: 1 })],
  });
  assert.throws(() => buildPropagationChain(conv1d), /unsupported layer 'my_conv1d' \(Conv1D\)/);
  const midSoftmax = tfl.sequential({ layers: [tfl.layers.dense({ name: 'odd', inputShape: [2], units: 2, activation: 'linear' }), tfl.layers.softmax({ name: 'sm' }), tfl.layers.dense({ units: 2 })] });
  assert.throws(() => buildPropagationChain(midSoftmax), /softmax in layer 'sm' \(Softmax\) is supported only as the final layer/);
  lstm.dispose();
  conv1d.dispose();
  midSoftmax.dispose();
});

test('an unknown outputLayer lists the layers', () => {
  const model = tfl.sequential({ layers: [tfl.layers.dense({ name: 'only', inputShape: [2], units: 1 })] });
  assert.throws(() => buildPropagationChain(model, { outputLayer: 'nope' }), /outputLayer 'nope' is not a layer of model '.*'; layers: only/);
  model.dispose();
});

test('truncating at the representation layer gives that layer output', async () => {
  const model = buildDenoisingAutoencoder(3);
  const input = randomInput([1, 28, 28, 1], 7);
  const encoder = tfl.model({ inputs: model.inputs, outputs: model.getLayer('enc_latent').output as tfl.SymbolicTensor });
  await expectNoLeak(() => {
    const chain = buildPropagationChain(model, { outputLayer: 'enc_latent' });
    const ours = chain.forward(input);
    const theirs = encoder.predict(input) as tf.Tensor;
    assert.deepEqual(ours.shape, [1, 4]);
    expectClose(ours.dataSync(), theirs.dataSync(), 1e-5, 1e-4);
    tf.dispose([ours, theirs]);
    chain.dispose();
  });
  input.dispose();
  model.dispose();
});
