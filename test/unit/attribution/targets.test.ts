import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { buildDenoisingAutoencoder } from '../../../demo/template/models';
import { integratedGradients } from '../../../src/engine/attribution/integratedGradients';
import { saliency } from '../../../src/engine/attribution/saliency';
import {
  argmaxClass,
  classTarget,
  encoderFromModel,
  labelFreeTarget,
  latentUnitTarget,
  probabilityWeightedTarget,
} from '../../../src/engine/attribution/targets';
import type { Attribution, ScalarFunction } from '../../../src/engine/attribution/types';
import { expectClose, expectNoLeak, seededValues } from '../metrics/testUtils';
import { useCpu, valuesOf } from './attributionTestUtils';

before(useCpu);

const d = 6;
const classes = 4;
const w = seededValues(d * classes, 21, -1.5, 1.5);
const bias = seededValues(classes, 22, -0.5, 0.5);
/** A small softmax classifier written with tf ops. */
const classifier = (x: tf.Tensor) =>
  tf.tidy(() => tf.softmax(tf.add(tf.matMul(tf.reshape(x, [x.shape[0]!, d]), tf.tensor2d(w, [d, classes])), tf.tensor1d(bias))) as tf.Tensor2D);

async function takeValues(result: Attribution): Promise<Float32Array> {
  const values = Float32Array.from(await result.attributions.data());
  result.attributions.dispose();
  return values;
}

test('classTarget picks one column and argmaxClass the highest one', async () => {
  await expectNoLeak(async () => {
    const x = tf.tensor(seededValues(3 * d, 23, -1, 1), [3, d]);
    const probabilities = classifier(x);
    const column = classTarget(classifier, 2)(x);
    const all = await probabilities.array();
    expectClose(await valuesOf(column), all.map((row) => row[2]!), 1e-7, 0);
    const first = tf.slice(x, 0, 1);
    assert.equal(argmaxClass(classifier, first), all[0]!.indexOf(Math.max(...all[0]!)));
    assert.throws(() => classTarget(classifier, 4)(x), /classIndex 4 is out of range: the model has 4 outputs/);
    assert.throws(() => classTarget(classifier, -1), /classIndex must be an integer/);
    tf.dispose([x, probabilities, column, first]);
  });
});

test('the probability-weighted target equals sum_j p_j(x) * attribution of class j (IG and saliency)', async () => {
  await expectNoLeak(async () => {
    const x = tf.tensor(seededValues(d, 24, -1, 1), [1, d]);
    const baseline = tf.tensor(seededValues(d, 25, -0.2, 0.2), [1, d]);
    const probabilitiesTensor = classifier(x);
    const p = await valuesOf(probabilitiesTensor);
    probabilitiesTensor.dispose();
    const weighted = probabilityWeightedTarget(classifier, x);
    const methods: Array<(fn: ScalarFunction) => Promise<Attribution>> = [
      (fn) => integratedGradients(fn, x, baseline, { steps: 16 }),
      (fn) => saliency(fn, x),
    ];
    for (const method of methods) {
      const combined = new Float64Array(d);
      for (let j = 0; j < classes; j++) {
        const perClass = await takeValues(await method(classTarget(classifier, j)));
        for (let i = 0; i < d; i++) combined[i] += p[j]! * perClass[i]!;
      }
      expectClose(await takeValues(await method(weighted.fn)), combined, 1e-6, 1e-5);
    }
    weighted.dispose();
    tf.dispose([x, baseline]);
  });
});

test('the label-free target is <f(x), f(x~)> and latentUnitTarget is f_j', async () => {
  const encoder = (x: tf.Tensor) => tf.tidy(() => tf.tanh(tf.matMul(tf.reshape(x, [x.shape[0]!, d]), tf.tensor2d(w, [d, classes]))));
  await expectNoLeak(async () => {
    const x = tf.tensor(seededValues(d, 26, -1, 1), [1, d]);
    const others = tf.tensor(seededValues(5 * d, 27, -1, 1), [5, d]);
    const target = labelFreeTarget(encoder, x);
    const [fxT, foT, gT, unitT] = [encoder(x), encoder(others), target.fn(others), latentUnitTarget(encoder, 3)(others)];
    const fx = await valuesOf(fxT);
    const fo = await valuesOf(foT);
    const expected = Array.from({ length: 5 }, (_, r) => fx.reduce((s, v, j) => s + v * fo[r * classes + j]!, 0));
    expectClose(await valuesOf(gT), expected, 1e-6, 1e-6);
    expectClose(await valuesOf(unitT), Array.from({ length: 5 }, (_, r) => fo[r * classes + 3]!), 0, 0);
    assert.throws(() => latentUnitTarget(encoder, 4)(others), /unit 4 is out of range: the encoder has 4 latent units/);
    tf.dispose([x, others, fxT, foT, gT, unitT]);
    const held = tf.memory().numTensors;
    target.dispose();
    assert.equal(tf.memory().numTensors, held - 1, 'dispose releases f(x)');
    target.dispose();
    assert.throws(() => target.fn(x), /disposed/);
  });
});

test('encoderFromModel names the missing layer and lists the available ones', () => {
  const model = buildDenoisingAutoencoder(1);
  assert.throws(() => encoderFromModel(model, 'enc_mu'), (error: Error) => {
    assert.match(error.message, /no layer named "enc_mu"/);
    assert.match(error.message, /enc_conv1, enc_conv2, enc_bn2/);
    assert.match(error.message, /enc_latent/);
    return true;
  });
  model.dispose();
});

test('encoderFromModel returns the flattened representation layer output', async () => {
  const model = buildDenoisingAutoencoder(1);
  await expectNoLeak(async () => {
    const x = tf.tensor(seededValues(2 * 784, 28, 0, 1), [2, 28, 28, 1]);
    const latent = encoderFromModel(model, 'enc_latent')(x);
    assert.deepEqual(latent.shape, [2, 4]);
    const flat = encoderFromModel(model, 'enc_conv3')(x);
    assert.deepEqual(flat.shape, [2, 3 * 3 * 32]);
    // The dense layer after the flatten, applied by hand, reproduces enc_dense1.
    const dense = encoderFromModel(model, 'enc_dense1')(x);
    const [kernel, b] = model.getLayer('enc_dense1').getWeights();
    const manual = tf.tidy(() => tf.relu(tf.add(tf.matMul(flat, kernel as tf.Tensor2D), b!)));
    expectClose(await valuesOf(dense), await valuesOf(manual), 1e-5, 1e-5);
    tf.dispose([x, latent, flat, dense, manual]);
  });
  model.dispose();
});

/** The demo model with a Dense(4, no bias) layer holding `matrix` appended after enc_latent. */
function withLatentMap(model: tfl.LayersModel, matrix: tf.Tensor2D): tfl.LayersModel {
  const latent = model.getLayer('enc_latent').output as tfl.SymbolicTensor;
  const map = tfl.layers.dense({ units: 4, useBias: false, name: 'latent_map' });
  const mapped = map.apply(latent) as tfl.SymbolicTensor;
  const extended = tfl.model({ inputs: model.inputs, outputs: mapped });
  map.setWeights([matrix]);
  return extended;
}

test('label-free attributions are invariant to an orthogonal map of the latent space, and not to a stretch', async () => {
  const model = buildDenoisingAutoencoder(1);
  const orthogonal = tf.tidy(() => tf.linalg.qr(tf.tensor2d(seededValues(16, 29, -1, 1), [4, 4]))[0] as tf.Tensor2D);
  const stretch = tf.diag(tf.tensor1d([2, 1, 1, 1])) as tf.Tensor2D;
  const gram = tf.matMul(orthogonal, orthogonal, true, false);
  expectClose(await valuesOf(gram), [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1], 1e-6, 0);
  const plain = encoderFromModel(model, 'enc_latent');
  const rotated = encoderFromModel(withLatentMap(model, orthogonal), 'latent_map');
  const stretched = encoderFromModel(withLatentMap(model, stretch), 'latent_map');
  await expectNoLeak(async () => {
    const x = tf.tensor(seededValues(784, 30, 0, 1), [1, 28, 28, 1]);
    const baseline = tf.zerosLike(x);
    const maps = async (encoder: typeof plain) => {
      const target = labelFreeTarget(encoder, x);
      const ig = await takeValues(await integratedGradients(target.fn, x, baseline, { steps: 16 }));
      const sal = await takeValues(await saliency(target.fn, x));
      target.dispose();
      return { ig, sal };
    };
    const reference = await maps(plain);
    const turned = await maps(rotated);
    const scale = (v: Float32Array) => v.reduce((m, a) => Math.max(m, Math.abs(a)), 0);
    // The latent rotation is not the identity, so the units themselves do change.
    const [fPlain, fTurned] = [plain(x), rotated(x)];
    const turnedUnits = await valuesOf(fTurned);
    const unitChange = (await valuesOf(fPlain)).reduce((m, v, j) => Math.max(m, Math.abs(v - turnedUnits[j]!)), 0);
    assert.ok(unitChange > 1e-3, 'the orthogonal map should change individual latent units');
    tf.dispose([fPlain, fTurned]);
    expectClose(turned.ig, reference.ig, 1e-4 * scale(reference.ig), 1e-4);
    expectClose(turned.sal, reference.sal, 1e-4 * scale(reference.sal), 1e-4);
    const distorted = await maps(stretched);
    const difference = distorted.sal.reduce((m, v, i) => Math.max(m, Math.abs(v - reference.sal[i]!)), 0);
    assert.ok(difference > 0.05 * scale(reference.sal), 'a non-orthogonal map must change the attributions');
    tf.dispose([x, baseline]);
  });
  tf.dispose([orthogonal, stretch, gram]);
  model.dispose();
});
