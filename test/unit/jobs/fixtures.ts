/**
 * Tiny runs written to a temp folder: a classifier whose representation
 * layer is linear (so attributions have closed forms) and an autoencoder
 * (which has no class output). Weights are set explicitly and returned, so
 * tests can compute the expected maps by hand.
 */
import { mkdir, utimes, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { Progress } from '../../../src/protocol/rpc';
import { createAttributionCache, type AttributionCache } from '../../../src/engine/cache/attributionCache';
import { writeNpy } from '../../../src/engine/data/npy';
import type { AttributionJobContext } from '../../../src/engine/jobs/attributionJobContext';
import { RunStore } from '../../../src/engine/run/runStore';
import { seededValues } from '../metrics/testUtils';

export const SIDE = 4;
export const FEATURES = SIDE * SIDE;
export const LATENT = 3;
export const CLASSES = 3;
export const TRAIN_COUNT = 10;
export const TEST_COUNT = 6;

/** Encoder f(x) = W^T x + b with W [FEATURES, LATENT] row-major; head logits = V^T f + c. */
export interface ClassifierWeights {
  W: Float32Array;
  b: Float32Array;
  V: Float32Array;
  c: Float32Array;
}

export interface TinyRuns {
  dir: string;
  classifierManifest: string;
  autoencoderManifest: string;
  train: Float32Array;
  test: Float32Array;
  /** Checkpoint paths as written in the classifier manifest, with their weights. */
  checkpoints: Array<{ path: string; file: string; weights: ClassifierWeights }>;
}

export function classifierWeights(seed: number): ClassifierWeights {
  return {
    W: seededValues(FEATURES * LATENT, seed, -1, 1),
    b: seededValues(LATENT, seed + 1, -0.5, 0.5),
    V: seededValues(LATENT * CLASSES, seed + 2, -2, 2),
    c: seededValues(CLASSES, seed + 3, -0.5, 0.5),
  };
}

function buildClassifier(weights: ClassifierWeights): tfl.Sequential {
  const model = tfl.sequential({
    layers: [
      tfl.layers.flatten({ name: 'enc_flatten', inputShape: [SIDE, SIDE, 1] }),
      tfl.layers.dense({ name: 'enc_latent', units: LATENT }),
      tfl.layers.dense({ name: 'head', units: CLASSES, activation: 'softmax' }),
    ],
  });
  const values = [tf.tensor2d(weights.W, [FEATURES, LATENT]), tf.tensor1d(weights.b), tf.tensor2d(weights.V, [LATENT, CLASSES]), tf.tensor1d(weights.c)];
  model.getLayer('enc_latent').setWeights(values.slice(0, 2));
  model.getLayer('head').setWeights(values.slice(2));
  tf.dispose(values);
  return model;
}

function buildAutoencoder(): tfl.Sequential {
  return tfl.sequential({
    layers: [
      tfl.layers.flatten({ name: 'enc_flatten', inputShape: [SIDE, SIDE, 1] }),
      tfl.layers.dense({ name: 'enc_latent', units: 2 }),
      tfl.layers.dense({ name: 'dec_dense', units: FEATURES, activation: 'sigmoid' }),
      tfl.layers.reshape({ name: 'dec_reshape', targetShape: [SIDE, SIDE, 1] }),
    ],
  });
}

/** Writes model.json and one weights file, as tfjs-node's file:// handler would. */
export async function saveModel(model: tfl.LayersModel, dir: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, 'model.json');
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const data = artifacts.weightData!;
      const weights = Buffer.concat((Array.isArray(data) ? data : [data]).map((b) => Buffer.from(b)));
      const json = { format: 'layers-model', generatedBy: 'test', modelTopology: artifacts.modelTopology, weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs }] };
      await writeFile(path.join(dir, 'weights.bin'), weights);
      await writeFile(file, JSON.stringify(json));
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  return file;
}

/** Overwrites a classifier checkpoint with new weights and moves its mtime forward, as a training script saving again would. */
export async function overwriteClassifier(file: string, weights: ClassifierWeights, secondsLater: number): Promise<void> {
  const model = buildClassifier(weights);
  await saveModel(model, path.dirname(file));
  model.dispose();
  const when = new Date(Date.now() + secondsLater * 1000);
  await utimes(file, when, when);
}

function manifest(checkpoints: string[], loss: Record<string, unknown>): string {
  const dataset = (split: string) => ({ path: `../data/${split}-x.npy`, labels: { path: `../data/${split}-y.npy` } });
  return JSON.stringify({
    version: 1,
    name: 'tiny',
    checkpoints: checkpoints.map((p, i) => ({ path: p, epoch: i + 1, learningRate: 0.01 })),
    train: dataset('train'),
    test: dataset('test'),
    classNames: ['zero', 'one', 'two'],
    loss,
    representationLayer: 'enc_latent',
  });
}

export async function writeTinyRuns(dir: string): Promise<TinyRuns> {
  const data = path.join(dir, 'data');
  await mkdir(data, { recursive: true });
  const train = seededValues(TRAIN_COUNT * FEATURES, 7, 0, 1);
  const test = seededValues(TEST_COUNT * FEATURES, 8, 0, 1);
  await writeFile(path.join(data, 'train-x.npy'), writeNpy([TRAIN_COUNT, SIDE, SIDE, 1], 'float32', train));
  await writeFile(path.join(data, 'test-x.npy'), writeNpy([TEST_COUNT, SIDE, SIDE, 1], 'float32', test));
  await writeFile(path.join(data, 'train-y.npy'), writeNpy([TRAIN_COUNT], 'int32', Array.from({ length: TRAIN_COUNT }, (_, i) => i % CLASSES)));
  await writeFile(path.join(data, 'test-y.npy'), writeNpy([TEST_COUNT], 'int32', Array.from({ length: TEST_COUNT }, (_, i) => i % CLASSES)));

  const checkpoints: TinyRuns['checkpoints'] = [];
  for (const [i, seed] of [11, 23].entries()) {
    const weights = classifierWeights(seed);
    const model = buildClassifier(weights);
    const rel = `checkpoints/epoch-${i + 1}`;
    checkpoints.push({ path: rel, file: await saveModel(model, path.join(dir, 'classifier', rel)), weights });
    model.dispose();
  }
  const classifierManifest = path.join(dir, 'classifier', 'modeldebug.json');
  await writeFile(classifierManifest, manifest(checkpoints.map((c) => c.path), { kind: 'crossEntropy' }));

  const autoencoder = buildAutoencoder();
  await saveModel(autoencoder, path.join(dir, 'autoencoder', 'checkpoints', 'epoch-1'));
  autoencoder.dispose();
  const autoencoderManifest = path.join(dir, 'autoencoder', 'modeldebug.json');
  await writeFile(autoencoderManifest, manifest(['checkpoints/epoch-1'], { kind: 'reconstruction' }));
  return { dir, classifierManifest, autoencoderManifest, train, test, checkpoints };
}

export function jobContext(store: RunStore, cache: AttributionCache = createAttributionCache(), signal = new AbortController().signal): AttributionJobContext & { messages: Progress[] } {
  const messages: Progress[] = [];
  return { store, cache, signal, progress: (p) => messages.push(p), messages };
}

export function example(values: Float32Array, index: number): Float32Array {
  return values.subarray(index * FEATURES, (index + 1) * FEATURES);
}

/** f(x) = W^T x + b. */
export function encode(w: ClassifierWeights, x: ArrayLike<number>): Float64Array {
  return Float64Array.from({ length: LATENT }, (_, j) => {
    let s = w.b[j]!;
    for (let i = 0; i < FEATURES; i++) s += x[i]! * w.W[i * LATENT + j]!;
    return s;
  });
}

export function probabilities(w: ClassifierWeights, x: ArrayLike<number>): Float64Array {
  const f = encode(w, x);
  const logits = Float64Array.from({ length: CLASSES }, (_, k) => w.c[k]! + f.reduce((s, fj, j) => s + fj * w.V[j * CLASSES + k]!, 0));
  const max = Math.max(...logits);
  const exp = logits.map((l) => Math.exp(l - max));
  const total = exp.reduce((a, b) => a + b, 0);
  return exp.map((e) => e / total);
}

export function pearsonOf(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = a.length;
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < n; i++) {
    ma += a[i]! / n;
    mb += b[i]! / n;
  }
  let cov = 0;
  let va = 0;
  let vb = 0;
  for (let i = 0; i < n; i++) {
    cov += (a[i]! - ma) * (b[i]! - mb);
    va += (a[i]! - ma) ** 2;
    vb += (b[i]! - mb) ** 2;
  }
  return cov / Math.sqrt(va * vb);
}

export const TABULAR_COLUMNS = ['age', 'income', 'score'];

/** A tabular run: CSV rows with a label column, and an encoder that is one linear unit pair over the three columns. */
export async function writeTabularRun(dir: string, W: Float32Array, b: Float32Array): Promise<{ manifest: string; rows: number[][] }> {
  const rows = [
    [0.5, 2, -1],
    [1.5, -0.5, 0.25],
    [-2, 1, 3],
    [0, 0.75, -0.5],
  ];
  await mkdir(path.join(dir, 'tabular'), { recursive: true });
  const csv = [`${TABULAR_COLUMNS.join(',')},label`, ...rows.map((r, i) => `${r.join(',')},${i % 2}`)].join('\n');
  await writeFile(path.join(dir, 'tabular', 'rows.csv'), `${csv}\n`);
  const model = tfl.sequential({ layers: [tfl.layers.dense({ name: 'enc_latent', inputShape: [3], units: 2 }), tfl.layers.dense({ name: 'head', units: 2, activation: 'softmax' })] });
  const weights = [tf.tensor2d(W, [3, 2]), tf.tensor1d(b)];
  model.getLayer('enc_latent').setWeights(weights);
  tf.dispose(weights);
  await saveModel(model, path.join(dir, 'tabular', 'checkpoints', 'epoch-1'));
  model.dispose();
  const manifest = path.join(dir, 'tabular', 'modeldebug.json');
  const data = { path: 'rows.csv', labelColumn: 'label' };
  await writeFile(
    manifest,
    JSON.stringify({ version: 1, checkpoints: [{ path: 'checkpoints/epoch-1', epoch: 1, learningRate: 0.1 }], train: data, test: data, loss: { kind: 'crossEntropy' }, representationLayer: 'enc_latent' }),
  );
  return { manifest, rows };
}
