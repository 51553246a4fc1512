/**
 * `examples/compare` on two checkpoints of one run: TracIn summed over the
 * run's checkpoints would give both sides the same scores (r = 1 by
 * construction), so each side must be scored at its own checkpoint only.
 * The oracle is closed-form: for the tiny classifier (softmax of a linear
 * head on a linear encoder, cross-entropy) the per-example gradient is
 *   ∂W = x uᵀ, ∂b = u, ∂V = f eᵀ, ∂c = e,  with e = p - onehot(y), u = V e,
 * so <g, g'> = (x·x' + 1)(u·u') + (f·f' + 1)(e·e').
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import type { Progress } from '../../../src/protocol/rpc';
import { RpcError } from '../../../src/protocol/rpc';
import { RunStore } from '../../../src/engine/run/runStore';
import { compareExampleImportance } from '../../../src/engine/jobs/examples/compareExamplesJob';
import { importanceScores } from '../../../src/engine/jobs/examples/importanceScores';
import { resolveExampleSpec } from '../../../src/engine/jobs/examples/exampleSpecs';
import { GradientIndexStore, sketchedScores, sketchRows } from '../../../src/engine/jobs/examples/gradientIndex';
import { RepresentationCache } from '../../../src/engine/jobs/examples/representationCache';
import { openExplainedModel } from '../../../src/engine/jobs/explainedModel';
import type { ExampleJobContext } from '../../../src/engine/jobs/examples/exampleJobContext';
import { expectClose } from '../metrics/testUtils';
import { CLASSES, LATENT, TRAIN_COUNT, encode, example, pearsonOf, probabilities, writeTinyRuns, type ClassifierWeights, type TinyRuns } from './fixtures';

/** The fixtures' manifest gives every checkpoint this learning rate. */
const ETA = 0.01;
const TEST = [0, 1, 2, 3];

let runs: TinyRuns;

before(async () => {
  await tf.setBackend('cpu');
  runs = await writeTinyRuns(await mkdtemp(path.join(tmpdir(), 'modeldebug-compare-')));
});

after(async () => {
  await rm(runs.dir, { recursive: true, force: true });
});

function context(): ExampleJobContext & { messages: Progress[] } {
  const messages: Progress[] = [];
  return { store: new RunStore(), index: new GradientIndexStore(), representations: new RepresentationCache(), signal: new AbortController().signal, progress: (p) => messages.push(p), messages };
}

const dot = (a: ArrayLike<number>, b: ArrayLike<number>): number => Array.from(a).reduce((s, v, i) => s + v * b[i]!, 0);

/** x, f, e and u of one labelled example (labels are index mod CLASSES in the fixtures). */
function gradientParts(w: ClassifierWeights, x: Float32Array, label: number) {
  const e = Array.from(probabilities(w, x), (p, k) => p - (k === label ? 1 : 0));
  const u = Array.from({ length: LATENT }, (_, j) => e.reduce((s, ek, k) => s + w.V[j * CLASSES + k]! * ek, 0));
  return { x, f: encode(w, x), e, u };
}

/** Single-checkpoint TracIn η <∇L(test), ∇L(train n)> for every training example n. */
function oracle(w: ClassifierWeights, testIndex: number): number[] {
  const t = gradientParts(w, example(runs.test, testIndex), testIndex % CLASSES);
  return Array.from({ length: TRAIN_COUNT }, (_, n) => {
    const g = gradientParts(w, example(runs.train, n), n % CLASSES);
    return ETA * ((dot(t.x, g.x) + 1) * dot(t.u, g.u) + (dot(t.f, g.f) + 1) * dot(t.e, g.e));
  });
}

const params = (method: object, other: object = { checkpoint: runs.checkpoints[0]!.path }) => ({
  manifestPath: runs.classifierManifest,
  checkpoint: runs.checkpoints[1]!.path,
  other,
  testIndices: TEST,
  method,
});

test('TracIn restricted to one checkpoint equals the closed-form single-checkpoint scores', async () => {
  const ctx = context();
  for (const [c, checkpoint] of runs.checkpoints.entries()) {
    const subject = await openExplainedModel(ctx.store, runs.classifierManifest, checkpoint.path, ctx.signal);
    const scored = await importanceScores(subject, resolveExampleSpec({ method: 'tracin', mode: 'exact' }), TEST, ctx, undefined, { tracinCheckpoints: [c] });
    TEST.forEach((t, i) => expectClose(scored.scores[i]!, oracle(checkpoint.weights, t), 1e-6, 1e-4));
  }
});

test('two checkpoints of one run: exact TracIn r is the oracle\u2019s, not 1, and the result says each checkpoint was scored alone', async () => {
  const result = await compareExampleImportance(params({ method: 'tracin', mode: 'exact' }), context());
  assert.equal(result.scoredCheckpoints, 'chosen');
  assert.deepEqual([result.a.checkpoint, result.b.checkpoint], [runs.checkpoints[1]!.path, runs.checkpoints[0]!.path]);
  const expected = TEST.map((t) => pearsonOf(oracle(runs.checkpoints[1]!.weights, t), oracle(runs.checkpoints[0]!.weights, t)));
  // The fixtures' two checkpoints disagree, so r = 1 would be the bug, not a coincidence.
  assert.ok(expected.every((r) => r < 0.99), `oracle r: ${expected.join(', ')}`);
  expectClose(result.perExample.map((e) => e.pearson), expected, 1e-4, 0);
  assert.ok(result.mean < 0.99);
});

test('sketched TracIn on two checkpoints reuses only those checkpoints\u2019 index rows', async () => {
  const ctx = context();
  const spec = resolveExampleSpec({ method: 'tracin', sketchDim: 512 });
  const subject = await openExplainedModel(ctx.store, runs.classifierManifest, runs.checkpoints[0]!.path, ctx.signal);
  const scored = await importanceScores(subject, spec, TEST, ctx, undefined, { tracinCheckpoints: [0] });
  assert.deepEqual(scored.index, { sketchDim: 512, built: 1, reused: 0 }, 'only the chosen checkpoint is indexed');
  // The same numbers as a query of that checkpoint's rows alone.
  const index = await ctx.index.ensure(ctx.store, subject.run, { sketchDim: 512, signal: ctx.signal, progress: () => {} });
  const testRows = await sketchRows(subject.model, subject.run, subject.run.test, 'test', TEST, 512, 256);
  TEST.forEach((t, i) => {
    expectClose(scored.scores[i]!, sketchedScores([index.checkpoints[0]!], [testRows], i, TRAIN_COUNT), 1e-7, 1e-5);
    assert.ok(pearsonOf(scored.scores[i]!, oracle(runs.checkpoints[0]!.weights, t)) > 0.95, 'the sketch tracks the exact single-checkpoint scores');
  });

  const result = await compareExampleImportance(params({ method: 'tracin', sketchDim: 512 }), ctx);
  assert.equal(result.scoredCheckpoints, 'chosen');
  const expected = TEST.map((t) => pearsonOf(oracle(runs.checkpoints[1]!.weights, t), oracle(runs.checkpoints[0]!.weights, t)));
  expectClose(result.perExample.map((e) => e.pearson), expected, 0.1, 0);
  assert.ok(result.perExample.every((e) => e.pearson < 0.99));
});

test('two different runs keep TracIn over each run\u2019s own checkpoints, and say so', async () => {
  const result = await compareExampleImportance(params({ method: 'tracin', mode: 'exact' }, { manifestPath: runs.autoencoderManifest }), context());
  assert.equal(result.scoredCheckpoints, 'eachRun');
  const knn = await compareExampleImportance(params({ method: 'deepKnn' }), context());
  assert.equal(knn.scoredCheckpoints, 'chosen');
  assert.ok(knn.perExample.every((e) => Number.isFinite(e.pearson)));
});

test('the same encoder twice is refused, naming other, before any scoring', async () => {
  const same = (e: unknown): boolean => e instanceof RpcError && e.code === 'invalidParams' && /^other is the same encoder as the first .*; choose another checkpoint or run$/.test(e.message);
  const ctx = context();
  for (const method of [{ method: 'tracin' }, { method: 'deepKnn' }]) {
    await assert.rejects(compareExampleImportance(params(method, { checkpoint: runs.checkpoints[1]!.path }), ctx), same);
  }
  // The same manifest named again, no checkpoint: its default is the last one, as the first side's.
  await assert.rejects(compareExampleImportance({ ...params({ method: 'tracin' }, { manifestPath: runs.classifierManifest }), checkpoint: undefined }, ctx), same);
  assert.deepEqual(ctx.messages, []);
});

test('the comparison leaks no tensors', async () => {
  const ctx = context();
  // Warm-up: models, the sketcher's projection and the index stay cached by design.
  for (const mode of ['exact', 'sketch']) await compareExampleImportance(params({ method: 'tracin', mode }), ctx);
  const before = tf.memory().numTensors;
  for (const mode of ['exact', 'sketch', 'lastLayers']) await compareExampleImportance(params({ method: 'tracin', mode }), ctx);
  assert.equal(tf.memory().numTensors, before);
});
