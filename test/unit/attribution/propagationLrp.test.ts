import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import '@tensorflow/tfjs-backend-cpu';
import { lrp } from '../../../src/engine/attribution/propagation';
import { buildClassifier, buildDenoisingAutoencoder } from '../../../demo/template/models';
import { expectClose, expectNoLeak, seededValues } from '../metrics/testUtils';

function setRandomWeights(model: tfl.LayersModel, seed: number, scale = 1): void {
  for (const [i, layer] of model.layers.entries()) {
    const fresh = layer.getWeights().map((w, j) => tf.tensor(seededValues(w.size, seed + 31 * i + j, -scale, scale), w.shape));
    if (fresh.length > 0) layer.setWeights(fresh);
    tf.dispose(fresh);
  }
}

function tensorOf(shape: number[], seed: number, lo = 0, hi = 1): tf.Tensor {
  return tf.tensor(seededValues(shape.reduce((a, b) => a * b, 1), seed, lo, hi), shape);
}

function outputOf(model: tfl.LayersModel, input: tf.Tensor): Float32Array {
  return tf.tidy(() => (model.predict(input) as tf.Tensor).dataSync() as Float32Array);
}

function denseReluNet(): tfl.Sequential {
  const model = tfl.sequential({
    layers: [
      tfl.layers.dense({ inputShape: [6], units: 5, activation: 'relu', useBias: false }),
      tfl.layers.dense({ units: 4, activation: 'relu', useBias: false }),
      tfl.layers.dense({ units: 3, useBias: false }),
    ],
  });
  setRandomWeights(model, 100);
  return model;
}

function convNet(): tfl.Sequential {
  const model = tfl.sequential({
    layers: [
      tfl.layers.conv2d({ inputShape: [8, 8, 2], filters: 3, kernelSize: 3, padding: 'same', activation: 'relu', useBias: false }),
      tfl.layers.maxPooling2d({ poolSize: 2 }),
      tfl.layers.conv2d({ filters: 4, kernelSize: 3, activation: 'relu', useBias: false }),
      tfl.layers.averagePooling2d({ poolSize: 2 }),
      tfl.layers.flatten(),
      tfl.layers.dense({ units: 3, useBias: false }),
    ],
  });
  setRandomWeights(model, 200);
  return model;
}

test('LRP-0 on a bias-free ReLU Dense network conserves the explained output', async () => {
  const model = denseReluNet();
  const input = tensorOf([1, 6], 1);
  const out = outputOf(model, input);
  for (let unit = 0; unit < 3; unit++) {
    const result = await lrp(model, input, { unit }, { rule: 'epsilon', epsilon: 0 });
    const values = result.attributions.dataSync();
    const sum = Array.from(values).reduce((a, b) => a + b, 0);
    expectClose(sum, out[unit]!, 1e-5, 1e-4);
    expectClose(result.completeness!.sum, sum, 1e-5, 1e-4);
    expectClose(result.completeness!.expected, out[unit]!, 1e-6, 1e-5);
    result.attributions.dispose();
  }
  input.dispose();
  model.dispose();
});

test('LRP-0 on a bias-free Conv + MaxPool + AvgPool + Dense network conserves the explained output', async () => {
  const model = convNet();
  const input = tensorOf([1, 8, 8, 2], 2);
  const out = outputOf(model, input);
  for (let unit = 0; unit < 3; unit++) {
    const result = await lrp(model, input, { unit }, { rule: 'epsilon', epsilon: 0 });
    assert.deepEqual(result.attributions.shape, [1, 8, 8, 2]);
    expectClose(tf.sum(result.attributions).dataSync()[0]!, out[unit]!, 1e-5, 1e-4);
    tf.dispose(result.attributions);
  }
  input.dispose();
  model.dispose();
});

test('z+ conserves a positive output on the bias-free Conv network (every active neuron has a positive contribution)', async () => {
  const model = convNet();
  const input = tensorOf([1, 8, 8, 2], 3);
  const out = Array.from(outputOf(model, input));
  const unit = out.indexOf(Math.max(...out));
  assert.ok(out[unit]! > 0, 'the test needs a positive output');
  const result = await lrp(model, input, {}, { rule: 'zplus' });
  expectClose(result.completeness!.expected, out[unit]!, 1e-6, 1e-5);
  expectClose(result.completeness!.sum, out[unit]!, 1e-5, 1e-4);
  assert.ok(result.attributions.dataSync().every((v) => v >= 0), 'z+ relevance of a positive output on positive inputs is non-negative');
  result.attributions.dispose();
  input.dispose();
  model.dispose();
});

test('on a linear model LRP-0 is x * w, even with a bias', async () => {
  const w = [0.5, -2, 1.5, 3];
  const model = tfl.sequential({ layers: [tfl.layers.dense({ inputShape: [4], units: 1 })] });
  model.layers[0]!.setWeights([tf.tensor2d(w, [4, 1]), tf.tensor1d([0.7])]);
  const x = [1, 2, -3, 0.25];
  const input = tf.tensor2d(x, [1, 4]);
  const result = await lrp(model, input, { unit: 0 }, { rule: 'epsilon', epsilon: 0 });
  expectClose(result.attributions.dataSync(), x.map((xi, i) => xi * w[i]!));
  // The bias keeps its share: the input relevance sums to z - b.
  expectClose(result.completeness!.expected, x.reduce((s, xi, i) => s + xi * w[i]!, 0.7));
  result.attributions.dispose();
  input.dispose();
  model.dispose();
});

test('epsilon, z+ and alpha-beta rules on a hand-computed two-input unit', async () => {
  // z = 1*3 + 2*(-1) = 1. Contributions: +3 and -2.
  const model = tfl.sequential({ layers: [tfl.layers.dense({ inputShape: [2], units: 1, useBias: false })] });
  model.layers[0]!.setWeights([tf.tensor2d([3, -1], [2, 1])]);
  const input = tf.tensor2d([1, 2], [1, 2]);
  const cases: [Parameters<typeof lrp>[3], number[]][] = [
    // R_i = a_i w_i / (z + eps) * R, R = z = 1
    [{ rule: 'epsilon', epsilon: 0.5 }, [3 / 1.5, -2 / 1.5]],
    // Only positive contributions share R.
    [{ rule: 'zplus' }, [1, 0]],
    // alpha * positive share - beta * negative share.
    [{ rule: 'alphabeta', alpha: 2, beta: 1 }, [2, -1]],
    // rho(w) = w + gamma w+ = [3 + 0.5*3, -1]; z' = 4.5 - 2 = 2.5; R_i = a_i rho(w_i) / z' * R
    [{ rule: 'gamma', gamma: 0.5, epsilon: 0 }, [4.5 / 2.5, -2 / 2.5]],
  ];
  for (const [rule, expected] of cases) {
    const result = await lrp(model, input, { unit: 0 }, rule);
    expectClose(result.attributions.dataSync(), expected, 1e-6, 1e-5);
    result.attributions.dispose();
  }
  input.dispose();
  model.dispose();
});

test('alpha-beta splits signed inputs by the sign of each contribution a_i w_ij', async () => {
  // Contributions: (-1)(-2) = +2 and (1)(3) = +3 and (2)(-1) = -2; z = 3, z+ = 5, z- = -2.
  const model = tfl.sequential({ layers: [tfl.layers.dense({ inputShape: [3], units: 1, useBias: false })] });
  model.layers[0]!.setWeights([tf.tensor2d([-2, 3, -1], [3, 1])]);
  const input = tf.tensor2d([-1, 1, 2], [1, 3]);
  const result = await lrp(model, input, { unit: 0 }, { rule: 'alphabeta', alpha: 2, beta: 1 });
  const R = 3;
  expectClose(result.attributions.dataSync(), [(2 * 2) / 5 * R, (2 * 3) / 5 * R, -1 * (-2 / -2) * R], 1e-6, 1e-5);
  result.attributions.dispose();
  input.dispose();
  model.dispose();
});

test('label-free LRP-0 starts from f(x) * f(x): on a linear representation it is x * (W f(x))', async () => {
  const W = [
    [1, -1, 0.5],
    [2, 0, -1],
    [-0.5, 1, 1],
    [0, 0.25, 2],
  ];
  const model = tfl.sequential({ layers: [tfl.layers.dense({ name: 'rep', inputShape: [4], units: 3, useBias: false }), tfl.layers.dense({ units: 2 })] });
  model.layers[0]!.setWeights([tf.tensor2d(W)]);
  const x = [0.3, -1, 2, 0.5];
  const h = [0, 1, 2].map((j) => x.reduce((s, xi, i) => s + xi * W[i]![j]!, 0));
  const input = tf.tensor2d(x, [1, 4]);
  const result = await lrp(model, input, { outputLayer: 'rep', labelFree: true }, { rule: 'epsilon', epsilon: 0 });
  expectClose(result.attributions.dataSync(), x.map((xi, i) => xi * W[i]!.reduce((s, w, j) => s + w * h[j]!, 0)), 1e-5, 1e-5);
  expectClose(result.completeness!.expected, h.reduce((s, v) => s + v * v, 0), 1e-5, 1e-5);
  expectClose(result.completeness!.sum, result.completeness!.expected, 1e-5, 1e-5);
  result.attributions.dispose();
  input.dispose();
  model.dispose();
});

test('with a softmax head LRP explains the logit of the chosen class, argmax by default', async () => {
  const model = buildClassifier(4);
  const input = tensorOf([1, 28, 28, 1], 4);
  const logitsModel = tfl.model({ inputs: model.inputs, outputs: model.getLayer('enc_latent').output as tfl.SymbolicTensor });
  const probabilities = outputOf(model, input);
  const predicted = probabilities.indexOf(Math.max(...probabilities));
  const logits = tf.tidy(() => {
    const head = model.getLayer('head').getWeights();
    const latent = logitsModel.predict(input) as tf.Tensor2D;
    return tf.add(tf.matMul(latent, head[0] as tf.Tensor2D), head[1]!).dataSync();
  });
  const chosen = await lrp(model, input, { unit: 7 }, { rule: 'epsilon', epsilon: 0.01 });
  expectClose(chosen.completeness!.expected, logits[7]!, 1e-5, 1e-4);
  const argmax = await lrp(model, input, {}, { rule: 'epsilon', epsilon: 0.01 });
  expectClose(argmax.completeness!.expected, logits[predicted]!, 1e-5, 1e-4);
  tf.dispose([chosen.attributions, argmax.attributions]);
  input.dispose();
  model.dispose();
});

test('invalid arguments are rejected with the argument named', async () => {
  const model = denseReluNet();
  const input = tensorOf([1, 6], 5);
  await assert.rejects(lrp(model, input, { unit: 3 }, { rule: 'epsilon' }), /target.unit must be an integer in \[0, 2\]/);
  await assert.rejects(lrp(model, input, { unit: 0, labelFree: true }, { rule: 'epsilon' }), /target.unit must be absent/);
  await assert.rejects(lrp(model, input, {}, { rule: 'alphabeta', alpha: 2, beta: 2 }), /alpha - beta must equal 1/);
  await assert.rejects(lrp(model, input, {}, { rule: 'epsilon', epsilon: -1 }), /epsilon must be a finite number >= 0/);
  await assert.rejects(lrp(model, input, {}, { rule: 'nope' as 'epsilon' }), /rule must be one of/);
  const wrong = tensorOf([1, 5], 6);
  await assert.rejects(lrp(model, wrong, {}, { rule: 'epsilon' }), /input has example shape \[5\] but the model expects \[6\]/);
  const batch = tensorOf([2, 6], 7);
  await assert.rejects(lrp(model, batch, {}, { rule: 'epsilon' }), /input must have shape \[1, \.\.\.exampleShape\]/);
  const classifier = buildClassifier(5);
  const image = tensorOf([1, 28, 28, 1], 8);
  await assert.rejects(lrp(classifier, image, { labelFree: true }, { rule: 'epsilon' }), /label-free target at layer 'head'/);
  tf.dispose([input, wrong, batch, image]);
  model.dispose();
  classifier.dispose();
});

test('lrp leaves no tensors behind for every rule, label-free on the demo autoencoder', async () => {
  const model = buildDenoisingAutoencoder(6);
  const input = tensorOf([1, 28, 28, 1], 9);
  for (const rule of [{ rule: 'epsilon' as const }, { rule: 'gamma' as const }, { rule: 'zplus' as const }, { rule: 'alphabeta' as const }]) {
    await expectNoLeak(async () => {
      const result = await lrp(model, input, { outputLayer: 'enc_latent', labelFree: true }, rule);
      assert.deepEqual(result.attributions.shape, [1, 28, 28, 1]);
      assert.ok(result.attributions.dataSync().every(Number.isFinite));
      result.attributions.dispose();
    });
  }
  await expectNoLeak(async () => {
    await assert.rejects(lrp(model, input, { unit: 10_000 }, { rule: 'epsilon' }), /target.unit/);
  });
  input.dispose();
  model.dispose();
});
