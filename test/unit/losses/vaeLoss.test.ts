import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import '@tensorflow/tfjs-backend-cpu';
import { perExampleLoss, type LossBatch } from '../../../src/engine/losses/perExampleLoss';
import { exampleGaussianNoise } from '../../../src/engine/losses/exampleRandom';
import { BERNOULLI_EPSILON, lossNeedsLabels, VAE_NOISE_SEED, vaeLossNote, withVaeParts, type VaeParts } from '../../../src/engine/losses/vaeLoss';
import type { LossSpec } from '../../../src/protocol/manifest';
import { expectArraysClose, expectNoLeak } from '../influence/closeTo';
import { tinyVae } from '../influence/vaeModels';

type Matrix = number[][];

function weights(layer: tfl.layers.Layer): { kernel: Matrix; bias: number[] } {
  const [kernel, bias] = layer.getWeights();
  return { kernel: kernel!.arraySync() as Matrix, bias: bias!.arraySync() as number[] };
}

function affine(x: number[], w: { kernel: Matrix; bias: number[] }): number[] {
  return w.bias.map((b, j) => b + x.reduce((s, xi, i) => s + xi * w.kernel[i]![j]!, 0));
}

const sigmoid = (v: number): number => 1 / (1 + Math.exp(-v));

function clip(p: number): number {
  return Math.min(Math.max(p, BERNOULLI_EPSILON), 1 - BERNOULLI_EPSILON);
}

function bernoulli(x: number[], p: number[]): number {
  return -x.reduce((s, xi, i) => s + xi * Math.log(clip(p[i]!)) + (1 - xi) * Math.log(1 - clip(p[i]!)), 0);
}

function klPrior(mu: number[], logVar: number[]): number {
  return 0.5 * mu.reduce((s, m, j) => s + m * m + Math.exp(logVar[j]!) - 1 - logVar[j]!, 0);
}

const X = [
  [0.2, 0.9, 0.4, 0.0],
  [1.0, 0.0, 0.5, 0.7],
  [0.3, 0.3, 0.8, 1.0],
];

test('beta-VAE: Bernoulli reconstruction of decoder(μ + σ·ε) + β·KL, against a hand computation with the seeded ε', async () => {
  const vae = tinyVae();
  const loss = withVaeParts({ kind: 'vae', beta: 5 }, vae.parts('betaVae'));
  const batch: LossBatch = { ids: [4, 0, 9], split: 'test' };
  const h = weights(vae.encoder.getLayer('h'));
  const mu = weights(vae.encoder.getLayer('mu'));
  const lv = weights(vae.encoder.getLayer('lv'));
  const dec = weights(vae.decoder.layers[0]!);
  const expected = X.map((x, n) => {
    const hidden = affine(x, h).map(Math.tanh);
    const m = affine(hidden, mu);
    const v = affine(hidden, lv);
    const eps = exampleGaussianNoise(VAE_NOISE_SEED, 'test', batch.ids[n]!, 2, 1);
    const z = m.map((mj, j) => mj + Math.exp(0.5 * v[j]!) * eps[j]!);
    return bernoulli(x, affine(z, dec).map(sigmoid)) + 5 * klPrior(m, v);
  });
  const actual = await expectNoLeak(() => tf.tidy(() => perExampleLoss(vae.encoder, loss, tf.tensor2d(X), batch).dataSync()));
  expectArraysClose(actual, expected, 1e-5, 1e-5, 'beta-VAE losses');
  // An example's loss does not depend on its batch: ε is keyed by (split, id).
  const alone = tf.tidy(() => perExampleLoss(vae.encoder, loss, tf.tensor2d([X[2]!]), { ids: [9], split: 'test' }).dataSync());
  expectArraysClose(alone, [expected[2]!], 1e-6, 1e-6, 'batch of one');
  // ... but it does on the split, as the denoising noise does.
  const train = tf.tidy(() => perExampleLoss(vae.encoder, loss, tf.tensor2d([X[2]!]), { ids: [9], split: 'train' }).dataSync());
  assert.notEqual(train[0], alone[0]);
  assert.equal(lossNeedsLabels(loss), false);
  assert.match(vaeLossNote(loss)!, /5·KL/);
  vae.dispose();
});

test('beta-TCVAE falls back to the beta-VAE ELBO per example, and says so', () => {
  const vae = tinyVae();
  const batch: LossBatch = { ids: [1, 2, 3], split: 'train' };
  const tc = tf.tidy(() => perExampleLoss(vae.encoder, withVaeParts({ kind: 'vae', beta: 10 }, vae.parts('betaTcVae')), tf.tensor2d(X), batch).dataSync());
  const beta = tf.tidy(() => perExampleLoss(vae.encoder, withVaeParts({ kind: 'vae', beta: 10 }, vae.parts('betaVae')), tf.tensor2d(X), batch).dataSync());
  expectArraysClose(tc, beta, 0, 0, 'betaTcVae = betaVae');
  assert.match(vaeLossNote(withVaeParts({ kind: 'vae', beta: 10 }, vae.parts('betaTcVae')))!, /total-correlation term is a minibatch estimate/);
  vae.dispose();
});

test('supervised VAE: Eq. 6 with z ~ q(z|x,y), against a hand computation', async () => {
  const vae = tinyVae();
  const parts = vae.parts('supervised');
  const beta = 0.9;
  const loss = withVaeParts({ kind: 'vae', beta }, parts);
  const labels = [2, 0, 1];
  const batch: LossBatch = { ids: [4, 0, 9], split: 'train', labels };
  const h = weights(vae.encoder.getLayer('h'));
  const mu = weights(vae.encoder.getLayer('mu'));
  const lv = weights(vae.encoder.getLayer('lv'));
  const lmu = weights(vae.labelledEncoder.getLayer('l_mu'));
  const llv = weights(vae.labelledEncoder.getLayer('l_lv'));
  const dec = weights(vae.decoder.layers[0]!);
  const cls = weights(vae.classifier.layers[0]!);
  const alpha = parts.alpha!;
  const expected = X.map((x, n) => {
    const hidden = affine(x, h).map(Math.tanh);
    const m = affine(hidden, mu);
    const v = affine(hidden, lv);
    const joined = [...x, ...[0, 1, 2].map((c) => (c === labels[n] ? 1 : 0))];
    const my = affine(joined, lmu);
    const vy = affine(joined, llv);
    const eps = exampleGaussianNoise(VAE_NOISE_SEED, 'train', batch.ids[n]!, 2, 1);
    const z = my.map((mj, j) => mj + Math.exp(0.5 * vy[j]!) * eps[j]!);
    const logits = affine(z.slice(0, 1), cls);
    const top = Math.max(...logits);
    const probability = Math.exp(logits[labels[n]!]! - top) / logits.reduce((s, l) => s + Math.exp(l - top), 0);
    const sufficiency = 0.5 * m.reduce((s, _, j) => s + v[j]! - vy[j]! + (Math.exp(vy[j]!) + (my[j]! - m[j]!) ** 2) / Math.exp(v[j]!) - 1, 0);
    return beta * (bernoulli(x, affine(z, dec).map(sigmoid)) + klPrior(my, vy)) + (1 - beta) * sufficiency - alpha * Math.log(probability);
  });
  const actual = await expectNoLeak(() => tf.tidy(() => perExampleLoss(vae.encoder, loss, tf.tensor2d(X), batch).dataSync()));
  expectArraysClose(actual, expected, 1e-5, 1e-5, 'supervised VAE losses');
  assert.equal(lossNeedsLabels(loss), true);
  assert.throws(() => tf.tidy(() => perExampleLoss(vae.encoder, loss, tf.tensor2d(X), { ids: [4, 0, 9], split: 'train' })), /supervised VAE loss needs batch.labels/);
  vae.dispose();
});

test('the vae loss without its parts, or on an encoder without the named outputs, fails clearly and leaks nothing', async () => {
  const vae = tinyVae();
  const bare: LossSpec = { kind: 'vae', beta: 1 };
  await expectNoLeak(() => {
    const x = tf.tensor2d(X);
    assert.throws(() => perExampleLoss(vae.encoder, bare, x, { ids: [0, 1, 2], split: 'train' }), /needs the run's decoder/);
    const wrong: VaeParts = { ...vae.parts('betaVae'), muLayer: 'nope' };
    assert.throws(() => perExampleLoss(vae.encoder, withVaeParts(bare, wrong), x, { ids: [0, 1, 2], split: 'train' }), /encoder output "nope"/);
    x.dispose();
  });
  vae.dispose();
});
