import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import type { NeonKMeansSummary, NeonResult } from '../../../src/protocol/engineProtocol';
import type { Progress } from '../../../src/protocol/rpc';
import { writeNpy } from '../../../src/engine/data/npy';
import { RepresentationCache } from '../../../src/engine/jobs/examples/representationCache';
import { neon, type NeonJobContext } from '../../../src/engine/jobs/unsupervised/neonJob';
import { NeonModelCache, seededSubsample } from '../../../src/engine/jobs/unsupervised/neonModels';
import { RunStore } from '../../../src/engine/run/runStore';
import { createRandom } from '../../../src/engine/attribution/random';
import { encode, FEATURES, SIDE, TEST_COUNT, TRAIN_COUNT, writeTinyRuns, type TinyRuns } from './fixtures';

let runs: TinyRuns;
let train: Float32Array;
let test_: Float32Array;

/** Two well-separated blobs: centre A is 0.1 everywhere, centre B is 0.9 on the first half of the pixels. */
function blobData(count: number, seed: number): Float32Array {
  const random = createRandom(seed);
  const values = new Float32Array(count * FEATURES);
  for (let n = 0; n < count; n++) {
    for (let i = 0; i < FEATURES; i++) values[n * FEATURES + i] = (n % 2 === 1 && i < FEATURES / 2 ? 0.9 : 0.1) + 0.02 * random.normal();
  }
  return values;
}

before(async () => {
  await tf.setBackend('cpu');
  runs = await writeTinyRuns(await mkdtemp(path.join(tmpdir(), 'modeldebug-neon-')));
  train = blobData(TRAIN_COUNT, 3);
  test_ = blobData(TEST_COUNT, 4);
  await writeFile(path.join(runs.dir, 'data', 'train-x.npy'), writeNpy([TRAIN_COUNT, SIDE, SIDE, 1], 'float32', train));
  await writeFile(path.join(runs.dir, 'data', 'test-x.npy'), writeNpy([TEST_COUNT, SIDE, SIDE, 1], 'float32', test_));
});

after(async () => {
  await rm(runs.dir, { recursive: true, force: true });
});

function context(signal = new AbortController().signal): NeonJobContext & { messages: Progress[] } {
  const messages: Progress[] = [];
  return { store: new RunStore(), representations: new RepresentationCache(), models: new NeonModelCache(), signal, progress: (p) => messages.push(p), messages };
}

function row(values: ArrayLike<number>, index: number, dim: number): number[] {
  return Array.from({ length: dim }, (_, i) => values[index * dim + i]!);
}

function squaredDistance(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i]! - b[i]!) ** 2;
  return s;
}

function sum(values: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i]!;
  return s;
}

/** The mean of the rows of `values` whose index satisfies `which`, in float64. */
function meanOf(values: Float32Array, count: number, dim: number, which: (n: number) => boolean): number[] {
  const mean = new Array<number>(dim).fill(0);
  let members = 0;
  for (let n = 0; n < count; n++) {
    if (!which(n)) continue;
    members++;
    for (let i = 0; i < dim; i++) mean[i]! += values[n * dim + i]!;
  }
  return mean.map((v) => v / members);
}

/** f_c(x) = min_{k≠c} ‖x − μ_k‖² − ‖x − μ_c‖², brute force. */
function clusterEvidence(centroids: number[][], x: ArrayLike<number>, c: number): number {
  let min = Infinity;
  centroids.forEach((mu, k) => {
    if (k !== c) min = Math.min(min, squaredDistance(x, mu));
  });
  return min - squaredDistance(x, centroids[c]!);
}

async function rejects(params: Record<string, unknown>, field: RegExp): Promise<void> {
  await assert.rejects(neon(params, context()), (error: { code?: string; message?: string }) => {
    assert.equal(error.code, 'invalidParams', `code for ${JSON.stringify(params)}: ${error.message}`);
    assert.match(error.message ?? '', field);
    return true;
  });
}

const base = { space: 'input', explain: 'clusterMembership', model: { kind: 'kmeans', k: 2, nInit: 3 }, testIndices: [0, 1, 2, 3, 4, 5] } as const;

test('k-means on two well-separated blobs in input space: the blob means, f_c from brute force, conserved relevance, and a cached refit', async () => {
  const ctx = context();
  const result = await neon({ ...base, manifestPath: runs.classifierManifest }, ctx);
  assert.equal(result.space, 'input');
  assert.deepEqual(result.shape, [SIDE, SIDE, 1]);
  assert.equal(result.fitCount, TRAIN_COUNT);
  assert.equal(result.subsampled, false);
  assert.equal(result.cached, false);
  assert.equal(result.checkpoint, undefined);
  const summary = result.model as NeonKMeansSummary;
  assert.equal(summary.kind, 'kmeans');
  assert.equal(summary.restartObjectives.length, 3);
  assert.equal(summary.objective, Math.min(...summary.restartObjectives));
  assert.deepEqual([...summary.clusterSizes].sort(), [5, 5]);
  // The centroids are the blob means (in some order).
  const blobA = meanOf(train, TRAIN_COUNT, FEATURES, (n) => n % 2 === 0);
  const blobB = meanOf(train, TRAIN_COUNT, FEATURES, (n) => n % 2 === 1);
  const first = row(summary.centroids, 0, FEATURES);
  const [muA, muB] = squaredDistance(first, blobA) < squaredDistance(first, blobB) ? [0, 1] : [1, 0];
  for (const [c, blob] of [[muA, blobA], [muB, blobB]] as const) {
    row(summary.centroids, c, FEATURES).forEach((v, i) => assert.ok(Math.abs(v - blob[i]!) < 1e-5, `centroid ${c}[${i}]`));
  }
  const centroids = [0, 1].map((c) => (c === muA ? blobA : blobB));
  for (const e of result.examples) {
    const x = row(test_, e.index, FEATURES);
    const expectedCluster = e.index % 2 === 0 ? muA : muB;
    assert.equal(e.cluster, expectedCluster, `example ${e.index} is in its blob's cluster`);
    const expected = clusterEvidence(centroids, x, expectedCluster);
    assert.ok(expected > 1, 'well separated');
    assert.ok(Math.abs(e.value - expected) <= 1e-6 * expected, `f_c of example ${e.index}: ${e.value} vs ${expected}`);
    assert.equal(e.relevance.length, FEATURES);
    assert.ok(e.relevance instanceof Float32Array);
    assert.ok(Math.abs(sum(e.relevance) - e.value) <= 1e-5 * e.value, 'relevance is conserved');
    assert.ok(Math.abs(e.conservation.dissipated) <= 1e-6 * e.value);
    assert.equal(e.conservation.value, e.value);
    // Blob B differs from A on the first half of the pixels only: that is where the evidence lies.
    const firstHalf = sum(e.relevance.subarray(0, FEATURES / 2));
    assert.ok(firstHalf > 0.95 * e.value, `relevance sits on the pixels that separate the blobs (${firstHalf} of ${e.value})`);
    assert.equal(e.label, e.index % 3);
  }
  assert.ok(ctx.messages.length > 0, 'progress was reported');
  const again = await neon({ ...base, manifestPath: runs.classifierManifest, testIndices: [1] }, ctx);
  assert.equal(again.cached, true);
  assert.equal(again.timings.fit, 0);
  assert.deepEqual(again.examples[0]!.relevance, result.examples[1]!.relevance);
  // Other settings refit.
  const other = await neon({ ...base, manifestPath: runs.classifierManifest, model: { kind: 'kmeans', k: 2, nInit: 2 } }, ctx);
  assert.equal(other.cached, false);
});

test('KDE outlierness in input space: o(x) from brute force, the median-heuristic γ, and the dissipated part accounted for', async () => {
  const result = await neon({ manifestPath: runs.classifierManifest, space: 'input', model: { kind: 'kde' }, explain: 'outlierness', testIndices: [0, 1] }, context());
  assert.equal(result.model.kind, 'kde');
  const distances: number[] = [];
  for (let a = 0; a < TRAIN_COUNT; a++) for (let b = a + 1; b < TRAIN_COUNT; b++) distances.push(squaredDistance(row(train, a, FEATURES), row(train, b, FEATURES)));
  distances.sort((p, q) => p - q);
  const median = distances[22]!; // 45 pairs: the middle one
  assert.ok(result.model.kind === 'kde' && result.model.gammaSource === 'median');
  const gamma = result.model.kind === 'kde' ? result.model.gamma : NaN;
  assert.ok(Math.abs(gamma - 1 / median) <= 1e-9 / median);
  for (const e of result.examples) {
    const x = row(test_, e.index, FEATURES);
    let density = 0;
    for (let n = 0; n < TRAIN_COUNT; n++) density += Math.exp(-gamma * squaredDistance(x, row(train, n, FEATURES))) / TRAIN_COUNT;
    const expected = -Math.log(density) / gamma;
    assert.ok(Math.abs(e.value - expected) <= 1e-6 * Math.abs(expected), `o(x) ${e.value} vs ${expected} (gamma ${gamma}, median ${median})`);
    assert.equal(e.cluster, undefined);
    assert.ok(e.conservation.dissipated >= 0, `dissipated ${JSON.stringify(e.conservation)}`);
    assert.ok(Math.abs(e.conservation.relevanceSum + e.conservation.dissipated - e.value) <= 1e-9 * Math.abs(e.value));
  }
});

test('KDE inlierness in input space: error bars over draws, î(x) near p̃(x), exactly conserved mean relevance', async () => {
  const result = await neon(
    { manifestPath: runs.classifierManifest, space: 'input', model: { kind: 'kde', gamma: 0.5 }, explain: 'inlierness', testIndices: [0, 3], features: 4000, draws: 4, seed: 5 },
    context(),
  );
  assert.deepEqual(result.settings, { seed: 5, features: 4000, draws: 4 });
  assert.ok(result.model.kind === 'kde' && result.model.gammaSource === 'given' && result.model.gamma === 0.5);
  for (const e of result.examples) {
    assert.equal(e.relevanceStd!.length, FEATURES);
    assert.ok(e.relevanceStd!.every((s) => s >= 0 && Number.isFinite(s)));
    assert.ok(e.relevanceStd!.some((s) => s > 0), 'different draws give different maps');
    assert.ok(e.valueStd! >= 0);
    assert.ok(Math.abs(e.value - e.exactDensity!) < 0.1, `î(x) = ${e.value} approximates p̃(x) = ${e.exactDensity}`);
    assert.ok(Math.abs(e.conservation.relevanceSum - e.value) <= 1e-5, 'Σ R_i = î(x)');
  }
});

test('representation space: NEON on the encoder layer, grounded and carried to the input by LRP, for all three explanations', async () => {
  const ctx = context();
  const w = runs.checkpoints[1]!.weights;
  const reps = Array.from({ length: TRAIN_COUNT }, (_, n) => Array.from(encode(w, row(train, n, FEATURES))));
  const kmeans = await neon({ ...base, manifestPath: runs.classifierManifest, space: 'representation', testIndices: [0, 1] }, ctx);
  assert.equal(kmeans.checkpoint, runs.checkpoints[1]!.path);
  assert.equal(kmeans.layer, 'enc_latent');
  assert.equal(kmeans.dim, 3);
  assert.ok(kmeans.timings.representations! >= 0);
  const summary = kmeans.model as NeonKMeansSummary;
  const centroids = [0, 1].map((c) => row(summary.centroids, c, 3));
  // Each centroid is the mean of the representations assigned to it.
  for (const [c, mu] of centroids.entries()) {
    const members = reps.filter((r) => squaredDistance(r, mu) <= Math.min(...centroids.map((m) => squaredDistance(r, m))));
    assert.equal(members.length, summary.clusterSizes[c]);
    mu.forEach((v, j) => assert.ok(Math.abs(v - members.reduce((s, r) => s + r[j]!, 0) / members.length) < 1e-4));
  }
  for (const e of kmeans.examples) {
    const a = encode(w, row(test_, e.index, FEATURES));
    const expected = clusterEvidence(centroids, a, e.cluster!);
    assert.ok(Math.abs(e.value - expected) <= 1e-3 * Math.max(1, Math.abs(expected)), `f_c(a) ${e.value} vs ${expected}`);
    const c = e.conservation;
    assert.ok(Math.abs(c.representationSum! + c.groundedResidual! - e.value) <= 1e-6 * Math.max(1, Math.abs(e.value)));
    assert.ok(Math.abs(c.relevanceSum - sum(e.relevance)) <= 1e-4 * Math.max(1, Math.abs(c.relevanceSum)));
    assert.equal(e.relevance.length, FEATURES);
  }
  const outlier = await neon({ manifestPath: runs.classifierManifest, space: 'representation', model: { kind: 'kde' }, explain: 'outlierness', testIndices: [2] }, ctx);
  assert.ok(Number.isFinite(outlier.examples[0]!.value));
  const inlier = await neon(
    { manifestPath: runs.classifierManifest, checkpoint: runs.checkpoints[0]!.path, space: 'representation', model: { kind: 'kde' }, explain: 'inlierness', testIndices: [2, 4], features: 300, draws: 3 },
    ctx,
  );
  assert.equal(inlier.checkpoint, runs.checkpoints[0]!.path);
  for (const e of inlier.examples) {
    assert.equal(e.relevanceStd!.length, FEATURES);
    assert.ok(Number.isFinite(e.conservation.groundedResidual!));
  }
});

test('no tensor leaks across every space and explanation', async () => {
  const ctx = context();
  const all = [
    { ...base, space: 'representation' },
    { ...base, space: 'input' },
    { space: 'representation', model: { kind: 'kde' }, explain: 'outlierness', testIndices: [0, 1] },
    { space: 'representation', model: { kind: 'kde' }, explain: 'inlierness', testIndices: [0], features: 100, draws: 2 },
    { space: 'input', model: { kind: 'kde' }, explain: 'inlierness', testIndices: [0], features: 100, draws: 2 },
  ];
  // Warm up: model loading and the cached encoders keep their own tensors.
  for (const params of all) await neon({ ...params, manifestPath: runs.classifierManifest }, ctx);
  const before = tf.memory().numTensors;
  for (const params of all) await neon({ ...params, manifestPath: runs.classifierManifest, seed: 9 }, ctx);
  assert.equal(tf.memory().numTensors, before, 'tensor count changed');
});

test('a fit subsample is seeded and reported', async () => {
  assert.deepEqual(seededSubsample(5, 9, 1), [0, 1, 2, 3, 4]);
  const picked = seededSubsample(100, 10, 3);
  assert.equal(new Set(picked).size, 10);
  assert.deepEqual(picked, [...picked].sort((a, b) => a - b));
  assert.deepEqual(seededSubsample(100, 10, 3), picked);
  const result: NeonResult = await neon({ ...base, manifestPath: runs.classifierManifest, fitExamples: 6, testIndices: [0] }, context());
  assert.equal(result.fitCount, 6);
  assert.equal(result.subsampled, true);
  assert.equal(sum((result.model as NeonKMeansSummary).clusterSizes), 6);
});

test('cancelling stops the job', async () => {
  const controller = new AbortController();
  controller.abort();
  await assert.rejects(neon({ ...base, manifestPath: runs.classifierManifest }, context(controller.signal)));
});

test('invalid params are refused with the field named', async () => {
  const m = runs.classifierManifest;
  await rejects({ ...base, manifestPath: m, extra: 1 }, /^extra is not a known field/);
  await rejects({ ...base, manifestPath: m, space: 'latent' }, /^space must be one of input, representation/);
  await rejects({ ...base, manifestPath: m, model: { kind: 'gmm' } }, /^model\.kind must be one of kmeans, kde/);
  await rejects({ ...base, manifestPath: m, model: { kind: 'kmeans' } }, /^model\.k is required/);
  await rejects({ ...base, manifestPath: m, model: { kind: 'kmeans', k: 1 } }, /^model\.k must be an integer in 2\.\.256/);
  await rejects({ ...base, manifestPath: m, model: { kind: 'kmeans', k: 2, gamma: 1 } }, /^model\.gamma is not a known field/);
  await rejects({ ...base, manifestPath: m, model: { kind: 'kde', gamma: 0 }, explain: 'outlierness' }, /^model\.gamma must be a positive number/);
  await rejects({ ...base, manifestPath: m, explain: 'outlierness' }, /^explain 'outlierness' needs model\.kind 'kde'/);
  await rejects({ ...base, manifestPath: m, model: { kind: 'kde' } }, /^explain 'clusterMembership' needs model\.kind 'kmeans'/);
  await rejects({ ...base, manifestPath: m, features: 100 }, /^features applies to explain 'inlierness'/);
  await rejects({ ...base, manifestPath: m, draws: 5 }, /^draws applies to explain 'inlierness'/);
  await rejects({ ...base, manifestPath: m, model: { kind: 'kde' }, explain: 'inlierness', beta: 2 }, /^beta applies to clusterMembership and outlierness/);
  await rejects({ ...base, manifestPath: m, model: { kind: 'kde' }, explain: 'inlierness', draws: 1 }, /^draws must be an integer in 2\.\.100/);
  await rejects({ ...base, manifestPath: m, testIndices: Array.from({ length: 65 }, (_, i) => i) }, /^testIndices must be a list of 1 to 64/);
  await rejects({ ...base, manifestPath: m, testIndices: [TEST_COUNT] }, /^testIndices\[0\] is 6, outside 0\.\.5/);
  await rejects({ ...base, manifestPath: m, fitExamples: 1 }, /^fitExamples must be an integer in 2\.\./);
  await rejects({ ...base, manifestPath: m, model: { kind: 'kmeans', k: 3 }, fitExamples: 2 }, /^fitExamples is 2, fewer than model\.k = 3/);
  await rejects({ ...base, manifestPath: m, model: { kind: 'kmeans', k: 11 } }, /^model\.k is 11, more clusters than the 10 training examples/);
  await rejects({ ...base, manifestPath: m, beta: -1 }, /^beta must be a number/);
  await rejects({ ...base, manifestPath: m, seed: 1.5 }, /^seed must be an integer/);
  await rejects({ ...base }, /^manifestPath must be a non-empty string/);
  await rejects({ ...base, manifestPath: m, model: 'kmeans' }, /^model must be an object/);
});
