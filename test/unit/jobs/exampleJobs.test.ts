import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import type { Progress } from '../../../src/protocol/rpc';
import { RunStore } from '../../../src/engine/run/runStore';
import { exampleImportance } from '../../../src/engine/jobs/examples/exampleImportanceJob';
import { buildGradientIndex } from '../../../src/engine/jobs/examples/buildIndexJob';
import { selfInfluence } from '../../../src/engine/jobs/examples/selfInfluenceJob';
import { suspicious } from '../../../src/engine/jobs/examples/suspiciousJob';
import { exampleConsistency } from '../../../src/engine/jobs/examples/exampleConsistencyJob';
import { compareExampleImportance } from '../../../src/engine/jobs/examples/compareExamplesJob';
import { GradientIndexStore } from '../../../src/engine/jobs/examples/gradientIndex';
import { RepresentationCache } from '../../../src/engine/jobs/examples/representationCache';
import type { ExampleJobContext } from '../../../src/engine/jobs/examples/exampleJobContext';
import { encode, pearsonOf, writeTinyRuns, overwriteClassifier, classifierWeights, TRAIN_COUNT, example, type TinyRuns } from './fixtures';

let runs: TinyRuns;

before(async () => {
  await tf.setBackend('cpu');
  runs = await writeTinyRuns(await mkdtemp(path.join(tmpdir(), 'modeldebug-examples-')));
});

after(async () => {
  await rm(runs.dir, { recursive: true, force: true });
});

function context(signal = new AbortController().signal): ExampleJobContext & { messages: Progress[] } {
  const messages: Progress[] = [];
  return { store: new RunStore(), index: new GradientIndexStore(), representations: new RepresentationCache(), signal, progress: (p) => messages.push(p), messages };
}

test('exact and last-layer TracIn, and sketched TracIn agreeing with exact, with proponents first and opponents last', async () => {
  const ctx = context();
  const base = { manifestPath: runs.classifierManifest, testIndices: [0, 4], topK: 3, includeScores: true };
  const exact = await exampleImportance({ ...base, method: { method: 'tracin', mode: 'exact' } }, ctx);
  const sketched = await exampleImportance({ ...base, method: { method: 'tracin', mode: 'sketch', sketchDim: 512 } }, ctx);
  const last = await exampleImportance({ ...base, method: { method: 'tracin', mode: 'lastLayers', lastLayers: 1 } }, ctx);
  assert.equal(exact.family, 'gradient');
  assert.deepEqual(exact.settings, { method: 'tracin', mode: 'exact' });
  assert.deepEqual(sketched.index, { sketchDim: 512, built: 2, reused: 0 });
  assert.match(last.notes?.[0] ?? '', /last 1 relevant layer\(s\): head/);
  for (const [t, e] of exact.examples.entries()) {
    const scores = e.scores!;
    assert.equal(scores.length, TRAIN_COUNT);
    const sorted = [...scores].sort((a, b) => b - a);
    assert.deepEqual(e.proponents.map((p) => p.score), sorted.slice(0, 3).map((v) => Math.fround(v)));
    assert.deepEqual(e.opponents.map((p) => p.score), sorted.slice(-3).reverse().map((v) => Math.fround(v)));
    assert.equal(e.proponents[0]!.row, e.proponents[0]!.index);
    assert.ok(pearsonOf(scores, sketched.examples[t]!.scores!) > 0.95, 'sketched TracIn tracks exact TracIn');
    // Dropping layers changes the scores: the last-layer mode is not the exact one.
    assert.ok(Math.abs(pearsonOf(scores, last.examples[t]!.scores!)) < 0.9999);
  }
  // A second query reuses the index on disk and in memory.
  const again = await exampleImportance({ ...base, method: { method: 'tracin' } }, ctx);
  assert.deepEqual(again.index, { sketchDim: 512, built: 0, reused: 2 });
});

test('Deep-KNN scores are inverse latent distances; representation methods list least similar examples, not opponents', async () => {
  const ctx = context();
  const result = await exampleImportance({ manifestPath: runs.classifierManifest, checkpoint: runs.checkpoints[0]!.path, testIndices: [2], method: { method: 'deepKnn' }, topK: 2, includeScores: true }, ctx);
  const w = runs.checkpoints[0]!.weights;
  const z = encode(w, example(runs.test, 2));
  const expected = Array.from({ length: TRAIN_COUNT }, (_, n) => {
    const zn = encode(w, example(runs.train, n));
    return 1 / (Math.sqrt(z.reduce((s, v, j) => s + (v - zn[j]!) ** 2, 0)) + 1e-8);
  });
  const e = result.examples[0]!;
  e.scores!.forEach((s, n) => assert.ok(Math.abs(s - expected[n]!) <= 1e-4 * expected[n]!, `score ${n}`));
  assert.equal(result.family, 'representation');
  assert.deepEqual(e.opponents, []);
  const order = expected.map((v, n) => [v, n] as const).sort((a, b) => b[0] - a[0]);
  assert.deepEqual(e.proponents.map((p) => p.index), order.slice(0, 2).map(([, n]) => n));
  assert.deepEqual(e.leastSimilar!.map((p) => p.index), order.slice(-2).reverse().map(([, n]) => n));
});

test('SimplEx weights sum to one and the result reports the latent reconstruction error', async () => {
  const result = await exampleImportance({ manifestPath: runs.classifierManifest, testIndices: [1], method: { method: 'simplex', epochs: 300, learningRate: 0.05 }, includeScores: true }, context());
  const e = result.examples[0]!;
  assert.ok(Math.abs(e.scores!.reduce((s, v) => s + v, 0) - 1) < 1e-4);
  assert.ok(e.simplex && Number.isFinite(e.simplex.reconstructionError) && e.simplex.corpusSize === TRAIN_COUNT);
});

test('influence functions score with the Koh-Liang sign: proponents are the lowest scores', async () => {
  const result = await exampleImportance({ manifestPath: runs.classifierManifest, testIndices: [0], method: { method: 'influence', inverse: 'arnoldi', iterations: 6 }, topK: 2, includeScores: true }, context());
  assert.equal(result.higherIsHelpful, false);
  const scores = [...result.examples[0]!.scores!].sort((a, b) => a - b);
  assert.deepEqual(result.examples[0]!.proponents.map((p) => p.score), scores.slice(0, 2));
  assert.match(result.notes?.join(' ') ?? '', /Hessian-vector products by (double backprop|finite differences of gradients) \(.+\)/);
});

test('bad params are refused with the field named, before any work', async () => {
  await assert.rejects(exampleImportance({ manifestPath: runs.classifierManifest, testIndices: [0], method: { method: 'tracin', mode: 'fast' } }, context()), /method\.mode must be one of sketch, exact, lastLayers/);
  await assert.rejects(exampleImportance({ manifestPath: runs.classifierManifest, testIndices: [99], method: { method: 'deepKnn' } }, context()), /testIndices\[0\] is 99/);
  await assert.rejects(exampleImportance({ manifestPath: runs.classifierManifest, testIndices: [0], method: { method: 'deepKnn', k: 3 } }, context()), /method\.k is not a known field/);
});

test('the index is rebuilt only for a changed checkpoint, and self-influence from it is exact', async () => {
  const ctx = context();
  const first = await buildGradientIndex({ manifestPath: runs.classifierManifest, sketchDim: 16 }, ctx);
  assert.ok(first.checkpoints.every((c) => c.computedChunks === c.totalChunks));
  assert.ok(ctx.messages.some((m) => m.message.includes('gradient index')));
  const tracinSelf = await selfInfluence({ manifestPath: runs.classifierManifest, method: 'tracin', topK: 3 }, ctx);
  const exact = await exampleImportance({ manifestPath: runs.classifierManifest, testIndices: [0], method: { method: 'tracin', mode: 'exact' } }, ctx);
  assert.ok(exact.examples.length === 1 && tracinSelf.scores.length === TRAIN_COUNT);
  // Self-influence Σ_c η_c ‖g_n‖² is at least the square of any TracIn term's Cauchy-Schwarz bound; check it is positive and ranked.
  assert.ok(tracinSelf.scores.every((s) => s > 0));
  assert.deepEqual(tracinSelf.top.map((t) => t.score), [...tracinSelf.scores].sort((a, b) => b - a).slice(0, 3));

  await overwriteClassifier(runs.checkpoints[1]!.file, classifierWeights(99), 5);
  const second = await buildGradientIndex({ manifestPath: runs.classifierManifest, sketchDim: 16 }, context());
  assert.equal(second.checkpoints[0]!.computedChunks, 0, 'the unchanged checkpoint is reused');
  assert.equal(second.checkpoints[1]!.computedChunks, second.checkpoints[1]!.totalChunks, 'the changed checkpoint is rebuilt');
  assert.notEqual(second.checkpoints[1]!.key, first.checkpoints[1]!.key);
  const folders = await readdir(second.cacheDir);
  assert.ok(folders.includes(first.checkpoints[0]!.key) && folders.includes(second.checkpoints[1]!.key));
});

test('a cancelled index build stops and the next request still works', async () => {
  const controller = new AbortController();
  controller.abort();
  await assert.rejects(buildGradientIndex({ manifestPath: runs.autoencoderManifest, sketchDim: 8 }, context(controller.signal)), (error: Error) => error.name === 'AbortError');
  const result = await buildGradientIndex({ manifestPath: runs.autoencoderManifest, sketchDim: 8 }, context());
  assert.equal(result.checkpoints.length, 1);
});

test('suspicious examples carry each signal in numbers; the similarity rate and encoder comparison run on every method', async () => {
  const ctx = context();
  const found = await suspicious({ manifestPath: runs.classifierManifest, limit: 3, neighbours: 3 }, ctx);
  assert.equal(found.examples.length, 3);
  assert.deepEqual(found.signals, ['selfInfluence', 'neighbourDisagreement', 'lowLabelProbability']);
  for (const e of found.examples) {
    assert.deepEqual(e.reasons.map((r) => r.signal), found.signals);
    assert.ok(e.reasons.every((r) => Number.isFinite(r.value) && /\d/.test(r.text)));
    assert.equal(e.labelName, ['zero', 'one', 'two'][e.label]);
  }
  const checks = await exampleConsistency({ manifestPath: runs.classifierManifest, testIndices: [0, 1, 2, 3], methods: [{ method: 'deepKnn' }, { method: 'tracin', mode: 'exact' }], ms: [1, 3] }, ctx);
  assert.deepEqual(checks.ms, [1, 3]);
  for (const m of checks.methods) {
    assert.equal(m.top.length, 2);
    for (const box of [...m.top, ...m.bottom]) assert.ok(box.min <= box.q1 && box.q1 <= box.median && box.median <= box.q3 && box.q3 <= box.max && box.min >= 0 && box.max <= 1);
  }
  // An encoder against itself is refused (compareExamples.test.ts), so compare the two checkpoints.
  const compared = await compareExampleImportance({ manifestPath: runs.classifierManifest, other: { checkpoint: runs.checkpoints[0]!.path }, checkpoint: runs.checkpoints[1]!.path, testIndices: [0, 1], method: { method: 'deepKnn' } }, ctx);
  assert.ok(Math.abs(compared.mean) <= 1 && compared.perExample.every((e) => Number.isFinite(e.pearson)));
});

test('the example jobs leak no tensors', async () => {
  const ctx = context();
  // Warm-up: models and representations loaded once stay cached by design.
  await exampleImportance({ manifestPath: runs.autoencoderManifest, testIndices: [0], method: { method: 'deepKnn' } }, ctx);
  await suspicious({ manifestPath: runs.classifierManifest, limit: 2, signals: ['neighbourDisagreement'] }, ctx);
  const before = tf.memory().numTensors;
  await exampleImportance({ manifestPath: runs.autoencoderManifest, testIndices: [0, 1], method: { method: 'tracin', mode: 'exact' } }, ctx);
  await exampleImportance({ manifestPath: runs.autoencoderManifest, testIndices: [1], method: { method: 'deepKnn' } }, ctx);
  await suspicious({ manifestPath: runs.classifierManifest, limit: 2, signals: ['neighbourDisagreement', 'lowLabelProbability'] }, ctx);
  assert.equal(tf.memory().numTensors, before);
});
