import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import {
  bernoulliReconstruction,
  classCrossEntropy,
  gaussianLogDensity,
  klBetweenGaussians,
  klToStandardNormal,
  samplePosterior,
  supervisedObjective,
  tcDecomposition,
} from '../../../demo/template/vaeLosses';

const LOG_2PI = Math.log(2 * Math.PI);

function values(t: tf.Tensor): number[] {
  const v = Array.from(t.dataSync());
  t.dispose();
  return v;
}

function close(actual: number[], expected: number[], tolerance = 1e-5, what = ''): void {
  assert.equal(actual.length, expected.length, `${what} length`);
  actual.forEach((a, i) => assert.ok(Math.abs(a - expected[i]!) <= tolerance * Math.max(1, Math.abs(expected[i]!)), `${what}[${i}]: ${a} vs ${expected[i]}`));
}

function t2(rows: number[][]): tf.Tensor2D {
  return tf.tensor2d(rows);
}

test('the closed-form KL to N(0, I) matches hand-computed values', async () => {
  await tf.setBackend('cpu');
  // Row 0: 1/2[(1 + 1 - 1 - 0) + (0 + 2 - 1 - ln 2)] = 1 - ln2 / 2; row 1: 1/2[(0.25 + 0.5 - 1 - ln 0.5) + (1 + 1 - 1 - 0)].
  const mean = t2([
    [1, 0],
    [0.5, -1],
  ]);
  const logVar = t2([
    [0, Math.log(2)],
    [Math.log(0.5), 0],
  ]);
  close(values(klToStandardNormal(mean, logVar)), [1 - Math.LN2 / 2, 0.5 * (0.75 + Math.LN2)], 1e-6, 'KL');
  close(values(klToStandardNormal(tf.zeros([3, 4]), tf.zeros([3, 4]))), [0, 0, 0], 0, 'KL(p || p)');
  tf.dispose([mean, logVar]);
});

test('the KL between two diagonal Gaussians matches hand-computed values and reduces to the prior case', async () => {
  await tf.setBackend('cpu');
  // KL(N(1, 1) || N(0, 4)) = 1/2[ln 4 - 0 + (1 + 1) / 4 - 1].
  close(values(klBetweenGaussians(t2([[1]]), t2([[0]]), t2([[0]]), t2([[Math.log(4)]]))), [0.5 * (Math.log(4) + 0.5 - 1)], 1e-6, 'KL');
  const mean = t2([[0.3, -1.2, 2]]);
  const logVar = t2([[0.1, -0.5, 1]]);
  close(values(klBetweenGaussians(mean, logVar, mean, logVar)), [0], 1e-6, 'KL(q || q)');
  close(values(klBetweenGaussians(mean, logVar, tf.zerosLike(mean), tf.zerosLike(logVar))), values(klToStandardNormal(mean, logVar)), 1e-6, 'KL(q || N(0, I))');
  tf.dispose([mean, logVar]);
});

test('reconstruction, log-density, sampling and cross-entropy match hand-computed values', async () => {
  await tf.setBackend('cpu');
  // -ln 0.8 - ln 0.9 - (0.5 ln 0.5 + 0.5 ln 0.5); the second example is perfect up to the clipping epsilon.
  const x = t2([
    [1, 0, 0.5],
    [1, 0, 1],
  ]);
  const p = t2([
    [0.8, 0.1, 0.5],
    [1, 0, 1],
  ]);
  close(values(bernoulliReconstruction(x, p)), [-Math.log(0.8) - Math.log(0.9) + Math.LN2, 0], 1e-5, 'BCE');
  close(values(gaussianLogDensity(tf.tensor1d([1, 2]), tf.tensor1d([0, 2]), tf.tensor1d([0, Math.log(4)]))), [-0.5 * (1 + LOG_2PI), -0.5 * (Math.log(4) + LOG_2PI)], 1e-6, 'log N');
  close(values(samplePosterior(t2([[1, -1]]), t2([[Math.log(4), 0]]), t2([[0.5, 2]]))), [2, 1], 1e-6, 'z = mu + sigma eps');
  const probabilities = t2([
    [0.7, 0.2, 0.1],
    [0.1, 0.1, 0.8],
  ]);
  close(values(classCrossEntropy(probabilities, tf.tensor1d([0, 1]))), [-Math.log(0.7), -Math.log(0.1)], 1e-6, 'CE');
  assert.throws(() => bernoulliReconstruction(x, tf.zeros([2, 2])), /bernoulliReconstruction: x \[2, 3\] and means \[2, 2\] differ/);
  assert.throws(() => klToStandardNormal(t2([[1]]), t2([[1, 2]])), /klToStandardNormal: expected two \[batch, units\] tensors of the same shape/);
  assert.throws(() => classCrossEntropy(probabilities, tf.tensor1d([0])), /classCrossEntropy: expected probabilities \[B, C\] and labels \[B\]/);
  tf.dispose([x, p, probabilities]);
});

/** log N(z; m, exp(lv)) for one coordinate, in float64. */
function logNormal(z: number, m: number, lv: number): number {
  return -0.5 * ((z - m) ** 2 / Math.exp(lv) + lv + LOG_2PI);
}

function logSumExp(xs: number[]): number {
  const top = Math.max(...xs);
  return top + Math.log(xs.reduce((s, x) => s + Math.exp(x - top), 0));
}

test('the beta-TCVAE decomposition matches minibatch-weighted sampling computed by hand', async () => {
  await tf.setBackend('cpu');
  const z = [
    [0.5, -0.2],
    [-1, 0.7],
    [0.1, 0.3],
  ];
  const mean = [
    [0.4, 0],
    [-0.8, 0.5],
    [0, 0.2],
  ];
  const logVar = [
    [-1, -0.5],
    [0, -2],
    [0.3, -0.1],
  ];
  const n = 100;
  const m = z.length;
  const expected = { mi: [] as number[], tc: [] as number[], kl: [] as number[] };
  for (let i = 0; i < m; i++) {
    const joint = mean.map((_, j) => z[i]!.reduce((s, zk, k) => s + logNormal(zk, mean[j]![k]!, logVar[j]![k]!), 0));
    const logQz = logSumExp(joint) - Math.log(n * m);
    const logQzProduct = z[i]!.reduce((s, zk, k) => s + logSumExp(mean.map((_, j) => logNormal(zk, mean[j]![k]!, logVar[j]![k]!))) - Math.log(n * m), 0);
    const logQzGivenX = z[i]!.reduce((s, zk, k) => s + logNormal(zk, mean[i]![k]!, logVar[i]![k]!), 0);
    const logPz = z[i]!.reduce((s, zk) => s + logNormal(zk, 0, 0), 0);
    expected.mi.push(logQzGivenX - logQz);
    expected.tc.push(logQz - logQzProduct);
    expected.kl.push(logQzProduct - logPz);
  }
  const terms = tcDecomposition(t2(z), t2(mean), t2(logVar), n);
  close(values(terms.mutualInformation), expected.mi, 1e-5, 'MI');
  close(values(terms.totalCorrelation), expected.tc, 1e-5, 'TC');
  close(values(terms.dimensionWiseKl), expected.kl, 1e-5, 'dimension-wise KL');
});

test('the total-correlation estimator on cases with a known answer', async () => {
  await tf.setBackend('cpu');
  // One latent unit: q(z) is its own product of marginals, so TC = 0 whatever the batch.
  const one = tcDecomposition(t2([[0.3], [-1], [2]]), t2([[0], [0.5], [1]]), t2([[0], [-1], [0.5]]), 50);
  close(values(one.totalCorrelation), [0, 0, 0], 1e-6, 'TC, d = 1');
  tf.dispose([one.mutualInformation, one.dimensionWiseKl]);

  // Every example with the same posterior: each logsumexp over the batch adds ln M, and MWS divides
  // by N M, so log q(z) = log q(z|x) - ln N and each marginal loses ln N too: MI = ln N, TC = (d - 1) ln N.
  const d = 3;
  const n = 1000;
  const mean = t2([
    [0.2, -0.4, 1],
    [0.2, -0.4, 1],
    [0.2, -0.4, 1],
    [0.2, -0.4, 1],
  ]);
  const logVar = t2(Array.from({ length: 4 }, () => [0, -1, 0.5]));
  const z = t2([
    [0, 0, 0],
    [1, -1, 2],
    [-2, 0.5, 0.3],
    [0.2, -0.4, 1],
  ]);
  const same = tcDecomposition(z, mean, logVar, n);
  close(values(same.totalCorrelation), new Array(4).fill((d - 1) * Math.log(n)), 1e-5, 'TC, equal posteriors');
  close(values(same.mutualInformation), new Array(4).fill(Math.log(n)), 1e-5, 'MI, equal posteriors');

  // The three terms add up to the sampled KL, log q(z|x) - log p(z), for any batch.
  const parts = tcDecomposition(z, mean, logVar, n);
  const sum = tf.tidy(() => tf.addN([parts.mutualInformation, parts.totalCorrelation, parts.dimensionWiseKl]));
  const sampledKl = tf.tidy(() => tf.sub(tf.sum(gaussianLogDensity(z, mean, logVar), 1), tf.sum(gaussianLogDensity(z, tf.zerosLike(z), tf.zerosLike(z)), 1)));
  close(values(sum), values(sampledKl), 1e-5, 'MI + TC + KL');
  tf.dispose([parts.mutualInformation, parts.totalCorrelation, parts.dimensionWiseKl, same.dimensionWiseKl, mean, logVar, z]);

  assert.throws(() => tcDecomposition(t2([[0], [1]]), t2([[0], [1]]), t2([[0], [1]]), 1), /datasetSize must be an integer >= the batch size 2/);
});

test('the supervised objective weights its four terms as Eq. 6 with alpha, and validates the weights', async () => {
  await tf.setBackend('cpu');
  const terms = {
    reconstruction: tf.tensor1d([200, 100]),
    prior: tf.tensor1d([10, 4]),
    sufficiency: tf.tensor1d([3, 1]),
    classifier: tf.tensor1d([0.5, 2]),
  };
  // 0.9 * (200 + 10) + 0.1 * 3 + 60 * 0.5 and 0.9 * (100 + 4) + 0.1 * 1 + 60 * 2.
  close(values(supervisedObjective(terms, 0.9, 60)), [219.3, 213.7], 1e-5, 'Eq. 6');
  // beta = 0 keeps only the classification ELBO (Eq. 2): sufficiency + alpha * classifier.
  close(values(supervisedObjective(terms, 0, 1)), [3.5, 3], 1e-6, 'beta = 0');
  // beta = 1 is the joint ELBO (Eq. 3): no sufficiency term.
  close(values(supervisedObjective(terms, 1, 1)), [210.5, 106], 1e-6, 'beta = 1');
  assert.throws(() => supervisedObjective(terms, 1.5, 1), /beta must be in \[0, 1\]/);
  assert.throws(() => supervisedObjective(terms, 0.5, 0), /alpha must be a finite number > 0/);
  tf.dispose(Object.values(terms));
});

test('the loss terms leave no tensors behind', async () => {
  await tf.setBackend('cpu');
  const mean = t2([[0.1, 0.2]]);
  const logVar = t2([[0, 0]]);
  const before = tf.memory().numTensors;
  tf.dispose([klToStandardNormal(mean, logVar), klBetweenGaussians(mean, logVar, mean, logVar), samplePosterior(mean, logVar, mean), bernoulliReconstruction(mean, mean)]);
  const parts = tcDecomposition(mean, mean, logVar, 10);
  tf.dispose([parts.mutualInformation, parts.totalCorrelation, parts.dimensionWiseKl]);
  assert.equal(tf.memory().numTensors, before);
  tf.dispose([mean, logVar]);
});
