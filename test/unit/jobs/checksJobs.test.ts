import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { createAttributionCache } from '../../../src/engine/cache/attributionCache';
import { attribute } from '../../../src/engine/jobs/attributeJob';
import { compareRepresentations } from '../../../src/engine/jobs/compareRepresentationsJob';
import { consistency } from '../../../src/engine/jobs/consistencyJob';
import { latentUnits } from '../../../src/engine/jobs/latentUnitsJob';
import { sanityCheck } from '../../../src/engine/jobs/sanityCheckJob';
import { RunStore } from '../../../src/engine/run/runStore';
import { expectClose } from '../metrics/testUtils';
import { encode, example, FEATURES, jobContext, LATENT, pearsonOf, probabilities, writeTinyRuns, type ClassifierWeights, type TinyRuns } from './fixtures';

let runs: TinyRuns;
const store = new RunStore();
const IG = { method: 'integratedGradients' as const, steps: 4 };

before(async () => {
  await tf.setBackend('cpu');
  runs = await writeTinyRuns(await mkdtemp(path.join(tmpdir(), 'modeldebug-checks-')));
  // Load both checkpoints into the store first: their weights are meant to stay, and would read as leaks.
  for (const checkpoint of runs.checkpoints) await attribute({ manifestPath: runs.classifierManifest, checkpoint: checkpoint.path, testIndex: 0, method: { method: 'saliency' }, target: { kind: 'labelFree' } }, jobContext(store));
});

after(async () => {
  store.dispose();
  await rm(runs.dir, { recursive: true, force: true });
});

/** IG of unit j with a zero baseline on the linear encoder: x ⊙ W_j. */
function unitMap(w: ClassifierWeights, x: ArrayLike<number>, j: number): Float64Array {
  return Float64Array.from({ length: FEATURES }, (_, i) => x[i]! * w.W[i * LATENT + j]!);
}

/** Label-free IG with a zero baseline: x ⊙ (W f(x)). */
function labelFreeMap(w: ClassifierWeights, x: ArrayLike<number>): Float64Array {
  const f = encode(w, x);
  return Float64Array.from({ length: FEATURES }, (_, i) => x[i]! * f.reduce((s, fj, j) => s + fj * w.W[i * LATENT + j]!, 0));
}

function entropyOf(maps: Float64Array[]): number {
  const totals = Float64Array.from({ length: FEATURES }, (_, i) => maps.reduce((s, m) => s + Math.abs(m[i]!), 0));
  const threshold = 1e-3 * Math.max(...totals);
  let sum = 0;
  let count = 0;
  for (let i = 0; i < FEATURES; i++) {
    if (!(totals[i]! > threshold)) continue;
    sum -= maps.reduce((s, m) => {
      const p = Math.abs(m[i]!) / totals[i]!;
      return p > 0 ? s + p * Math.log(p) : s;
    }, 0);
    count++;
  }
  return sum / count;
}

test('latent units: per-unit maps, entropy against ln d_H, and the averaged Pearson matrix match hand computations', async () => {
  const w = runs.checkpoints[0]!.weights;
  const indices = [0, 3, 5];
  const context = jobContext(store);
  const before = tf.memory().numTensors;
  const result = await latentUnits({ manifestPath: runs.classifierManifest, checkpoint: runs.checkpoints[0]!.path, testIndices: indices, method: IG }, context);
  assert.equal(result.units, LATENT);
  expectClose(result.maxEntropy, Math.log(LATENT), 1e-12, 0);
  const expectedMaps = indices.map((index) => Array.from({ length: LATENT }, (_, j) => unitMap(w, example(runs.test, index), j)));
  result.examples.forEach((e, n) => {
    assert.equal(e.index, indices[n]);
    e.maps!.forEach((m, j) => expectClose(m.values, expectedMaps[n]![j]!, 1e-5, 1e-4));
    expectClose(e.entropy, entropyOf(expectedMaps[n]!), 1e-4, 1e-4);
  });
  expectClose(result.averageEntropy, indices.reduce((s, _, n) => s + entropyOf(expectedMaps[n]!), 0) / indices.length, 1e-4, 1e-4);
  const matrix = new Float64Array(LATENT * LATENT);
  for (const maps of expectedMaps) for (let i = 0; i < LATENT; i++) for (let j = 0; j < LATENT; j++) matrix[i * LATENT + j] += pearsonOf(maps[i]!, maps[j]!) / indices.length;
  expectClose(result.correlation, matrix, 1e-4, 1e-4);
  const offDiagonal = [1, 2, 3, 5, 6, 7].map((k) => matrix[k]!);
  expectClose(result.meanCorrelation, offDiagonal.reduce((a, b) => a + b, 0) / offDiagonal.length, 1e-4, 1e-4);
  assert.equal(result.cachedCount, 0);
  assert.equal(tf.memory().numTensors, before, 'no tensors leaked');
  const again = await latentUnits({ manifestPath: runs.classifierManifest, checkpoint: runs.checkpoints[0]!.path, testIndices: indices, method: IG, includeMaps: false }, context);
  assert.equal(again.cachedCount, indices.length);
  assert.equal(again.examples[0]!.maps, undefined);
  assert.ok(context.messages.some((m) => m.fraction === 1), 'progress reaches 1');
});

test('consistency: masking the top-ranked features shifts the latent by exactly ||W^T (x restricted to them)||', async () => {
  const w = runs.checkpoints[0]!.weights;
  const indices = [1, 2];
  const before = tf.memory().numTensors;
  const result = await consistency(
    { manifestPath: runs.classifierManifest, checkpoint: runs.checkpoints[0]!.path, testIndices: indices, method: IG, target: { kind: 'labelFree' }, fractions: [0.25, 0.5], randomMasks: 4, seed: 3 },
    jobContext(store),
  );
  assert.equal(tf.memory().numTensors, before, 'no tensors leaked');
  assert.equal(result.measure, 'shift');
  assert.deepEqual(result.maskedCounts, [4, 8]);
  const tops = indices.map((index) => {
    const x = example(runs.test, index);
    const map = labelFreeMap(w, x);
    const ranking = Array.from(map.keys()).sort((a, b) => map[b]! - map[a]! || a - b);
    return [4, 8].map((count) => {
      const kept = Float64Array.from(x, (v, i) => (ranking.slice(0, count).includes(i) ? v : 0));
      const shift = encode(w, kept).map((v, j) => v - w.b[j]!);
      return Math.hypot(...shift);
    });
  });
  result.perExample.forEach((e, n) => expectClose(e.top, tops[n]!, 1e-4, 1e-4));
  expectClose(result.top.mean, [0, 1].map((f) => (tops[0]![f]! + tops[1]![f]!) / 2), 1e-4, 1e-4);
  expectClose(result.top.std, [0, 1].map((f) => Math.abs(tops[0]![f]! - tops[1]![f]!) / 2), 1e-4, 1e-4);
  assert.ok(result.random.mean.every((m) => m > 0) && result.random.std.every((s) => s >= 0));

  const drop = await consistency({ manifestPath: runs.classifierManifest, testIndices: [4], method: IG, target: { kind: 'class', classIndex: 1 }, fractions: [1], randomMasks: 1 }, jobContext(store));
  assert.equal(drop.measure, 'drop');
  // Masking every feature leaves the zero image: the drop is p_1(x) - p_1(0).
  const x = example(runs.test, 4);
  const last = runs.checkpoints[1]!.weights;
  expectClose(drop.top.mean[0]!, probabilities(last, x)[1]! - probabilities(last, new Float32Array(FEATURES))[1]!, 1e-5, 1e-4);
});

test('sanity check: randomises only the layers under the explained output, on a copy, and step 0 is the unchanged map', async () => {
  const common = { manifestPath: runs.classifierManifest, checkpoint: runs.checkpoints[0]!.path, testIndex: 3, method: IG };
  const reference = await attribute({ ...common, target: { kind: 'labelFree' } }, jobContext(store, createAttributionCache(0)));
  const before = tf.memory().numTensors;
  const labelFree = await sanityCheck({ ...common, target: { kind: 'labelFree' } }, jobContext(store));
  assert.equal(tf.memory().numTensors, before, 'no tensors leaked');
  assert.deepEqual(labelFree.steps.map((s) => s.layer), [null, 'enc_latent']);
  assert.equal(labelFree.steps[0]!.spearman, 1);
  assert.equal(labelFree.steps[0]!.spearmanAbsolute, 1);
  assert.ok(labelFree.steps[1]!.spearman < 0.999, 'randomising the encoder changes the label-free map');
  const classes = await sanityCheck({ ...common, target: { kind: 'class' } }, jobContext(store));
  assert.deepEqual(classes.steps.map((s) => s.layer), [null, 'head', 'enc_latent']);
  assert.deepEqual(classes.steps[2]!.randomizedLayers, ['head', 'enc_latent']);
  assert.equal(classes.target.kind, 'class');
  const after = await attribute({ ...common, target: { kind: 'labelFree' } }, jobContext(store, createAttributionCache(0)));
  assert.deepEqual(after.maps[0]!.values, reference.maps[0]!.values, 'the shared model kept its weights');
});

test('comparing representations: 1 against itself, and the Pearson of the closed-form label-free maps across checkpoints', async () => {
  const indices = [0, 1, 2, 3];
  const same = await compareRepresentations({ manifestPath: runs.classifierManifest, checkpoint: runs.checkpoints[0]!.path, other: { checkpoint: runs.checkpoints[0]!.path }, testIndices: indices, method: IG }, jobContext(store));
  expectClose(same.mean, 1, 1e-6, 0);
  expectClose(same.std, 0, 1e-6, 0);
  const before = tf.memory().numTensors;
  const across = await compareRepresentations(
    { manifestPath: runs.classifierManifest, checkpoint: runs.checkpoints[0]!.path, other: { manifestPath: runs.classifierManifest, checkpoint: runs.checkpoints[1]!.path }, testIndices: indices, method: IG },
    jobContext(store),
  );
  assert.equal(tf.memory().numTensors, before, 'no tensors leaked');
  const [a, b] = [runs.checkpoints[0]!.weights, runs.checkpoints[1]!.weights];
  const expected = indices.map((index) => pearsonOf(labelFreeMap(a, example(runs.test, index)), labelFreeMap(b, example(runs.test, index))));
  expectClose(across.perExample.map((e) => e.pearson), expected, 1e-4, 1e-4);
  const mean = expected.reduce((s, r) => s + r, 0) / expected.length;
  expectClose(across.mean, mean, 1e-4, 1e-4);
  expectClose(across.std, Math.sqrt(expected.reduce((s, r) => s + (r - mean) ** 2, 0) / expected.length), 1e-4, 1e-4);
  assert.equal(across.b.checkpoint, runs.checkpoints[1]!.path);
});
