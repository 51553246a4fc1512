// The attribution methods themselves, not only raw gradients, give the same maps on wasm (with the
// gradient bridge) as on cpu, on the demo encoder with identical seeded weights and inputs.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { buildDenoisingAutoencoder, REPRESENTATION_LAYER } from '../../../demo/template/models';
import { integratedGradients } from '../../../src/engine/attribution/integratedGradients';
import { saliency } from '../../../src/engine/attribution/saliency';
import { encoderFromModel, labelFreeTarget } from '../../../src/engine/attribution/targets';
import { deepLift } from '../../../src/engine/attribution/propagation/deepLift';
import { assertClose, seededUniform, startWasm } from '../backend/backendTestUtils';

before(startWasm);

const image = seededUniform(28 * 28, 5, 0, 1);

async function mapsOn(backend: string, weights: Float32Array[]): Promise<Record<string, Float32Array>> {
  await tf.setBackend(backend);
  const model = buildDenoisingAutoencoder(3);
  const tensors = weights.map((w, i) => tf.tensor(w, model.weights[i]!.shape as number[]));
  model.setWeights(tensors);
  tf.dispose(tensors);
  const input = tf.tensor4d(image, [1, 28, 28, 1]);
  const baseline = tf.zerosLike(input);
  const encoder = encoderFromModel(model, REPRESENTATION_LAYER);
  const target = labelFreeTarget(encoder, input);
  const read = async (t: tf.Tensor): Promise<Float32Array> => {
    const values = Float32Array.from(await t.data());
    t.dispose();
    return values;
  };
  try {
    return {
      integratedGradients: await read((await integratedGradients(target.fn, input, baseline, { steps: 16 })).attributions),
      saliency: await read((await saliency(target.fn, input)).attributions),
      deepLift: await read((await deepLift(model, input, 0, { outputLayer: REPRESENTATION_LAYER, labelFree: true })).attributions),
    };
  } finally {
    target.dispose();
    tf.dispose([input, baseline]);
    model.dispose();
  }
}

test('label-free IG, saliency and DeepLIFT agree on wasm and cpu within 1e-4 relative', async () => {
  await tf.setBackend('cpu');
  const seeded = buildDenoisingAutoencoder(3);
  // Non-zero biases and batch-norm statistics, so every path of the encoder carries signal.
  const weights = seeded.weights.map((w, i) => {
    const name = w.originalName;
    const values = Float32Array.from(w.read().dataSync());
    if (name.endsWith('kernel')) return values;
    return name.endsWith('gamma') || name.endsWith('moving_variance') ? seededUniform(values.length, 100 + i, 0.5, 1.5) : seededUniform(values.length, 100 + i, -0.1, 0.1);
  });
  seeded.dispose();
  const cpu = await mapsOn('cpu', weights);
  const wasm = await mapsOn('wasm', weights);
  for (const method of Object.keys(cpu)) {
    assert.ok(cpu[method]!.some((v) => Math.abs(v) > 1e-6), `${method} map is not all zeros`);
    assertClose(wasm[method]!, cpu[method]!, 1e-4, method);
  }
});
