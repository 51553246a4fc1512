import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import '@tensorflow/tfjs-backend-cpu';
import { lrp } from '../../../src/engine/attribution/propagation';
import { groundedOutlierRelevance } from '../../../src/engine/neon/grounded';
import { fitKde } from '../../../src/engine/neon/kde';
import { explainThroughEncoder, relevanceToInput, representationAt } from '../../../src/engine/neon/toInput';
import { expectClose, seededValues } from '../metrics/testUtils';

function setRandomWeights(model: tfl.LayersModel, seed: number): void {
  for (const [i, layer] of model.layers.entries()) {
    const fresh = layer.getWeights().map((w, j) => tf.tensor(seededValues(w.size, seed + 31 * i + j, -1, 1), w.shape));
    if (fresh.length > 0) layer.setWeights(fresh);
    tf.dispose(fresh);
  }
}

/** A bias-free ReLU encoder (conv, pool, dense) with a head above the representation layer 'latent'. */
function encoderModel(): tfl.Sequential {
  const model = tfl.sequential({
    layers: [
      tfl.layers.conv2d({ inputShape: [6, 6, 1], filters: 3, kernelSize: 3, padding: 'same', activation: 'relu', useBias: false, name: 'conv' }),
      tfl.layers.maxPooling2d({ poolSize: 2, name: 'pool' }),
      tfl.layers.flatten({ name: 'flat' }),
      tfl.layers.dense({ units: 6, activation: 'relu', useBias: false, name: 'latent' }),
      tfl.layers.dense({ units: 3, activation: 'softmax', name: 'head' }),
    ],
  });
  setRandomWeights(model, 300);
  return model;
}

function image(seed: number): tf.Tensor {
  return tf.tensor(seededValues(36, seed, 0, 1), [1, 6, 6, 1]);
}

test('from a one-hot start on the layer, the adapter gives exactly what the engine’s own LRP gives', async () => {
  const model = encoderModel();
  const input = image(1);
  const h = await representationAt(model, input, 'latent');
  let compared = 0;
  for (const rule of [{ rule: 'epsilon' as const, epsilon: 0 }, { rule: 'epsilon' as const }, { rule: 'zplus' as const }, { rule: 'gamma' as const }]) {
    for (let unit = 0; unit < 6; unit++) {
      if (h[unit] === 0) continue;
      const start = new Float32Array(6);
      start[unit] = h[unit]!;
      const ours = await relevanceToInput(model, input, start, { layer: 'latent', rule });
      const theirs = await lrp(model, input, { outputLayer: 'latent', unit }, rule);
      expectClose(ours.relevance.dataSync(), theirs.attributions.dataSync(), 1e-7, 1e-5);
      tf.dispose([ours.relevance, theirs.attributions]);
      compared++;
    }
  }
  assert.ok(compared >= 8, `only ${compared} comparisons: too few active units`);
  input.dispose();
  model.dispose();
});

test('the representation is the prefix model’s output at the layer', async () => {
  const model = encoderModel();
  const input = image(2);
  const h = await representationAt(model, input, 'latent');
  const prefix = tfl.model({ inputs: model.inputs, outputs: model.getLayer('latent').output as tfl.SymbolicTensor });
  const expected = tf.tidy(() => (prefix.predict(input) as tf.Tensor).dataSync());
  expectClose(h, expected, 1e-6, 1e-6);
  assert.ok(h.some((v) => v === 0) && h.some((v) => v > 0), 'the check needs both deactivated and active units');
  input.dispose();
  model.dispose();
});

test('NEON outlierness through the encoder: grounded on active units, conserved to the pixels by LRP-0', async () => {
  const model = encoderModel();
  const reps: number[] = [];
  for (let n = 0; n < 25; n++) {
    const x = image(100 + n);
    reps.push(...(await representationAt(model, x, 'latent')));
    x.dispose();
  }
  const kde = fitKde({ values: Float64Array.from(reps), count: 25, dim: 6 }, 0.5);
  const input = image(3);
  const before = tf.memory().numTensors;
  const result = await explainThroughEncoder(model, input, (a) => groundedOutlierRelevance(kde, a), { layer: 'latent', rule: { rule: 'epsilon', epsilon: 0 } });
  assert.deepEqual(result.relevance.shape, [1, 6, 6, 1]);
  const a = await representationAt(model, input, 'latent');
  a.forEach((v, i) => {
    if (v === 0) assert.ok(result.grounded.relevance[i] === 0, `deactivated unit ${i} got relevance`);
  });
  expectClose(result.layerSum, result.grounded.propagated, 1e-12, 1e-12);
  // Bias-free ReLU layers with LRP-0 conserve: the pixels receive the grounded share (float32 arithmetic).
  expectClose(result.inputSum, result.grounded.propagated, 1e-5, 1e-4);
  expectClose(result.grounded.propagated + result.grounded.residual, result.grounded.output, 1e-12, 1e-12);
  result.relevance.dispose();
  assert.equal(tf.memory().numTensors, before, 'tensors leaked');
  input.dispose();
  model.dispose();
});

test('no tensors leak, on success or on a rejected argument', async () => {
  const model = encoderModel();
  const input = image(4);
  const before = tf.memory().numTensors;
  const result = await relevanceToInput(model, input, new Float32Array(6).fill(1), { layer: 'latent' });
  result.relevance.dispose();
  await representationAt(model, input, 'conv');
  await assert.rejects(relevanceToInput(model, input, new Float32Array(5), { layer: 'latent' }), /layerRelevance has 5 values but layer 'latent' has output shape \[1, 6\]/);
  assert.equal(tf.memory().numTensors, before, 'tensors leaked');
  input.dispose();
  model.dispose();
});

test('bad inputs are rejected with the argument named', async () => {
  const model = encoderModel();
  const input = image(5);
  await assert.rejects(relevanceToInput(model, input, new Float32Array(3), { layer: 'head' }), /ends in softmax/);
  await assert.rejects(relevanceToInput(model, input, new Float32Array(6), { layer: 'nope' }), /outputLayer 'nope' is not a layer/);
  await assert.rejects(relevanceToInput(model, input, new Float32Array(6), { layer: '' }), /options.layer must be a non-empty layer name/);
  await assert.rejects(relevanceToInput(model, input, Float32Array.from([1, 2, 3, 4, 5, NaN]), { layer: 'latent' }), /layerRelevance holds a non-finite value/);
  const wrong = tf.zeros([1, 5, 5, 1]);
  await assert.rejects(relevanceToInput(model, wrong, new Float32Array(6), { layer: 'latent' }), /input has example shape \[5, 5, 1\]/);
  const batch = tf.zeros([2, 6, 6, 1]);
  await assert.rejects(relevanceToInput(model, batch, new Float32Array(6), { layer: 'latent' }), /input must have shape \[1, \.\.\.exampleShape\]/);
  tf.dispose([wrong, batch, input]);
  model.dispose();
});
