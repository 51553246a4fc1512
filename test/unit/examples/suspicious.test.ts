import '@tensorflow/tfjs-backend-cpu';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { percentileRanks, rankSuspiciousExamples } from '../../../src/engine/examples/suspicious';
import { expectArraysClose } from '../influence/closeTo';
import { normal } from './random';

const CLASSES = 4;
const PER_CLASS = 50;
const N = CLASSES * PER_CLASS;
const FLIPPED = [3, 57, 101, 160, 199];

/** Gaussian blobs in a 2-D latent space, class c centred at (6c, 0) with unit spread, and five flipped labels. */
function blobs(): { values: Float32Array; labels: Int32Array; trueLabels: Int32Array } {
  const next = normal(17);
  const values = new Float32Array(N * 2);
  const trueLabels = new Int32Array(N);
  for (let n = 0; n < N; n++) {
    const c = Math.floor(n / PER_CLASS);
    trueLabels[n] = c;
    values[n * 2] = 6 * c + next();
    values[n * 2 + 1] = next();
  }
  const labels = Int32Array.from(trueLabels);
  for (const n of FLIPPED) labels[n] = (trueLabels[n]! + 1) % CLASSES;
  return { values, labels, trueLabels };
}

test('percentile ranks give ties the mid rank', () => {
  expectArraysClose(percentileRanks([10, 30, 20, 20]), [12.5, 87.5, 50, 50], 1e-12, 1e-12);
});

test('neighbour disagreement puts the flipped labels on top and suggests the true label', async () => {
  const { values, labels, trueLabels } = blobs();
  const ranked = await rankSuspiciousExamples({ labels, representations: { values, count: N, dim: 2 }, classNames: ['T-shirt', 'Trouser', 'Pullover', 'Dress'] }, { neighbours: 10, limit: FLIPPED.length });
  const found = ranked.map((e) => e.index);
  const precision = found.filter((i) => FLIPPED.includes(i)).length / FLIPPED.length;
  assert.equal(precision, 1, `top ${FLIPPED.length}: ${found.join(', ')}`);
  for (const e of ranked) {
    assert.equal(e.suggestedLabel, trueLabels[e.index]);
    assert.equal(e.suggestionSource, 'neighbours');
    const reason = e.reasons[0]!;
    assert.equal(reason.signal, 'neighbourDisagreement');
    assert.ok(reason.value >= 0.8, `disagreement ${reason.value}`);
    assert.ok(reason.percentile > 90);
    assert.match(reason.text, /of 10 nearest neighbours in representation space are not labelled/);
  }
});

test('signals combine as the mean of percentiles; a noisy signal alone does not decide', async () => {
  const { values, labels, trueLabels } = blobs();
  const next = normal(5);
  // Self-influence: flipped examples are high, plus one clean outlier that is higher still.
  const selfInfluence = Float32Array.from({ length: N }, (_, n) => (FLIPPED.includes(n) ? 5 : 1) + 0.1 * next());
  selfInfluence[20] = 50;
  const labelProbability = Float32Array.from({ length: N }, (_, n) => (FLIPPED.includes(n) ? 0.05 : 0.8) + 0.01 * next());
  const predictions = Int32Array.from(trueLabels);
  const ranked = await rankSuspiciousExamples({ labels, representations: { values, count: N, dim: 2 }, selfInfluence, labelProbability, predictions }, { limit: N });
  const top = ranked.slice(0, FLIPPED.length).map((e) => e.index);
  assert.deepEqual([...top].sort((a, b) => a - b), FLIPPED);
  const first = ranked[0]!;
  assert.deepEqual(first.reasons.map((r) => r.signal), ['selfInfluence', 'neighbourDisagreement', 'lowLabelProbability']);
  const mean = first.reasons.reduce((s, r) => s + r.percentile, 0) / 3;
  assert.ok(Math.abs(first.score - mean) < 1e-9);
  // The clean outlier is flagged by self-influence only, so it ranks below the flipped ones.
  assert.ok(ranked.findIndex((e) => e.index === 20) >= FLIPPED.length);
  // Without representations the model's prediction is the suggestion.
  const noNeighbours = await rankSuspiciousExamples({ labels, labelProbability, predictions }, { limit: FLIPPED.length });
  for (const e of noNeighbours) {
    assert.equal(e.suggestionSource, 'model');
    assert.equal(e.suggestedLabel, trueLabels[e.index]);
  }
});

test('inputs are validated', async () => {
  const labels = Int32Array.from([0, 1]);
  await assert.rejects(rankSuspiciousExamples({ labels }), /at least one signal/);
  await assert.rejects(rankSuspiciousExamples({ labels, selfInfluence: new Float32Array(3) }), /selfInfluence has 3 values for 2 labels/);
  await assert.rejects(rankSuspiciousExamples({ labels, labelProbability: Float32Array.from([0, NaN]) }), /labelProbability\[1\] is not finite/);
  await assert.rejects(rankSuspiciousExamples({ labels, selfInfluence: new Float32Array(2) }, { neighbours: 0 }), /neighbours/);
});

test('an unscored self-influence is reported but does not move the ranking', async () => {
  const labels = Int32Array.from([0, 0, 0, 1]);
  const labelProbability = Float32Array.from([0.9, 0.2, 0.8, 0.7]);
  const selfInfluence = Float32Array.from([100, 1, 2, 3]);
  const scored = await rankSuspiciousExamples({ labels, labelProbability, selfInfluence }, { limit: 4 });
  const unscored = await rankSuspiciousExamples({ labels, labelProbability, selfInfluence, scoreSelfInfluence: false }, { limit: 4 });
  // Scored, the mean percentiles are 0: 50, 1: 50, 2: 37.5, 3: 62.5.
  assert.deepEqual(scored.map((e) => e.index), [3, 0, 1, 2], 'scored, self-influence moves example 0 up');
  assert.deepEqual(unscored.map((e) => e.index), [1, 3, 2, 0], 'unscored, the ranking is the label probability alone');
  assert.ok(unscored[0]!.reasons.some((r) => r.signal === 'selfInfluence' && /not counted in the score/.test(r.text)));
});
