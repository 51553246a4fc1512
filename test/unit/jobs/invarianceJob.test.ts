/**
 * vae/invariance on a tiny supervised VAE whose parts are linear with set
 * weights, so every answer has a closed form: 2 x 2 images, z = (z1a, z1b, z2),
 * μ1 = (x0, x1), μ2 = x2 + x3, log σ² linear per unit group; a classifier with
 * three 120° cones on z1 (no bias, so its regions are scale-free); decoder A
 * ignores z2 (every resample keeps the class), decoder B leaks z2 into pixel 0.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import '@tensorflow/tfjs-backend-cpu';
import type { Progress } from '../../../src/protocol/rpc';
import type {
  InvarianceCounterfactualReply,
  InvarianceCurveReply,
  InvarianceDivergenceReply,
  InvarianceReply,
  InvarianceSamplesReply,
} from '../../../src/protocol/engineProtocol';
import { writeNpy } from '../../../src/engine/data/npy';
import { invarianceJob, type InvarianceJobContext } from '../../../src/engine/jobs/invariance/invarianceJob';
import { RunStore } from '../../../src/engine/run/runStore';
import { saveModel } from './fixtures';

const TRAIN = 30;
const TEST = 6;
const ANGLES = [90, 210, 330].map((d) => (d * Math.PI) / 180);
// log σ² = x · V + c: unit 0 reads pixel 0, unit 1 pixel 1, unit 2 pixels 2 and 3.
const V = [
  [0.3, 0, 0],
  [0, 0.1, 0],
  [0, 0, 0.2],
  [0, 0, -0.1],
];
const C = [-0.2, 0.1, 0];
/** Test examples, chosen away from the class boundaries. */
const TEST_X = [
  [0.1, 0.9, 0.3, -0.2],
  [-0.8, -0.4, -0.5, 0.1],
  [0.7, -0.5, 0.2, 0.4],
  [0.05, 0.6, -0.3, -0.6],
  [-0.6, -0.2, 0.8, 0.1],
  [0.9, -0.3, -0.1, 0.5],
];

let dir: string;
let trainX: number[][];
const manifests: Record<'supervised' | 'leaky' | 'beta' | 'noClassifier', string> = { supervised: '', leaky: '', beta: '', noClassifier: '' };

function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function classOf(a: number, b: number): number {
  let best = 0;
  let bestScore = -Infinity;
  ANGLES.forEach((t, c) => {
    const score = Math.cos(t) * a + Math.sin(t) * b;
    if (score > bestScore) [best, bestScore] = [c, score];
  });
  return best;
}

function posterior(x: number[]): { mu: number[]; lv: number[] } {
  return { mu: [x[0]!, x[1]!, x[2]! + x[3]!], lv: [0, 1, 2].map((u) => x.reduce((s, v, p) => s + v * V[p]![u]!, C[u]!)) };
}

function kl(a: number[], b: number[], units: number[]): number {
  const pa = posterior(a);
  const pb = posterior(b);
  return units.reduce((s, u) => s + 0.5 * (pb.lv[u]! - pa.lv[u]! + (Math.exp(pa.lv[u]!) + (pa.mu[u]! - pb.mu[u]!) ** 2) / Math.exp(pb.lv[u]!) - 1), 0);
}

function dense(units: number, kernel: number[][], bias: number[], options: { inputShape?: number[]; activation?: 'softmax'; name: string }): tfl.layers.Layer {
  const layer = tfl.layers.dense({ units, ...options });
  return Object.assign(layer, { pendingWeights: [kernel, bias] });
}

function setPending(model: tfl.LayersModel): void {
  for (const layer of model.layers) {
    const pending = (layer as unknown as { pendingWeights?: [number[][], number[]] }).pendingWeights;
    if (pending) layer.setWeights([tf.tensor2d(pending[0]), tf.tensor1d(pending[1])]);
  }
}

async function writeRun(): Promise<void> {
  const random = seeded(5);
  trainX = Array.from({ length: TRAIN }, () => Array.from({ length: 4 }, () => 3 * random() - 1.5));
  await mkdir(path.join(dir, 'data'), { recursive: true });
  await writeFile(path.join(dir, 'data', 'train-x.npy'), writeNpy([TRAIN, 2, 2, 1], 'float32', trainX.flat()));
  await writeFile(path.join(dir, 'data', 'test-x.npy'), writeNpy([TEST, 2, 2, 1], 'float32', TEST_X.flat()));
  await writeFile(path.join(dir, 'data', 'train-y.npy'), writeNpy([TRAIN], 'int32', trainX.map((x) => classOf(x[0]!, x[1]!))));
  await writeFile(path.join(dir, 'data', 'test-y.npy'), writeNpy([TEST], 'int32', [0, 1, 2, 0, 1, 2]));

  const image = tfl.input({ shape: [2, 2, 1] });
  const flat = tfl.layers.flatten({ name: 'enc_flatten' }).apply(image) as tfl.SymbolicTensor;
  const W = [
    [1, 0, 0],
    [0, 1, 0],
    [0, 0, 1],
    [0, 0, 1],
  ];
  const mu = dense(3, W, [0, 0, 0], { name: 'z_mean' }).apply(flat) as tfl.SymbolicTensor;
  const logVar = dense(3, V, C, { name: 'z_log_var' }).apply(flat) as tfl.SymbolicTensor;
  const encoder = tfl.model({ inputs: image, outputs: [mu, logVar] });
  const decoder = (kernel: number[][]) =>
    tfl.sequential({ layers: [dense(4, kernel, [0, 0, 0, 0], { inputShape: [3], name: 'dec_dense' }), tfl.layers.reshape({ targetShape: [2, 2, 1] })] });
  const ignoresZ2 = decoder([
    [1, 0, 0, 0],
    [0, 1, 0, 0],
    [0, 0, 0, 0],
  ]);
  const leaky = decoder([
    [1, 0, 0, 0],
    [0, 1, 0, 0],
    [1, 0, 1, 0],
  ]);
  const classifier = tfl.sequential({ layers: [dense(3, [ANGLES.map(Math.cos), ANGLES.map(Math.sin)], [0, 0, 0], { inputShape: [2], activation: 'softmax', name: 'cls' })] });
  const root = path.join(dir, 'vae');
  for (const [model, name] of [
    [encoder, 'encoder'],
    [ignoresZ2, 'decoder'],
    [leaky, 'decoder-leaky'],
    [classifier, 'classifier'],
  ] as const) {
    setPending(model);
    await saveModel(model, path.join(root, 'checkpoints', name));
    model.dispose();
  }
  const dataset = (split: string) => ({ path: `../data/${split}-x.npy`, labels: { path: `../data/${split}-y.npy` } });
  const manifest = (vae: Record<string, unknown>, checkpoint: Record<string, unknown> = {}) =>
    JSON.stringify({
      version: 1,
      checkpoints: [{ path: 'checkpoints/encoder', epoch: 1, learningRate: 0.001, ...checkpoint }],
      train: dataset('train'),
      test: dataset('test'),
      classNames: ['up', 'left', 'right'],
      loss: { kind: 'vae', beta: 0.9 },
      representationLayer: 'z_mean',
      vae: { latentDim: 3, muLayer: 'z_mean', logVarLayer: 'z_log_var', ...vae },
    });
  const supervised = { objective: 'supervised', classDims: 2, alpha: 1 };
  const files = {
    supervised: manifest({ ...supervised, decoder: 'checkpoints/decoder', classifier: 'checkpoints/classifier' }),
    leaky: manifest(supervised, { decoder: 'checkpoints/decoder-leaky', classifier: 'checkpoints/classifier' }),
    beta: manifest({ decoder: 'checkpoints/decoder' }),
    noClassifier: manifest({ ...supervised, decoder: 'checkpoints/decoder' }),
  };
  for (const [key, text] of Object.entries(files)) {
    const file = path.join(root, `${key}.json`);
    await writeFile(file, text);
    manifests[key as keyof typeof manifests] = file;
  }
}

before(async () => {
  await tf.setBackend('cpu');
  dir = await mkdtemp(path.join(tmpdir(), 'modeldebug-invariance-'));
  await writeRun();
});

after(async () => {
  await rm(dir, { recursive: true, force: true });
});

const store = new RunStore();

function context(signal = new AbortController().signal): InvarianceJobContext & { messages: Progress[] } {
  const messages: Progress[] = [];
  return { store, signal, progress: (p) => messages.push(p), messages };
}

async function run<T extends InvarianceReply>(params: Record<string, unknown>, manifest = manifests.supervised): Promise<T> {
  return (await invarianceJob({ manifestPath: manifest, ...params }, context())) as T;
}

function close(actual: number, expected: number, tolerance: number, what: string): void {
  assert.ok(Math.abs(actual - expected) <= tolerance, `${what}: ${actual} vs ${expected} (± ${tolerance})`);
}

test('samples: a decoder that ignores z2 keeps the class of every resample; decoder outputs and classes by hand', async () => {
  const result = await run<InvarianceSamplesReply>({ kind: 'samples', testIndices: [0, 1, 2], count: 5, sigma: 2, seed: 3 });
  assert.equal(result.kind, 'samples');
  assert.deepEqual([result.latentDim, result.classDims, result.classes], [3, 2, 3]);
  assert.deepEqual(result.shape, [2, 2, 1]);
  assert.equal(result.decoder, 'checkpoints/decoder');
  assert.equal(result.classifier, 'checkpoints/classifier');
  assert.equal(result.matchRate, 1);
  for (const e of result.examples) {
    const x = TEST_X[e.index]!;
    assert.equal(e.predicted, classOf(x[0]!, x[1]!));
    e.mu.forEach((v, u) => close(v, posterior(x).mu[u]!, 1e-6, `μ${u}`));
    assert.equal(e.samples.length, 5);
    assert.equal(e.matchRate, 1);
    assert.equal(e.reconstructionPredicted, e.predicted);
    Array.from(e.reconstruction).forEach((v, p) => close(v, [x[0]!, x[1]!, 0, 0][p]!, 1e-6, 'reconstruction'));
    for (const s of e.samples) {
      assert.equal(s.z2.length, 1);
      assert.ok(s.matches && s.predicted === e.predicted);
      Array.from(s.values).forEach((v, p) => close(v, [x[0]!, x[1]!, 0, 0][p]!, 1e-6, 'sample'));
    }
  }
  const leaky = await run<InvarianceSamplesReply>({ kind: 'samples', testIndices: [0, 1, 2], count: 8, sigma: 2, seed: 3 }, manifests.leaky);
  let kept = 0;
  for (const e of leaky.examples) {
    const x = TEST_X[e.index]!;
    for (const s of e.samples) {
      const z2 = s.z2[0]!;
      Array.from(s.values).forEach((v, p) => close(v, [x[0]! + z2, x[1]!, z2, 0][p]!, 1e-5, 'leaky sample'));
      assert.equal(s.predicted, classOf(x[0]! + z2, x[1]!));
      assert.equal(s.matches, s.predicted === e.predicted);
      if (s.matches) kept++;
    }
  }
  close(leaky.matchRate, kept / 24, 1e-12, 'match rate');
  assert.ok(leaky.matchRate < 1, 'σ = 2 leaking into z1 changes some classes');
  const again = await run<InvarianceSamplesReply>({ kind: 'samples', testIndices: [0, 1, 2], count: 8, sigma: 2, seed: 3 }, manifests.leaky);
  assert.deepEqual(
    again.examples.map((e) => e.samples.map((s) => s.z2)),
    leaky.examples.map((e) => e.samples.map((s) => s.z2)),
    'seeded',
  );
});

/** P(class(a + σε, b) = p), ε ~ N(0, 1), by quadrature. */
function keepProbability(a: number, b: number, sigma: number): number {
  const p = classOf(a, b);
  const h = 0.001;
  let total = 0;
  for (let e = -8; e <= 8; e += h) if (classOf(a + sigma * e, b) === p) total += (h * Math.exp(-(e * e) / 2)) / Math.sqrt(2 * Math.PI);
  return total;
}

test('curve: decoder ignoring z2 keeps the class at every σ; the z1 control is 1/3 (three 120° cones) at every σ; a leaky decoder follows the quadrature', async () => {
  const sigmas = [0.5, 1, 2, 4];
  const result = await run<InvarianceCurveReply>({ kind: 'curve', sigmas, count: 256, seed: 1, batchSize: 100 });
  assert.deepEqual(result.testIndices, [0, 1, 2, 3, 4, 5], 'examples default to a sample of 100, so all 6');
  assert.equal(result.reconstruction, 1);
  assert.deepEqual(
    result.points.map((p) => p.sigma),
    sigmas,
  );
  for (const point of result.points) {
    assert.equal(point.total, 6 * 256);
    assert.equal(point.nuisance, 1);
    // With the same ε at every σ and scale-free class regions, the control is the same number at every σ.
    assert.equal(point.classUnits, result.points[0]!.classUnits);
  }
  close(result.points[0]!.classUnits, 1 / 3, 0.05, 'control');
  const leaky = await run<InvarianceCurveReply>({ kind: 'curve', sigmas, count: 256, seed: 2, testIndices: [0, 1, 2, 3, 4, 5] }, manifests.leaky);
  for (const point of leaky.points) {
    const expected = TEST_X.reduce((s, x) => s + keepProbability(x[0]!, x[1]!, point.sigma), 0) / TEST;
    close(point.nuisance, expected, 0.05, `leaky σ = ${point.sigma}`);
  }
  assert.ok(leaky.points[0]!.nuisance > leaky.points[3]!.nuisance, 'the leaky curve drops with σ');
});

test('counterfactuals: z1 toward the class means of the predicted training examples, first step predicting the class, z2 kept', async () => {
  const settings = { stepSize: 0.1, maxStep: 3 };
  const result = await run<InvarianceCounterfactualReply>({ kind: 'counterfactuals', testIndices: [0, 2, 4], ...settings });
  const counts = [0, 0, 0];
  const sums = [
    [0, 0],
    [0, 0],
    [0, 0],
  ];
  for (const x of trainX) {
    const c = classOf(x[0]!, x[1]!);
    counts[c]++;
    sums[c]![0] += x[0]!;
    sums[c]![1] += x[1]!;
  }
  assert.deepEqual(result.classCounts, counts);
  assert.ok(counts.every((n) => n > 0));
  const means = sums.map((s, c) => s.map((v) => v / counts[c]!));
  result.classMeans.forEach((m, c) => m.forEach((v, u) => close(v, means[c]![u]!, 1e-5, 'class mean')));
  assert.equal(result.backgroundCount, TRAIN);
  for (const e of result.examples) {
    const x = TEST_X[e.index]!;
    const p = classOf(x[0]!, x[1]!);
    assert.equal(e.predicted, p);
    assert.equal(e.counterfactuals.length, 3);
    for (const cf of e.counterfactuals) {
      const c = cf.classIndex;
      let t = 0;
      if (c !== p) {
        for (let j = 1; j <= 30; j++) {
          const tj = j * 0.1;
          if (classOf(x[0]! + tj * (means[c]![0]! - x[0]!), x[1]! + tj * (means[c]![1]! - x[1]!)) === c) {
            t = tj;
            break;
          }
        }
      }
      assert.ok(cf.available && cf.reached, `class ${c} reached from example ${e.index}`);
      close(cf.step, t, 1e-9, 'step');
      const z1 = [x[0]! + t * (means[c]![0]! - x[0]!), x[1]! + t * (means[c]![1]! - x[1]!)];
      close(cf.distance, Math.hypot(z1[0]! - x[0]!, z1[1]! - x[1]!), 1e-5, 'distance');
      Array.from(cf.values!).forEach((v, q) => close(v, [z1[0]!, z1[1]!, 0, 0][q]!, 1e-5, 'counterfactual image'));
      assert.equal(cf.decodedPredicted, c);
      assert.ok(cf.probability > 1 / 3);
    }
  }
  assert.equal(result.criterion, 'decoded');
  const latent = await run<InvarianceCounterfactualReply>({ kind: 'counterfactuals', testIndices: [0, 2, 4], ...settings, criterion: 'latent' });
  assert.equal(latent.criterion, 'latent');
  assert.deepEqual(
    latent.examples.map((e) => e.counterfactuals.map((c) => c.step)),
    result.examples.map((e) => e.counterfactuals.map((c) => c.step)),
    'decoder A decodes z1 exactly, so both criteria agree',
  );
  // The leaky decoder adds μ2 to pixel 0: the decoded image is read as c only where (z1a(t) + μ2, z1b(t)) is in c's cone too.
  for (const criterion of ['latent', 'decoded'] as const) {
    const leaky = await run<InvarianceCounterfactualReply>({ kind: 'counterfactuals', testIndices: [0, 1, 2, 3, 4, 5], ...settings, criterion }, manifests.leaky);
    for (const e of leaky.examples) {
      const x = TEST_X[e.index]!;
      const mu2 = x[2]! + x[3]!;
      for (const cf of e.counterfactuals) {
        const c = cf.classIndex;
        if (c === e.predicted) continue;
        let expected = -1;
        for (let j = 1; j <= 30 && expected < 0; j++) {
          const t = j * 0.1;
          const z1 = [x[0]! + t * (means[c]![0]! - x[0]!), x[1]! + t * (means[c]![1]! - x[1]!)];
          if (classOf(z1[0]!, z1[1]!) === c && (criterion === 'latent' || classOf(z1[0]! + mu2, z1[1]!) === c)) expected = t;
        }
        assert.equal(cf.reached, expected > 0, `${criterion}: example ${e.index} class ${c} reached`);
        close(cf.step, expected > 0 ? expected : 3, 1e-9, `${criterion}: example ${e.index} class ${c} step`);
        if (criterion === 'decoded' && cf.reached) assert.equal(cf.decodedPredicted, c);
      }
    }
  }
});

test('divergence: the Gaussian KL in closed form as the completeness target; each map lives on the pixels its units read', async () => {
  const result = await run<InvarianceDivergenceReply>({ kind: 'divergence', testIndices: [0, 3], background: 10, samples: 1000, seed: 4 });
  assert.equal(result.baseline, 'train');
  for (const e of result.examples) {
    const x = TEST_X[e.index]!;
    const baselines = e.baselineIndices!;
    assert.equal(baselines.length, 10);
    const [class1, nuisance] = e.maps;
    assert.deepEqual([class1.k, nuisance.k], [1, 2]);
    const expected1 = baselines.reduce((s, b) => s + kl(x, trainX[b]!, [0, 1]), 0) / 10;
    const expected2 = baselines.reduce((s, b) => s + kl(x, trainX[b]!, [2]), 0) / 10;
    close(class1.completeness.expected, expected1, 1e-4 * (1 + expected1), 'mean KL(q(z1|x) ‖ q(z1|b))');
    close(nuisance.completeness.expected, expected2, 1e-4 * (1 + expected2), 'mean KL(q(z2|x) ‖ q(z2|b))');
    close(class1.completeness.sum, expected1, 0.1 * expected1, 'z1 map sum (sampled)');
    close(nuisance.completeness.sum, expected2, 0.1 * expected2, 'z2 map sum (sampled)');
    assert.deepEqual(Array.from(class1.values.subarray(2)), [0, 0], 'z1 reads pixels 0 and 1 only');
    assert.deepEqual(Array.from(nuisance.values.subarray(0, 2)), [0, 0], 'z2 reads pixels 2 and 3 only');
    close(class1.absoluteSum, Array.from(class1.values).reduce((s, v) => s + Math.abs(v), 0), 1e-6, '|map|');
  }
});

test('divergence against invariant samples: KL of identical class posteriors is 0, so the z1 map vanishes', async () => {
  const result = await run<InvarianceDivergenceReply>({ kind: 'divergence', testIndices: [1], baseline: 'invariant', sigma: 1.5, background: 6, samples: 500 });
  const e = result.examples[0]!;
  assert.equal(e.baselineIndices, undefined);
  const x = TEST_X[1]!;
  const [class1, nuisance] = e.maps;
  assert.equal(Math.abs(class1.completeness.expected), 0, "identical posteriors");
  assert.equal(Math.abs(class1.completeness.sum), 0);
  assert.ok(Array.from(class1.values).every((v) => v === 0));
  // Decoder A makes every invariant sample [x0, x1, 0, 0], whatever z2 was drawn.
  const expected2 = kl(x, [x[0]!, x[1]!, 0, 0], [2]);
  close(nuisance.completeness.expected, expected2, 1e-5, 'KL(q(z2|x) ‖ q(z2|x~))');
  close(nuisance.completeness.sum, expected2, 0.05 * expected2, 'z2 map sum');
});

test('progress, cancellation and no tensor leaks', async () => {
  const ctx = context();
  const kinds = [
    { kind: 'samples', testIndices: [0, 1], count: 3 },
    { kind: 'curve', count: 4, sigmas: [1, 2] },
    { kind: 'counterfactuals', testIndices: [0] },
    { kind: 'divergence', testIndices: [0], samples: 8, background: 3 },
    { kind: 'divergence', testIndices: [0], samples: 8, background: 3, baseline: 'invariant' },
  ];
  for (const params of kinds) await invarianceJob({ manifestPath: manifests.supervised, ...params }, ctx);
  assert.ok(ctx.messages.length > 0 && ctx.messages.at(-1)!.fraction === 1);
  const before = tf.memory().numTensors;
  for (const params of kinds) await invarianceJob({ manifestPath: manifests.supervised, ...params, seed: 9 }, ctx);
  assert.equal(tf.memory().numTensors, before, 'tensor count changed');
  for (const params of kinds) {
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(invarianceJob({ manifestPath: manifests.supervised, ...params }, context(controller.signal)), /cancelled/);
  }
  assert.equal(tf.memory().numTensors, before, 'a cancelled job leaked tensors');
});

async function rejects(params: Record<string, unknown>, field: RegExp): Promise<void> {
  await assert.rejects(invarianceJob({ manifestPath: manifests.supervised, ...params }, context()), (error: { code?: string; message?: string }) => {
    assert.equal(error.code, 'invalidParams', `code for ${JSON.stringify(params)}: ${error.message}`);
    assert.match(error.message ?? '', field);
    return true;
  });
}

test('invalid params are refused with the field named; a run that is not a supervised VAE names vae.objective', async () => {
  await rejects({ kind: 'samples', testIndices: [0], manifestPath: manifests.beta }, /^manifestPath names a VAE run whose "vae\.objective" is "betaVae"/);
  await rejects({ kind: 'samples', testIndices: [0], manifestPath: manifests.noClassifier }, /^manifestPath .*no classifier declared for checkpoint "checkpoints\/encoder"/);
  await rejects({ kind: 'samples', testIndices: [0], bogus: 1 }, /^bogus is not a known field/);
  await rejects({ kind: 'shuffle' }, /^kind must be one of samples, curve, counterfactuals, divergence/);
  await rejects({ testIndices: [0] }, /^kind must be one of/);
  await rejects({ kind: 'samples', testIndices: [0], sigmas: [1] }, /^sigmas applies to kind 'curve', not 'samples'/);
  await rejects({ kind: 'curve', sigma: 1 }, /^sigma applies to kind 'samples' or 'divergence', not 'curve'/);
  await rejects({ kind: 'samples' }, /^testIndices must be a list of 1 to 64/);
  await rejects({ kind: 'samples', testIndices: [6] }, /^testIndices\[0\] is 6, outside 0\.\.5/);
  await rejects({ kind: 'samples', testIndices: [0], sigma: 0 }, /^sigma must be greater than 0/);
  await rejects({ kind: 'samples', testIndices: [0], count: 0 }, /^count must be an integer in 1\.\.256/);
  await rejects({ kind: 'curve', sigmas: [] }, /^sigmas must be a list of 1 to 32 numbers/);
  await rejects({ kind: 'curve', sigmas: [1, -1] }, /^sigmas\[1\] must be a number in \[0, 100\]/);
  await rejects({ kind: 'curve', testIndices: [0], examples: 3 }, /^examples applies when testIndices is absent/);
  await rejects({ kind: 'counterfactuals', testIndices: [0], stepSize: 0.5, maxStep: 0.1 }, /^maxStep must be at least stepSize/);
  await rejects({ kind: 'counterfactuals', testIndices: [0], criterion: 'nearest' }, /^criterion must be one of latent, decoded/);
  await rejects({ kind: 'divergence', testIndices: [0], baseline: 'zeros' }, /^baseline must be one of train, invariant/);
  await rejects({ kind: 'divergence', testIndices: [0], sigma: 1 }, /^sigma applies to baseline 'invariant'/);
  await rejects({ kind: 'divergence', testIndices: [0], samples: 0 }, /^samples must be an integer in 1\.\.10000/);
  await rejects({ kind: 'samples', testIndices: [0], seed: -1 }, /^seed must be an integer/);
});
