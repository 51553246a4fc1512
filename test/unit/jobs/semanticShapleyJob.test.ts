import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import '@tensorflow/tfjs-backend-cpu';
import type { Progress } from '../../../src/protocol/rpc';
import { binNames, semanticShapleyJob, type SemanticJobContext } from '../../../src/engine/jobs/semantic/semanticShapleyJob';
import { RunStore } from '../../../src/engine/run/runStore';
import { CLASSES, example, FEATURES, probabilities, saveModel, SIDE, writeTinyRuns, type TinyRuns } from './fixtures';

let runs: TinyRuns;
let vae: { manifest: string; noDecoder: string; encoder: tfl.LayersModel; decoder: tfl.LayersModel };

/** A tiny VAE run beside the tiny runs: encoder heads z_mean and z_log_var over the 4 x 4 images, a dense decoder back to them. */
async function writeVaeRun(dir: string): Promise<typeof vae> {
  const input = tfl.input({ shape: [SIDE, SIDE, 1] });
  const flat = tfl.layers.flatten({ name: 'enc_flatten' }).apply(input) as tfl.SymbolicTensor;
  const mu = tfl.layers.dense({ name: 'z_mean', units: 2, kernelInitializer: tfl.initializers.randomNormal({ seed: 1 }) }).apply(flat) as tfl.SymbolicTensor;
  const logVar = tfl.layers.dense({ name: 'z_log_var', units: 2 }).apply(flat) as tfl.SymbolicTensor;
  const encoder = tfl.model({ inputs: input, outputs: [mu, logVar] });
  const decoder = tfl.sequential({
    layers: [
      tfl.layers.dense({ name: 'dec_dense', inputShape: [2], units: FEATURES, activation: 'sigmoid', kernelInitializer: tfl.initializers.randomNormal({ seed: 2, stddev: 2 }) }),
      tfl.layers.reshape({ name: 'dec_reshape', targetShape: [SIDE, SIDE, 1] }),
    ],
  });
  await saveModel(encoder, path.join(dir, 'vae', 'checkpoints', 'epoch-1'));
  await saveModel(decoder, path.join(dir, 'vae', 'checkpoints', 'epoch-1-decoder'));
  const dataset = (split: string) => ({ path: `../data/${split}-x.npy`, labels: { path: `../data/${split}-y.npy` } });
  const manifest = (decoderPath?: string) => ({
    version: 1,
    checkpoints: [{ path: 'checkpoints/epoch-1', epoch: 1, learningRate: 0.001, ...(decoderPath ? { decoder: decoderPath } : {}) }],
    train: dataset('train'),
    test: dataset('test'),
    loss: { kind: 'vae', beta: 1 },
    representationLayer: 'z_mean',
    vae: { latentDim: 2, muLayer: 'z_mean', logVarLayer: 'z_log_var' },
  });
  const file = path.join(dir, 'vae', 'modeldebug.json');
  const noDecoder = path.join(dir, 'vae', 'no-decoder.json');
  await writeFile(file, JSON.stringify(manifest('checkpoints/epoch-1-decoder')));
  await writeFile(noDecoder, JSON.stringify(manifest()));
  return { manifest: file, noDecoder, encoder, decoder };
}

before(async () => {
  await tf.setBackend('cpu');
  runs = await writeTinyRuns(await mkdtemp(path.join(tmpdir(), 'modeldebug-semantic-')));
  vae = await writeVaeRun(runs.dir);
});

after(async () => {
  await rm(runs.dir, { recursive: true, force: true });
});

function context(signal = new AbortController().signal): SemanticJobContext & { messages: Progress[] } {
  const messages: Progress[] = [];
  return { store: new RunStore(), signal, progress: (p) => messages.push(p), messages };
}

function sum(values: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i]!;
  return s;
}

function argmax(values: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i]! > values[best]!) best = i;
  return best;
}

// A 4 x 4 image has radii 0, 0.25, 0.35, 0.5, 0.56 and 0.71 cycles/px: 3 equal-width bins all hold modes.
const base = { representation: { kind: 'fourier', bins: 3 }, target: { kind: 'class' }, testIndices: [0, 1, 2], scope: 'local', background: 4 } as const;

test('exact semantic Shapley over Fourier bins on the tiny classifier: efficiency, v(N) = p(x), v(∅) = mean p over the background', async () => {
  const ctx = context();
  const result = await semanticShapleyJob({ ...base, manifestPath: runs.classifierManifest }, ctx);
  const w = runs.checkpoints[1]!.weights;
  assert.equal(result.method, 'exact');
  assert.equal(result.checkpoint, runs.checkpoints[1]!.path);
  assert.deepEqual(result.featureNames, ['0.00–0.24 cycles/px', '0.24–0.47 cycles/px', '0.47–0.71 cycles/px']);
  assert.deepEqual(result.representation, { kind: 'fourier', bins: 3, edges: result.representation.kind === 'fourier' ? result.representation.edges : [], modesPerBin: [1, 8, 7] });
  assert.equal(result.backgroundIndices.length, 4);
  assert.equal(result.global, undefined);
  assert.equal(result.evaluations, 3 * 2 ** 3 * 4);
  for (const e of result.examples) {
    const p = probabilities(w, example(runs.test, e.index));
    assert.equal(e.classIndex, argmax(p), 'the predicted class by default');
    assert.equal(e.className, ['zero', 'one', 'two'][e.classIndex]);
    assert.equal(e.values.length, 3);
    assert.equal(e.standardErrors.length, 3);
    // The DFT round trip returns x up to float32 rounding.
    assert.ok(Math.abs(e.fullValue - p[e.classIndex]!) < 1e-4, `v(N) ${e.fullValue} vs p(x) ${p[e.classIndex]}`);
    const empty = result.backgroundIndices.reduce((s, n) => s + probabilities(w, example(runs.train, n))[e.classIndex]!, 0) / 4;
    assert.ok(Math.abs(e.emptyValue - empty) < 1e-4, `v(∅) ${e.emptyValue} vs ${empty}`);
    assert.ok(Math.abs(sum(e.values) - (e.fullValue - e.emptyValue)) < 1e-6, 'efficiency');
    assert.ok(Math.abs(e.efficiencyGap) < 1e-6);
  }
  assert.ok(ctx.messages.length > 0);
});

test('global scope: the mean of the local values, efficiency of the mean; permutation sampling is efficient too', async () => {
  const global = await semanticShapleyJob({ ...base, manifestPath: runs.classifierManifest, scope: 'global', target: { kind: 'class', classIndex: 2 } }, context());
  const g = global.global!;
  assert.equal(g.examples, 3);
  for (let j = 0; j < 3; j++) {
    const mean = sum(global.examples.map((e) => e.values[j]!)) / 3;
    const meanAbs = sum(global.examples.map((e) => Math.abs(e.values[j]!))) / 3;
    assert.ok(Math.abs(g.mean[j]! - mean) < 1e-12);
    assert.ok(Math.abs(g.meanAbsolute[j]! - meanAbs) < 1e-12);
    assert.ok(g.meanStandardErrors[j]! >= 0 && g.meanAbsoluteStandardErrors[j]! >= 0);
  }
  assert.ok(global.examples.every((e) => e.classIndex === 2));
  assert.ok(Math.abs(g.efficiencyGap) < 1e-6);
  const sampled = await semanticShapleyJob({ ...base, manifestPath: runs.classifierManifest, method: 'permutation', samples: 16, seed: 3 }, context());
  assert.equal(sampled.method, 'permutation');
  assert.equal(sampled.samples, 16);
  for (const e of sampled.examples) assert.ok(Math.abs(e.efficiencyGap) < 1e-6, `sampled efficiency gap ${e.efficiencyGap}`);
});

test('VAE latent units through the declared decoder: efficiency, and v(N) = p(decode(μ(x))) by hand', async () => {
  const result = await semanticShapleyJob({ ...base, manifestPath: runs.classifierManifest, representation: { kind: 'vae', manifestPath: vae.manifest }, scope: 'global' }, context());
  assert.deepEqual(result.representation, { kind: 'vae', latentDim: 2, manifestPath: vae.manifest, checkpoint: 'checkpoints/epoch-1', decoder: 'checkpoints/epoch-1-decoder' });
  assert.deepEqual(result.featureNames, ['z0', 'z1']);
  assert.equal(result.method, 'exact');
  const w = runs.checkpoints[1]!.weights;
  for (const e of result.examples) {
    const decoded = tf.tidy(() => {
      const x = tf.tensor(example(runs.test, e.index), [1, SIDE, SIDE, 1]);
      const mu = (vae.encoder.apply(x) as tf.Tensor[])[0]!;
      return (vae.decoder.apply(mu) as tf.Tensor).dataSync();
    });
    const expected = probabilities(w, decoded)[e.classIndex]!;
    assert.ok(Math.abs(e.fullValue - expected) < 1e-5, `v(N) ${e.fullValue} vs ${expected}`);
    assert.ok(Math.abs(e.efficiencyGap) < 1e-6);
  }
  assert.ok(Math.abs(result.global!.efficiencyGap) < 1e-6);
});

test('no tensor leaks', async () => {
  const ctx = context();
  await semanticShapleyJob({ ...base, manifestPath: runs.classifierManifest }, ctx);
  const before = tf.memory().numTensors;
  await semanticShapleyJob({ ...base, manifestPath: runs.classifierManifest, scope: 'global', seed: 4 }, ctx);
  await semanticShapleyJob({ ...base, manifestPath: runs.classifierManifest, method: 'permutation', samples: 8 }, ctx);
  assert.equal(tf.memory().numTensors, before, 'tensor count changed');
  const vaeParams = { ...base, manifestPath: runs.classifierManifest, representation: { kind: 'vae', manifestPath: vae.manifest } };
  await semanticShapleyJob(vaeParams, ctx);
  const withVae = tf.memory().numTensors;
  await semanticShapleyJob({ ...vaeParams, seed: 2 }, ctx);
  assert.equal(tf.memory().numTensors, withVae, 'the VAE run leaked tensors');
});

test('cancelling stops the job', async () => {
  const controller = new AbortController();
  controller.abort();
  await assert.rejects(semanticShapleyJob({ ...base, manifestPath: runs.classifierManifest }, context(controller.signal)));
});

test('bin names read as radius ranges', () => {
  assert.deepEqual(binNames([0, 0.05, 0.1]), ['0.00–0.05 cycles/px', '0.05–0.10 cycles/px']);
});

async function rejects(params: Record<string, unknown>, field: RegExp): Promise<void> {
  await assert.rejects(semanticShapleyJob(params, context()), (error: { code?: string; message?: string }) => {
    assert.equal(error.code, 'invalidParams', `code for ${JSON.stringify(params)}: ${error.message}`);
    assert.match(error.message ?? '', field);
    return true;
  });
}

test('invalid params are refused with the field named; a VAE without a declared decoder is refused', async () => {
  const m = runs.classifierManifest;
  await rejects({ ...base, manifestPath: m, representation: { kind: 'vae' } }, /^representation\.kind 'vae' needs a VAE run whose manifest declares a "vae" section .*no decoder is declared/);
  await rejects({ ...base, manifestPath: m, representation: { kind: 'vae', manifestPath: vae.noDecoder } }, /^representation\.kind 'vae': no decoder is declared for checkpoint "checkpoints\/epoch-1"/);
  await rejects({ ...base, manifestPath: m, representation: { kind: 'vae', decoder: 'x' } }, /^representation\.decoder is not a known field/);
  await rejects({ ...base, manifestPath: m, representation: { kind: 'wavelet' } }, /^representation\.kind must be one of fourier, vae/);
  await rejects({ ...base, manifestPath: m, representation: { kind: 'fourier', edges: [0, 1] } }, /^representation\.edges is not a known field/);
  await rejects({ ...base, manifestPath: m, representation: { kind: 'fourier', bins: 6 } }, /^representation\.bins bins: bin 1 .* holds no Fourier mode of a 4 x 4 image/);
  await rejects({ ...base, manifestPath: m, representation: { kind: 'fourier', bins: 65 } }, /^representation\.bins must be an integer in 1\.\.64/);
  await rejects({ ...base, manifestPath: runs.autoencoderManifest }, /^target\.kind "class" needs a model with a class output/);
  await rejects({ ...base, manifestPath: m, target: { kind: 'unit' } }, /^target\.kind must be one of class/);
  await rejects({ ...base, manifestPath: m, target: { kind: 'class', classIndex: CLASSES } }, /^target\.classIndex is 3, but the model has 3 classes/);
  await rejects({ ...base, manifestPath: m, scope: undefined }, /^scope must be one of local, global/);
  await rejects({ ...base, manifestPath: m, samples: 7, method: 'permutation' }, /^samples must be even/);
  await rejects({ ...base, manifestPath: m, samples: 8, method: 'exact' }, /^samples applies to the permutation method/);
  await rejects({ ...base, manifestPath: m, samples: 8 }, /^samples applies to the permutation method, and with 3 features method 'auto' is exact/);
  await rejects({ ...base, manifestPath: m, background: 0 }, /^background must be an integer in 1\.\.1024/);
  await rejects({ ...base, manifestPath: m, testIndices: [99] }, /^testIndices\[0\] is 99, outside/);
  await rejects({ ...base, manifestPath: m, bogus: true }, /^bogus is not a known field/);
  await rejects({ ...base, manifestPath: m, method: 'kernel' }, /^method must be one of auto, exact, permutation/);
});
