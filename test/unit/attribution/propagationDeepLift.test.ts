import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import '@tensorflow/tfjs-backend-cpu';
import { deepLift } from '../../../src/engine/attribution/propagation';
import { buildClassifier, buildDenoisingAutoencoder } from '../../../demo/template/models';
import { expectClose, expectNoLeak, seededValues } from '../metrics/testUtils';

function tensorOf(shape: number[], seed: number, lo = 0, hi = 1): tf.Tensor {
  return tf.tensor(seededValues(shape.reduce((a, b) => a * b, 1), seed, lo, hi), shape);
}

function sumOf(t: tf.Tensor): number {
  return Array.from(t.dataSync()).reduce((a, b) => a + b, 0);
}

test('on a linear model DeepLIFT is (x - baseline) * w', async () => {
  const w = [0.5, -2, 1.5, 3];
  const model = tfl.sequential({ layers: [tfl.layers.dense({ inputShape: [4], units: 1 })] });
  model.layers[0]!.setWeights([tf.tensor2d(w, [4, 1]), tf.tensor1d([0.7])]);
  const x = [1, 2, -3, 0.25];
  const b = [0.5, -1, 1, 1];
  const input = tf.tensor2d(x, [1, 4]);
  const baseline = tf.tensor2d(b, [1, 4]);
  const result = await deepLift(model, input, baseline, { unit: 0 });
  expectClose(result.attributions.dataSync(), x.map((xi, i) => (xi - b[i]!) * w[i]!));
  expectClose(result.completeness!.expected, x.reduce((s, xi, i) => s + (xi - b[i]!) * w[i]!, 0));
  tf.dispose([result.attributions, input, baseline]);
  model.dispose();
});

test('DeepLIFT through a single ReLU matches the hand-computed Rescale multiplier', async () => {
  // y = relu(x1 + 2 x2 - 1). At x = (3, 1): z = 4, y = 4. At the zero baseline: z = -1, y = 0.
  // Rescale multiplier dy/dz = (4 - 0) / (4 - (-1)) = 0.8, so attributions = 0.8 * w * x = (2.4, 1.6),
  // where the gradient x input would give (3, 2).
  const model = tfl.sequential({ layers: [tfl.layers.dense({ inputShape: [2], units: 1, activation: 'relu' })] });
  model.layers[0]!.setWeights([tf.tensor2d([1, 2], [2, 1]), tf.tensor1d([-1])]);
  const input = tf.tensor2d([3, 1], [1, 2]);
  const result = await deepLift(model, input, 0, { unit: 0 });
  expectClose(result.attributions.dataSync(), [2.4, 1.6], 1e-6, 1e-5);
  expectClose(result.completeness!.expected, 4, 1e-6, 1e-6);
  expectClose(result.completeness!.sum, 4, 1e-6, 1e-5);
  tf.dispose([result.attributions, input]);
  model.dispose();
});

test('where the input equals the baseline at a nonlinearity the Rescale multiplier falls back to the derivative', async () => {
  // Two stacked units: h = tanh(x), y = 3 h. With x = baseline the attribution is zero and finite.
  const model = tfl.sequential({ layers: [tfl.layers.dense({ inputShape: [2], units: 2, activation: 'tanh', useBias: false }), tfl.layers.dense({ units: 1, useBias: false })] });
  model.layers[0]!.setWeights([tf.tensor2d([1, 0, 0, 1], [2, 2])]);
  model.layers[1]!.setWeights([tf.tensor2d([3, 3], [2, 1])]);
  const input = tf.tensor2d([0.5, 2], [1, 2]);
  const baseline = tf.tensor2d([0.5, 0], [1, 2]);
  const result = await deepLift(model, input, baseline, { unit: 0 });
  expectClose(result.attributions.dataSync(), [0, 3 * Math.tanh(2)], 1e-6, 1e-5);
  tf.dispose([result.attributions, input, baseline]);
  model.dispose();
});

test('summation-to-delta holds through Conv, BatchNorm, max/avg/global pooling, sigmoid and tanh', async () => {
  const model = tfl.sequential({
    layers: [
      tfl.layers.conv2d({ inputShape: [8, 8, 2], filters: 4, kernelSize: 3, padding: 'same', activation: 'relu' }),
      tfl.layers.maxPooling2d({ poolSize: 2 }),
      tfl.layers.conv2d({ filters: 4, kernelSize: 3, strides: 1, padding: 'same' }),
      tfl.layers.batchNormalization(),
      tfl.layers.activation({ activation: 'tanh' }),
      tfl.layers.averagePooling2d({ poolSize: 2 }),
      tfl.layers.conv2d({ filters: 3, kernelSize: 1, activation: 'sigmoid' }),
      tfl.layers.globalMaxPooling2d({}),
      tfl.layers.dense({ units: 2 }),
    ],
  });
  const bn = model.layers[3]!;
  const stats = [tf.tensor1d([1.5, 0.5, 1, 2]), tf.tensor1d([0.1, -0.2, 0, 0.3]), tf.tensor1d([0.2, -0.1, 0.05, 0]), tf.tensor1d([0.5, 2, 1, 0.3])];
  bn.setWeights(stats);
  tf.dispose(stats);
  const input = tensorOf([1, 8, 8, 2], 11);
  const baseline = tensorOf([1, 8, 8, 2], 12, -0.5, 0.5);
  const predicted = tf.tidy(() => tf.sub(model.predict(input) as tf.Tensor, model.predict(baseline) as tf.Tensor).dataSync());
  for (let unit = 0; unit < 2; unit++) {
    const result = await deepLift(model, input, baseline, { unit });
    expectClose(result.completeness!.expected, predicted[unit]!, 1e-6, 1e-4);
    expectClose(sumOf(result.attributions), predicted[unit]!, 1e-5, 1e-3);
    result.attributions.dispose();
  }
  tf.dispose([input, baseline]);
  model.dispose();
});

test('summation-to-delta holds through overlapping same-padded max pooling after a ReLU (ties at zero)', async () => {
  const model = tfl.sequential({
    layers: [
      tfl.layers.conv2d({ inputShape: [7, 7, 1], filters: 3, kernelSize: 2, activation: 'relu' }),
      tfl.layers.maxPooling2d({ poolSize: 3, strides: 2, padding: 'same' }),
      tfl.layers.flatten(),
      tfl.layers.dense({ units: 1 }),
    ],
  });
  const input = tensorOf([1, 7, 7, 1], 21, -1, 1);
  for (const baseline of [0, tensorOf([1, 7, 7, 1], 22, -1, 1)]) {
    const result = await deepLift(model, input, baseline, { unit: 0 });
    const direct = tf.tidy(() => {
      const reference = typeof baseline === 'number' ? tf.fill(input.shape, baseline) : baseline;
      return tf.sub(model.predict(input) as tf.Tensor, model.predict(reference) as tf.Tensor).dataSync()[0]!;
    });
    expectClose(result.completeness!.expected, direct, 1e-6, 1e-5);
    expectClose(sumOf(result.attributions), direct, 1e-5, 1e-4);
    tf.dispose([result.attributions, typeof baseline === 'number' ? [] : baseline]);
  }
  input.dispose();
  model.dispose();
});

test('ReLU/LeakyReLU/ELU layers, zero padding, reshape, global average pooling and noise layers keep summation-to-delta', async () => {
  const model = tfl.sequential({
    layers: [
      tfl.layers.gaussianNoise({ inputShape: [5, 5, 2], stddev: 0.5 }),
      tfl.layers.zeroPadding2d({ padding: 1 }),
      tfl.layers.conv2d({ filters: 3, kernelSize: 3 }),
      tfl.layers.reLU({}),
      tfl.layers.conv2d({ filters: 3, kernelSize: 2 }),
      tfl.layers.leakyReLU({ alpha: 0.2 }),
      tfl.layers.dropout({ rate: 0.5 }),
      tfl.layers.conv2d({ filters: 4, kernelSize: 1 }),
      tfl.layers.elu({}),
      tfl.layers.globalAveragePooling2d({}),
      tfl.layers.reshape({ targetShape: [2, 2] }),
      tfl.layers.flatten(),
      tfl.layers.dense({ units: 2, activation: 'softmax' }),
    ],
  });
  const input = tensorOf([1, 5, 5, 2], 31, -1, 1);
  const baseline = tensorOf([1, 5, 5, 2], 32, -1, 1);
  const result = await deepLift(model, input, baseline, { unit: 1 });
  expectClose(sumOf(result.attributions), result.completeness!.expected, 1e-5, 1e-4);
  assert.ok(Math.abs(result.completeness!.expected) > 1e-4);
  tf.dispose([result.attributions, input, baseline]);
  model.dispose();
});

test('label-free DeepLIFT at the representation layer sums to <f(x), f(x) - f(baseline)>', async () => {
  const model = buildDenoisingAutoencoder(7);
  const encoder = tfl.model({ inputs: model.inputs, outputs: model.getLayer('enc_latent').output as tfl.SymbolicTensor });
  const input = tensorOf([1, 28, 28, 1], 13);
  const baseline = tensorOf([1, 28, 28, 1], 14, 0, 0.2);
  const expected = tf.tidy(() => {
    const h = encoder.predict(input) as tf.Tensor;
    const h0 = encoder.predict(baseline) as tf.Tensor;
    return tf.sum(tf.mul(h, tf.sub(h, h0))).dataSync()[0]!;
  });
  const result = await deepLift(model, input, baseline, { outputLayer: 'enc_latent', labelFree: true });
  expectClose(result.completeness!.expected, expected, 1e-5, 1e-4);
  expectClose(sumOf(result.attributions), expected, 1e-4, 1e-3);
  tf.dispose([result.attributions, input, baseline]);
  model.dispose();
});

test('DeepLIFT on the demo classifier explains the chosen logit with exact summation-to-delta', async () => {
  const model = buildClassifier(8);
  const input = tensorOf([1, 28, 28, 1], 15);
  const result = await deepLift(model, input, 0, { unit: 3 });
  const c = result.completeness!;
  expectClose(c.sum, c.expected, 1e-5, 1e-3);
  assert.ok(Math.abs(c.expected) > 0, 'a zero delta would make the check vacuous');
  result.attributions.dispose();
  input.dispose();
  model.dispose();
});

test('deepLift validates the baseline and leaves no tensors behind', async () => {
  const model = buildClassifier(9);
  const input = tensorOf([1, 28, 28, 1], 16);
  const wrong = tensorOf([1, 28, 28, 2], 17);
  await expectNoLeak(async () => {
    await assert.rejects(deepLift(model, input, wrong), /baseline has shape \[1, 28, 28, 2\] but input has shape \[1, 28, 28, 1\]/);
    await assert.rejects(deepLift(model, input, Number.NaN), /baseline must be a finite number/);
    const aborted = new AbortController();
    aborted.abort();
    await assert.rejects(deepLift(model, input, 0, {}, { signal: aborted.signal }), /cancelled/);
    let progress = 0;
    const result = await deepLift(model, input, 0.1, { outputLayer: 'enc_latent', labelFree: true }, { onProgress: (f) => (progress = f) });
    assert.equal(progress, 1);
    result.attributions.dispose();
  });
  tf.dispose([input, wrong]);
  model.dispose();
});
