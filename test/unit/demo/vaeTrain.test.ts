import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import '@tensorflow/tfjs-backend-cpu';
import { loadCheckpoint } from '../../../src/engine/model/checkpoint';
import { parseManifest, type RunManifest } from '../../../src/protocol/manifest';
import { CLASS_NAMES } from '../../../demo/template/data';
import { buildLabelledEncoder, buildLatentClassifier, buildVaeDecoder, buildVaeEncoder, LOG_VAR_LAYER, MU_LAYER, vaeEncoderLayerNames } from '../../../demo/template/vaeModels';
import { BETAS, runSeed, trainVaes, vaeRuns, type VaeRunResult } from '../../../demo/template/trainVae';
import { VAE_RUN_FOLDER, writeDemoWorkspace } from '../../../scripts/demo-workspace';

const temps: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'demo-vae-'));
  temps.push(dir);
  return dir;
}
process.on('exit', () => temps.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

test('the VAE parts have the documented inputs, outputs and layer names', async () => {
  await tf.setBackend('cpu');
  const encoder = buildVaeEncoder(3, 1);
  assert.deepEqual(encoder.inputs[0]!.shape, [null, 28, 28, 1]);
  assert.deepEqual(
    encoder.outputs.map((o) => o.shape),
    [
      [null, 3],
      [null, 3],
    ],
  );
  assert.deepEqual(encoder.outputNames, [MU_LAYER, LOG_VAR_LAYER]);
  assert.deepEqual(vaeEncoderLayerNames(encoder), ['enc_conv1', 'enc_conv2', 'enc_dense', MU_LAYER, LOG_VAR_LAYER]);
  const labelled = buildLabelledEncoder(6, 10, 2);
  assert.deepEqual(
    labelled.inputs.map((i) => i.shape),
    [
      [null, 28, 28, 1],
      [null, 10],
    ],
  );
  assert.deepEqual(labelled.outputNames, [`lenc_${MU_LAYER}`, `lenc_${LOG_VAR_LAYER}`]);
  const decoder = buildVaeDecoder(3, 3);
  assert.deepEqual(decoder.inputs[0]!.shape, [null, 3]);
  assert.deepEqual(decoder.outputs[0]!.shape, [null, 28, 28, 1]);
  const classifier = buildLatentClassifier(4, 10, 4);
  assert.deepEqual(classifier.inputs[0]!.shape, [null, 4]);
  assert.deepEqual(classifier.outputs[0]!.shape, [null, 10]);
  [encoder, labelled, decoder, classifier].forEach((m) => m.dispose());
  assert.throws(() => buildVaeEncoder(0, 1), /latentDim must be a positive integer/);
  assert.throws(() => buildLatentClassifier(4, 1, 1), /classes must be an integer >= 2/);
  assert.throws(() => buildVaeDecoder(3, 0.5), /seed must be an integer/);
});

test('the runs: one supervised VAE, a beta-VAE and a beta-TCVAE per beta, seeded by name', () => {
  assert.deepEqual(
    vaeRuns('all').map((r) => r.folder),
    ['vae-supervised', ...BETAS.map((b) => `beta-vae-${b}`), ...BETAS.map((b) => `beta-tcvae-${b}`)],
  );
  assert.deepEqual(
    vaeRuns('supervised').map((r) => r.folder),
    ['vae-supervised'],
  );
  const beta = vaeRuns('beta');
  assert.equal(beta.length, 6);
  assert.ok(beta.every((r) => r.latentDim === 3 && r.classDims === undefined));
  const all = new Map(vaeRuns('all').map((r) => [r.folder, runSeed(r)]));
  beta.forEach((r) => assert.equal(runSeed(r), all.get(r.folder), `${r.folder} has the same seed in every selection`));
  assert.equal(new Set(all.values()).size, all.size, 'seeds differ between runs');
  assert.throws(() => vaeRuns('some' as 'all'), /selection must be supervised, beta or all/);
  assert.ok(vaeRuns('all').every((r) => VAE_RUN_FOLDER.test(r.folder)), 'writeDemoWorkspace clears every run folder');
  assert.ok(!['data', 'autoencoder', 'classifier'].some((f) => VAE_RUN_FOLDER.test(f)));
});

async function trainTiny(root: string): Promise<VaeRunResult[]> {
  return trainVaes(root, { models: 'all', epochs: 1, limit: 48, batchSize: 16, backend: 'cpu', log: () => undefined });
}

function partFiles(manifestFile: string, manifest: RunManifest): string[] {
  const parts = manifest.checkpoints.flatMap((c) => [c.path, c.decoder, c.classifier, c.labelledEncoder].filter((p): p is string => p !== undefined));
  return parts.flatMap((p) => ['model.json', 'weights.bin'].map((f) => join(dirname(manifestFile), p, f)));
}

test('one epoch on a few examples writes valid manifests and checkpoints the engine loads, reproducibly', async () => {
  await tf.setBackend('cpu');
  const root = tempDir();
  await writeDemoWorkspace(root, { epochs: 1 });
  for (const file of ['trainVae.ts', 'vaeModels.ts', 'vaeLosses.ts']) assert.ok(existsSync(join(root, file)), `${file} is copied into the workspace`);
  const before = tf.memory().numTensors;
  const results = await trainTiny(root);
  assert.equal(tf.memory().numTensors, before, 'training leaves no tensors behind');
  assert.equal(results.length, 7);

  for (const { run, manifest: file, metrics } of results) {
    assert.equal(file, join(root, run.folder, 'modeldebug.json'));
    assert.ok(Number.isFinite(metrics.reconstruction) && Number.isFinite(metrics.kl), `${run.folder}: finite test metrics`);
    const manifest = parseManifest(readFileSync(file, 'utf8'), file);
    const base = dirname(file);
    assert.equal(resolve(base, manifest.script!), join(root, 'trainVae.ts'));
    assert.equal(resolve(base, manifest.train.path), join(root, 'data', 'train-images.npy'));
    assert.equal(resolve(base, manifest.test.labels!.path), join(root, 'data', 'test-labels.csv'));
    assert.deepEqual(manifest.classNames, CLASS_NAMES);
    assert.deepEqual(manifest.loss, { kind: 'vae', beta: run.beta });
    assert.equal(manifest.representationLayer, MU_LAYER);
    const supervised = run.objective === 'supervised';
    assert.deepEqual(manifest.vae, {
      objective: run.objective,
      latentDim: run.latentDim,
      ...(supervised ? { classDims: 4, alpha: 60, classifier: 'checkpoints/epoch-1/classifier', labelledEncoder: 'checkpoints/epoch-1/labelled-encoder' } : {}),
      muLayer: MU_LAYER,
      logVarLayer: LOG_VAR_LAYER,
      decoder: 'checkpoints/epoch-1/decoder',
    });
    assert.deepEqual(
      manifest.checkpoints.map((c) => [c.path, c.epoch, c.decoder]),
      [['checkpoints/epoch-1/encoder', 1, 'checkpoints/epoch-1/decoder']],
    );

    const x = tf.fill([2, 28, 28, 1], 0.5);
    const encoder = await loadCheckpoint(join(base, manifest.checkpoints[0]!.path));
    assert.deepEqual(manifest.relevantParameters, vaeEncoderLayerNames(encoder));
    const [mean, logVar] = encoder.predict(x) as tf.Tensor[];
    assert.deepEqual(mean!.shape, [2, run.latentDim]);
    assert.deepEqual(logVar!.shape, [2, run.latentDim]);
    assert.deepEqual(encoder.getLayer(manifest.vae!.muLayer).outputShape, [null, run.latentDim]);
    const decoder = await loadCheckpoint(join(base, manifest.vae!.decoder!));
    const image = decoder.predict(mean!) as tf.Tensor;
    assert.deepEqual(image.shape, [2, 28, 28, 1]);
    assert.ok(Array.from(image.dataSync()).every((v) => v >= 0 && v <= 1), `${run.folder}: decoder outputs pixel probabilities`);
    const models: tfl.LayersModel[] = [encoder, decoder];
    const tensors: tf.Tensor[] = [x, mean!, logVar!, image];
    if (supervised) {
      const classifier = await loadCheckpoint(join(base, manifest.vae!.classifier!));
      const probabilities = classifier.predict(tf.slice(mean!, [0, 0], [2, manifest.vae!.classDims!])) as tf.Tensor;
      tf.sum(probabilities, 1)
        .dataSync()
        .forEach((s) => assert.ok(Math.abs(s - 1) < 1e-5, `class probabilities sum to 1, got ${s}`));
      const labelled = await loadCheckpoint(join(base, manifest.vae!.labelledEncoder!));
      assert.equal(labelled.inputs.length, 2);
      models.push(classifier, labelled);
      tensors.push(probabilities);
    }
    tf.dispose(tensors);
    models.forEach((m) => m.dispose());
  }

  // Reproducible: a second workspace trained the same way holds byte-identical checkpoints.
  const again = tempDir();
  await writeDemoWorkspace(again, { epochs: 1 });
  const second = await trainVaes(again, { models: 'supervised', epochs: 1, limit: 48, batchSize: 16, backend: 'cpu', log: () => undefined });
  const first = results.find((r) => r.run.folder === 'vae-supervised')!;
  const files = partFiles(first.manifest, parseManifest(readFileSync(first.manifest, 'utf8'), first.manifest));
  const other = partFiles(second[0]!.manifest, parseManifest(readFileSync(second[0]!.manifest, 'utf8'), second[0]!.manifest));
  assert.equal(files.length, 8);
  files.forEach((f, i) => assert.deepEqual(readFileSync(f), readFileSync(other[i]!), `${f} is identical in a second run`));
});

test('trainVaes names bad options', async () => {
  await assert.rejects(trainVaes(tempDir(), { epochs: 0 }), /epochs must be a positive integer/);
  await assert.rejects(trainVaes(tempDir(), { batchSize: 1 }), /batchSize must be an integer >= 2/);
  await assert.rejects(trainVaes(tempDir(), { limit: 1 }), /limit must be an integer >= 2/);
  await assert.rejects(trainVaes(tempDir(), { models: 'none' as 'all' }), /selection must be supervised, beta or all/);
});
