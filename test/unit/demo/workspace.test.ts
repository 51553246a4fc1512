import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import '@tensorflow/tfjs-backend-cpu';
import { parseManifest, type RunManifest } from '../../../src/protocol/manifest';
import { readIdxGz } from '../../../demo/formats';
import { CLASS_NAMES, readLabelsCsv, readNpy } from '../../../demo/template/data';
import { encoderLayerNames } from '../../../demo/template/models';
import { DEMO_DATA_DIR, flipLabels, labelsCsv, TEMPLATE_DIR, trainDemoInProcess, writeDemoWorkspace } from '../../../scripts/demo-workspace';

const temps: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'demo-workspace-'));
  temps.push(dir);
  return dir;
}
process.on('exit', () => temps.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

interface FlippedFile {
  seed: number;
  fraction: number;
  count: number;
  flipped: { index: number; original: number; flipped: number }[];
}

/** A LayersModel IOHandler of our own: model.json + the weight files its manifest names. */
function folderHandler(folder: string): tf.io.IOHandler {
  return {
    load: async () => {
      const json = JSON.parse(readFileSync(join(folder, 'model.json'), 'utf8')) as tf.io.ModelJSON;
      const weightSpecs = json.weightsManifest.flatMap((group) => group.weights);
      const buffers = json.weightsManifest.flatMap((group) => group.paths.map((p) => new Uint8Array(readFileSync(join(folder, p)))));
      const weightData = tf.io.concatenateArrayBuffers(buffers.map((b) => b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength)));
      return { modelTopology: json.modelTopology, weightSpecs, weightData, format: json.format };
    },
  };
}

test('flipLabels flips exactly the fraction, to a different class, reproducibly', () => {
  const labels = Uint8Array.from({ length: 1000 }, (_, i) => i % 10);
  const a = flipLabels(labels, 10, 0.05, 3);
  const b = flipLabels(labels, 10, 0.05, 3);
  const c = flipLabels(labels, 10, 0.05, 4);
  assert.equal(a.flipped.length, 50);
  assert.deepEqual(a, b);
  assert.notDeepEqual(a.flipped, c.flipped);
  const flippedAt = new Set(a.flipped.map((f) => f.index));
  assert.equal(flippedAt.size, 50, 'no index flipped twice');
  for (let i = 0; i < labels.length; i++) {
    if (!flippedAt.has(i)) assert.equal(a.labels[i], labels[i], `label ${i} untouched`);
  }
  for (const f of a.flipped) {
    assert.equal(f.original, labels[f.index]);
    assert.equal(a.labels[f.index], f.flipped);
    assert.notEqual(f.flipped, f.original);
    assert.ok(f.flipped >= 0 && f.flipped < 10);
  }
  assert.deepEqual(
    a.flipped.map((f) => f.index),
    [...flippedAt].sort((x, y) => x - y),
    'listed in ascending index order',
  );
});

test('flipLabels spreads flips over all other classes', () => {
  const { flipped } = flipLabels(new Uint8Array(20000), 10, 0.5, 11);
  const counts = new Array<number>(10).fill(0);
  flipped.forEach((f) => counts[f.flipped]!++);
  assert.equal(counts[0], 0);
  // 10000 flips over 9 classes: ~1111 each, binomial sd ~31; 6 sd bounds keep this deterministic test meaningful.
  for (let k = 1; k < 10; k++) assert.ok(Math.abs(counts[k]! - 10000 / 9) < 190, `class ${k}: ${counts[k]}`);
});

test('flipLabels validates its arguments', () => {
  assert.throws(() => flipLabels([0, 10], 10, 0.05, 1), /labels\[1\] is 10/);
  assert.throws(() => flipLabels([0], 1, 0.05, 1), /classes must be/);
  assert.throws(() => flipLabels([0], 10, 1.5, 1), /fraction must be in \[0, 1\]/);
  assert.throws(() => flipLabels([0], 10, 0.5, 1.5), /seed must be an integer/);
});

test('labelsCsv puts example i on line i + 2', () => {
  const lines = labelsCsv([3, 0, 9]).split('\n');
  assert.deepEqual(lines, ['index,label,name', '0,3,Dress', '1,0,T-shirt/top', '2,9,Ankle boot', '']);
});

test('writeDemoWorkspace writes data, flips 5% of training labels reproducibly, and copies the script', async () => {
  const first = tempDir();
  const second = tempDir();
  const result = await writeDemoWorkspace(first, { epochs: 4 });
  await writeDemoWorkspace(second, { epochs: 4 });

  assert.equal(result.flippedFile, join(first, 'data', 'flipped-labels.json'));
  assert.equal(result.manifests.autoencoder, join(first, 'autoencoder', 'modeldebug.json'));
  assert.equal(result.manifests.classifier, join(first, 'classifier', 'modeldebug.json'));
  for (const file of ['data/train-images.npy', 'data/train-labels.csv', 'data/test-images.npy', 'data/test-labels.csv', 'data/flipped-labels.json', 'train.ts', 'models.ts', 'data.ts', 'convGradient.ts', 'README.md']) {
    assert.ok(existsSync(join(first, file)), `${file} exists`);
    assert.deepEqual(readFileSync(join(first, file)), readFileSync(join(second, file)), `${file} is the same in two runs`);
  }

  const source = {
    train: readIdxGz(join(DEMO_DATA_DIR, 'fashion-mnist-train-labels-idx1-ubyte.gz')).data,
    test: readIdxGz(join(DEMO_DATA_DIR, 'fashion-mnist-test-labels-idx1-ubyte.gz')).data,
  };
  for (const split of ['train', 'test'] as const) {
    const images = readNpy(join(first, 'data', `${split}-images.npy`));
    const expected = readIdxGz(join(DEMO_DATA_DIR, `fashion-mnist-${split}-images-idx3-ubyte.gz`));
    assert.deepEqual(images.shape, [split === 'train' ? 6000 : 1000, 28, 28]);
    assert.ok(images.data instanceof Uint8Array);
    assert.deepEqual(Buffer.from(images.data), Buffer.from(expected.data), `${split} pixels unchanged`);

    const lines = readFileSync(join(first, 'data', `${split}-labels.csv`), 'utf8').split('\n');
    assert.equal(lines[0], 'index,label,name');
    const labels = readLabelsCsv(join(first, 'data', `${split}-labels.csv`), 'label');
    assert.equal(labels.length, images.shape[0]);
    for (const i of [0, 1, 57, labels.length - 1]) assert.equal(lines[i + 1], `${i},${labels[i]},${CLASS_NAMES[labels[i]!]}`, `${split} example ${i} is on line ${i + 2}`);
  }

  const flippedFile = JSON.parse(readFileSync(result.flippedFile, 'utf8')) as FlippedFile;
  assert.equal(flippedFile.count, 300);
  assert.equal(flippedFile.flipped.length, 0.05 * 6000);
  const trainLabels = readLabelsCsv(join(first, 'data', 'train-labels.csv'), 'label');
  const flippedAt = new Map(flippedFile.flipped.map((f) => [f.index, f]));
  for (let i = 0; i < 6000; i++) {
    const flip = flippedAt.get(i);
    if (flip === undefined) {
      assert.equal(trainLabels[i], source.train[i], `train label ${i} kept`);
    } else {
      assert.equal(flip.original, source.train[i]);
      assert.equal(trainLabels[i], flip.flipped);
      assert.notEqual(flip.flipped, flip.original);
    }
  }
  assert.deepEqual(readLabelsCsv(join(first, 'data', 'test-labels.csv'), 'label'), Int32Array.from(source.test), 'test labels are never flipped');

  const script = readFileSync(join(first, 'train.ts'), 'utf8');
  const template = readFileSync(join(TEMPLATE_DIR, 'train.ts'), 'utf8');
  assert.match(script, /^export const DEFAULT_EPOCHS = 4;$/m);
  assert.equal(script.replace(/DEFAULT_EPOCHS = \d+;/, ''), template.replace(/DEFAULT_EPOCHS = \d+;/, ''), 'only the epoch count differs from the template');
});

test('writeDemoWorkspace rejects a bad epoch count', async () => {
  await assert.rejects(writeDemoWorkspace(tempDir(), { epochs: 0 }), /epochs must be a positive integer/);
});

async function trainTiny(): Promise<{ root: string; manifests: { autoencoder: string; classifier: string } }> {
  const root = tempDir();
  await writeDemoWorkspace(root, { epochs: 1 });
  const { manifests } = await trainDemoInProcess(root, { epochs: 2, limit: 64, batchSize: 32, backend: 'cpu', log: () => undefined });
  return { root, manifests };
}

function checkpointFiles(manifestFile: string, manifest: RunManifest): string[] {
  return manifest.checkpoints.flatMap((c) => ['model.json', 'weights.bin'].map((f) => join(dirname(manifestFile), c.path, f)));
}

test('training on a few examples writes valid manifests and reloadable, reproducible checkpoints', async () => {
  await tf.setBackend('cpu');
  const before = tf.memory().numTensors;
  const a = await trainTiny();
  assert.equal(tf.memory().numTensors, before, 'trainDemo leaves no tensors behind');
  const b = await trainTiny();

  for (const kind of ['autoencoder', 'classifier'] as const) {
    const file = a.manifests[kind];
    assert.equal(file, join(a.root, kind, 'modeldebug.json'));
    const manifest = parseManifest(readFileSync(file, 'utf8'), file);
    const base = dirname(file);
    assert.deepEqual(
      manifest.checkpoints.map((c) => [c.path, c.epoch]),
      [
        ['checkpoints/epoch-1', 1],
        ['checkpoints/epoch-2', 2],
      ],
    );
    assert.ok(manifest.checkpoints.every((c) => c.learningRate > 0));
    for (const spec of [manifest.train, manifest.test]) {
      assert.equal(spec.format, 'npy');
      assert.equal(spec.scale, 1 / 255);
      assert.equal(spec.labels?.column, 'label');
      assert.ok(statSync(resolve(base, spec.path)).isFile(), `${spec.path} resolves from the manifest`);
      assert.ok(statSync(resolve(base, spec.labels.path)).isFile(), `${spec.labels.path} resolves from the manifest`);
    }
    assert.equal(resolve(base, manifest.script!), join(a.root, 'train.ts'));
    assert.deepEqual(manifest.classNames, CLASS_NAMES);
    assert.equal(manifest.representationLayer, 'enc_latent');
    assert.deepEqual(manifest.loss, kind === 'autoencoder' ? { kind: 'denoising', noiseStd: Math.sqrt(1 / 3), seed: 42 } : { kind: 'crossEntropy' });

    const files = checkpointFiles(file, manifest);
    for (const f of files) assert.ok(existsSync(f), `${f} exists`);
    const other = checkpointFiles(b.manifests[kind], manifest);
    files.forEach((f, i) => assert.deepEqual(readFileSync(f), readFileSync(other[i]!), `${f} is identical in a second run`));
    assert.notDeepEqual(readFileSync(files[1]!), readFileSync(files[3]!), 'epoch 2 weights differ from epoch 1');

    for (const c of manifest.checkpoints) {
      const model = await tfl.loadLayersModel(folderHandler(join(base, c.path)));
      assert.deepEqual(manifest.relevantParameters, encoderLayerNames(model));
      assert.ok(model.getLayer(manifest.representationLayer));
      const output = tf.tidy(() => {
        const x = tf.fill([2, 28, 28, 1], 0.5);
        const y = model.predict(x) as tf.Tensor;
        return { shape: y.shape, values: Array.from(y.dataSync()), sums: Array.from(tf.sum(y, -1).dataSync()) };
      });
      assert.ok(output.values.every(Number.isFinite), 'finite outputs');
      if (kind === 'autoencoder') {
        assert.deepEqual(output.shape, [2, 28, 28, 1]);
        assert.ok(output.values.every((v) => v >= 0 && v <= 1), 'sigmoid output in [0, 1]');
      } else {
        assert.deepEqual(output.shape, [2, 10]);
        output.sums.forEach((s) => assert.ok(Math.abs(s - 1) < 1e-5, `probabilities sum to 1, got ${s}`));
      }
      model.dispose();
    }
  }
});
