/**
 * Trains the two demo models on the Fashion-MNIST subset in ./data and
 * records each run in a `modeldebug.json` manifest for Model Debugger:
 *
 *   - autoencoder/: a denoising autoencoder (Gaussian input noise, MSE to the clean image);
 *   - classifier/:  a classifier trained with cross-entropy on the training labels,
 *                   5% of which were flipped on purpose (see data/flipped-labels.json).
 *
 * Every epoch saves a TF.js LayersModel checkpoint (model.json + weights.bin)
 * under <model>/checkpoints/epoch-<n>/. Training is deterministic: seeded
 * initial weights, seeded shuffles and seeded noise.
 *
 * Run from the repository root:
 *   node --import tsx demo-workspace/train.ts [--epochs N] [--backend wasm|cpu] [--limit N]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { installConvFilterGradient } from './convGradient';
import { CLASS_NAMES, readLabelsCsv, readNpy, seededRandom, shuffledIndices } from './data';
import { buildClassifier, buildDenoisingAutoencoder, encoderLayerNames, REPRESENTATION_LAYER } from './models';

export const DEFAULT_EPOCHS = 6;
export const BATCH_SIZE = 64;
export const LEARNING_RATE = 1e-3;
/** As in the label-free explainability paper: noise ~ N(0, I/3). */
export const NOISE_STD = Math.sqrt(1 / 3);
export const SEED = 42;
/** The autoencoder's checkpoint after its first epoch: the baseline later epochs are compared with. */
export const FIRST_AUTOENCODER_CHECKPOINT = './autoencoder/checkpoints/epoch-1';

export interface TrainOptions {
  epochs?: number;
  batchSize?: number;
  /** Train (and evaluate) on the first `limit` examples only; for quick checks. */
  limit?: number;
  /** 'wasm' is about three times faster here; 'cpu' is the fallback. */
  backend?: 'wasm' | 'cpu';
  log?: (line: string) => void;
}

export interface TrainResult {
  /** Absolute paths of the two run manifests. */
  manifests: { autoencoder: string; classifier: string };
}

export interface Split {
  images: tf.Tensor4D;
  labels: Int32Array;
}

/** Images scaled to [0, 1] with a trailing channel axis, as the models expect. */
export function loadSplit(dataDir: string, split: 'train' | 'test', limit: number | undefined): Split {
  const { shape, data } = readNpy(join(dataDir, `${split}-images.npy`));
  const labels = readLabelsCsv(join(dataDir, `${split}-labels.csv`), 'label');
  if (shape.length !== 3 || shape[1] !== 28 || shape[2] !== 28) throw new Error(`${split}-images.npy: expected shape [N, 28, 28], got ${JSON.stringify(shape)}`);
  if (labels.length !== shape[0]) throw new Error(`${split}-labels.csv: has ${labels.length} labels for ${shape[0]} images`);
  const n = Math.min(shape[0], limit ?? Infinity);
  const pixels = Float32Array.from(data.subarray(0, n * 28 * 28), (v) => v / 255);
  return { images: tf.tensor4d(pixels, [n, 28, 28, 1]), labels: labels.slice(0, n) };
}

/** Writes model.json + weights.bin into `folder`, the layout tf.loadLayersModel('file://...') reads. */
export async function saveCheckpoint(model: tfl.LayersModel, folder: string): Promise<void> {
  mkdirSync(folder, { recursive: true });
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const weights = artifacts.weightData === undefined ? new ArrayBuffer(0) : tf.io.CompositeArrayBuffer.join(artifacts.weightData);
      writeFileSync(join(folder, 'weights.bin'), Buffer.from(weights));
      const modelJson = {
        format: artifacts.format,
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy,
        modelTopology: artifacts.modelTopology,
        trainingConfig: artifacts.trainingConfig,
        weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs ?? [] }],
      };
      writeFileSync(join(folder, 'model.json'), JSON.stringify(modelJson));
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    }),
  );
}

interface ManifestFields {
  name: string;
  loss: { kind: 'denoising'; noiseStd: number; seed: number } | { kind: 'crossEntropy' };
  model: tfl.LayersModel;
  epochsDone: number;
}

/** Rewritten after every epoch, so an interrupted run still lists its checkpoints. */
function writeManifest(runDir: string, fields: ManifestFields): string {
  const dataset = (split: 'train' | 'test') => ({
    path: `../data/${split}-images.npy`,
    format: 'npy',
    scale: 1 / 255,
    labels: { path: `../data/${split}-labels.csv`, format: 'csv', column: 'label' },
  });
  const manifest = {
    version: 1,
    name: fields.name,
    script: '../train.ts',
    checkpoints: Array.from({ length: fields.epochsDone }, (_, i) => ({ path: `checkpoints/epoch-${i + 1}`, epoch: i + 1, learningRate: LEARNING_RATE })),
    train: dataset('train'),
    test: dataset('test'),
    classNames: CLASS_NAMES,
    loss: fields.loss,
    representationLayer: REPRESENTATION_LAYER,
    relevantParameters: encoderLayerNames(fields.model),
  };
  const file = join(runDir, 'modeldebug.json');
  writeFileSync(file, `${JSON.stringify(manifest, null, 2)}\n`);
  return file;
}

/** The training set in a fresh seeded order, as one tensor per field. */
function shuffled(split: Split, random: () => number): { images: tf.Tensor4D; labels: tf.Tensor1D } {
  const order = shuffledIndices(split.labels.length, random);
  return tf.tidy(() => {
    const indices = tf.tensor1d(order, 'int32');
    return { images: tf.gather(split.images, indices), labels: tf.tensor1d(order.map((i) => split.labels[i]!), 'float32') };
  });
}

async function trainAutoencoder(workspace: string, train: Split, test: Split, epochs: number, batchSize: number, log: (line: string) => void): Promise<string> {
  const runDir = join(workspace, 'autoencoder');
  const model = buildDenoisingAutoencoder();
  const optimizer = tf.train.adam(LEARNING_RATE);
  model.compile({ optimizer, loss: 'meanSquaredError' });
  const random = seededRandom(SEED);
  let manifest = '';
  for (let epoch = 1; epoch <= epochs; epoch++) {
    const started = Date.now();
    const batch = shuffled(train, random);
    // A new noise draw every epoch, seeded by the epoch so a rerun sees the same noise.
    const noisy = tf.tidy(() => tf.add(batch.images, tf.randomNormal(batch.images.shape, 0, NOISE_STD, 'float32', SEED + epoch)));
    const history = await model.fit(noisy, batch.images, { epochs: 1, batchSize, shuffle: false, verbose: 0 });
    tf.dispose([noisy, batch.images, batch.labels]);
    const testMse = tf.tidy(() => tf.losses.meanSquaredError(test.images, model.predict(test.images) as tf.Tensor).dataSync()[0]!);
    await saveCheckpoint(model, join(runDir, 'checkpoints', `epoch-${epoch}`));
    manifest = writeManifest(runDir, { name: 'Fashion-MNIST denoising autoencoder', loss: { kind: 'denoising', noiseStd: NOISE_STD, seed: SEED }, model, epochsDone: epoch });
    const loss = history.history.loss![0] as number;
    log(`autoencoder epoch ${epoch}/${epochs}: train loss ${loss.toFixed(4)}, test MSE ${testMse.toFixed(4)}, ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }
  model.dispose();
  optimizer.dispose();
  return manifest;
}

async function trainClassifier(workspace: string, train: Split, test: Split, epochs: number, batchSize: number, log: (line: string) => void): Promise<string> {
  const runDir = join(workspace, 'classifier');
  const model = buildClassifier();
  const optimizer = tf.train.adam(LEARNING_RATE);
  model.compile({ optimizer, loss: 'sparseCategoricalCrossentropy' });
  const random = seededRandom(SEED + 1);
  let manifest = '';
  for (let epoch = 1; epoch <= epochs; epoch++) {
    const started = Date.now();
    const batch = shuffled(train, random);
    const history = await model.fit(batch.images, batch.labels, { epochs: 1, batchSize, shuffle: false, verbose: 0 });
    tf.dispose([batch.images, batch.labels]);
    const predicted = tf.tidy(() => tf.argMax(model.predict(test.images) as tf.Tensor, -1).dataSync());
    const accuracy = test.labels.filter((label, i) => predicted[i] === label).length / test.labels.length;
    await saveCheckpoint(model, join(runDir, 'checkpoints', `epoch-${epoch}`));
    manifest = writeManifest(runDir, { name: 'Fashion-MNIST classifier (5% flipped labels)', loss: { kind: 'crossEntropy' }, model, epochsDone: epoch });
    const loss = history.history.loss![0] as number;
    log(`classifier epoch ${epoch}/${epochs}: train loss ${loss.toFixed(4)}, test accuracy ${(100 * accuracy).toFixed(1)}%, ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }
  model.dispose();
  optimizer.dispose();
  return manifest;
}

/** Starts `name` (cpu if wasm fails) and gives it the fast convolution filter gradient. */
export async function useBackend(name: 'wasm' | 'cpu', log: (line: string) => void): Promise<void> {
  let ready = false;
  try {
    ready = await tf.setBackend(name);
  } catch (error) {
    log(`backend ${name} failed to start (${(error as Error).message})`);
  }
  if (!ready && name !== 'cpu') {
    log(`falling back to the cpu backend`);
    return useBackend('cpu', log);
  }
  if (!ready) throw new Error('the tfjs cpu backend failed to start');
  installConvFilterGradient(name);
}

/** Trains both models in `workspace` (the folder holding data/). Changes the global tfjs backend. */
export async function trainDemo(workspace: string, options: TrainOptions = {}): Promise<TrainResult> {
  const epochs = options.epochs ?? DEFAULT_EPOCHS;
  const batchSize = options.batchSize ?? BATCH_SIZE;
  const log = options.log ?? ((line: string) => console.log(line));
  if (!Number.isInteger(epochs) || epochs < 1) throw new Error(`epochs must be a positive integer, got ${epochs}`);
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`batchSize must be a positive integer, got ${batchSize}`);
  if (options.limit !== undefined && (!Number.isInteger(options.limit) || options.limit < 1)) throw new Error(`limit must be a positive integer, got ${options.limit}`);
  await useBackend(options.backend ?? 'wasm', log);
  const dataDir = join(workspace, 'data');
  const train = loadSplit(dataDir, 'train', options.limit);
  const test = loadSplit(dataDir, 'test', options.limit);
  log(`training on ${train.labels.length} images (backend ${tf.getBackend()}, batch ${batchSize}, ${epochs} epochs)`);
  try {
    const autoencoder = await trainAutoencoder(workspace, train, test, epochs, batchSize, log);
    const classifier = await trainClassifier(workspace, train, test, epochs, batchSize, log);
    return { manifests: { autoencoder, classifier } };
  } finally {
    tf.dispose([train.images, test.images]);
  }
}

function parseArgs(argv: string[]): TrainOptions {
  const options: TrainOptions = {};
  for (let i = 0; i < argv.length; i += 2) {
    const [flag, value] = [argv[i], argv[i + 1]];
    if (flag === '--epochs' || flag === '--limit') {
      if (value === undefined || !/^\d+$/.test(value)) throw new Error(`${flag} needs a positive integer`);
      options[flag === '--epochs' ? 'epochs' : 'limit'] = Number(value);
    } else if (flag === '--backend' && (value === 'wasm' || value === 'cpu')) {
      options.backend = value;
    } else {
      throw new Error(`unknown argument ${flag ?? ''} ${value ?? ''}; usage: train.ts [--epochs N] [--backend wasm|cpu] [--limit N]`);
    }
  }
  return options;
}

if (require.main === module) {
  const started = Date.now();
  trainDemo(__dirname, parseArgs(process.argv.slice(2))).then(
    ({ manifests }) => console.log(`done in ${((Date.now() - started) / 1000).toFixed(0)} s; manifests: ${manifests.autoencoder}, ${manifests.classifier}`),
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exitCode = 1;
    },
  );
}
