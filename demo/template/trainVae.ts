/**
 * Trains the variational autoencoders of the `--vae` demo on the Fashion-MNIST
 * subset in ./data and records each in a `modeldebug.json` manifest:
 *
 *   - vae-supervised/: a supervised VAE (Nguyen & Rodriguez Martinez, "Learning Invariances for
 *     Interpretability using Supervised VAE", Eq. 6): 6 latent units, the first 4 (z1) read by a
 *     linear classifier, the last 2 (z2) free nuisance units;
 *   - beta-vae-<beta>/:   beta-VAEs with 3 latent units, beta in {1, 5, 10};
 *   - beta-tcvae-<beta>/: beta-TCVAEs with 3 latent units, beta in {1, 5, 10}.
 *
 * Each run folder sits directly in the workspace, beside data/, like autoencoder/: Model Debugger
 * keeps a run's data paths inside the manifest folder's parent.
 *
 * The three-unit VAEs repeat the label-free explainability paper's experiment (Crabbe & van der
 * Schaar, Section 4.3): does stronger disentanglement (larger beta) make the latent units' saliency
 * maps less alike? `modeldebug checks beta-vae-5/modeldebug.json` answers for one run.
 *
 * Every epoch saves each part as a TF.js LayersModel checkpoint under
 * <run>/checkpoints/epoch-<n>/{encoder,decoder,classifier,labelled-encoder}/.
 * The manifest's checkpoints are the encoders q(z|x) (their representation
 * layer is z_mean); its "vae" section says where the other parts are.
 * Training is deterministic: seeded weights, shuffles and sampling noise.
 *
 * Run from the repository root:
 *   node --import tsx demo-workspace/trainVae.ts [--models supervised|beta|all] [--epochs N] [--limit N] [--backend wasm|cpu]
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { CLASS_NAMES, seededRandom, shuffledIndices } from './data';
import { loadSplit, saveCheckpoint, useBackend, type Split } from './train';
import {
  bernoulliReconstruction,
  checkSupervisedWeights,
  classCrossEntropy,
  klBetweenGaussians,
  klToStandardNormal,
  samplePosterior,
  supervisedObjective,
  tcDecomposition,
} from './vaeLosses';
import { buildLabelledEncoder, buildLatentClassifier, buildVaeDecoder, buildVaeEncoder, LOG_VAR_LAYER, MU_LAYER, vaeEncoderLayerNames } from './vaeModels';

export const DEFAULT_VAE_EPOCHS = 3;
export const VAE_BATCH_SIZE = 64;
export const VAE_LEARNING_RATE = 1e-3;
export const VAE_SEED = 1234;
/** d_H = 3 as in the label-free paper's MNIST VAEs: few enough units to compare every pair. */
export const DISENTANGLED_LATENT_DIM = 3;
export const BETAS = [1, 5, 10] as const;
/** z1: as many class units as the demo autoencoder has latent units; a linear softmax on 4 units separates 10 classes. */
export const SUPERVISED_CLASS_DIMS = 4;
/** z2: two nuisance units, enough to draw a 2-D grid of invariant transformations. */
export const SUPERVISED_NUISANCE_DIMS = 2;
/** The paper's best MNIST setting: beta = 0.9 favours reconstruction, alpha = 60 is its smaller classifier weight. */
export const SUPERVISED_BETA = 0.9;
export const SUPERVISED_ALPHA = 60;

export type VaeObjective = 'betaVae' | 'betaTcVae' | 'supervised';
export type VaeSelection = 'supervised' | 'beta' | 'all';

export interface VaeRun {
  /** The run's folder in the workspace. */
  folder: string;
  name: string;
  objective: VaeObjective;
  beta: number;
  latentDim: number;
  /** Supervised VAE only. */
  classDims?: number;
  alpha?: number;
}

/** The runs a selection trains, in training order. */
export function vaeRuns(selection: VaeSelection): VaeRun[] {
  if (!['supervised', 'beta', 'all'].includes(selection)) throw new Error(`selection must be supervised, beta or all, got ${String(selection)}`);
  const runs: VaeRun[] = [];
  if (selection !== 'beta') {
    runs.push({
      folder: 'vae-supervised',
      name: `Fashion-MNIST supervised VAE (z1: ${SUPERVISED_CLASS_DIMS} class units, z2: ${SUPERVISED_NUISANCE_DIMS} nuisance units)`,
      objective: 'supervised',
      beta: SUPERVISED_BETA,
      alpha: SUPERVISED_ALPHA,
      latentDim: SUPERVISED_CLASS_DIMS + SUPERVISED_NUISANCE_DIMS,
      classDims: SUPERVISED_CLASS_DIMS,
    });
  }
  if (selection !== 'supervised') {
    for (const objective of ['betaVae', 'betaTcVae'] as const) {
      for (const beta of BETAS) {
        const label = objective === 'betaVae' ? 'beta-vae' : 'beta-tcvae';
        runs.push({ folder: `${label}-${beta}`, name: `Fashion-MNIST ${label.replace('beta', 'β')}, β = ${beta}`, objective, beta, latentDim: DISENTANGLED_LATENT_DIM });
      }
    }
  }
  return runs;
}

/** Each run's seed comes from its place among all runs, so a run trains the same whatever the selection. */
export function runSeed(run: VaeRun): number {
  const index = vaeRuns('all').findIndex((r) => r.folder === run.folder);
  if (index < 0) throw new Error(`unknown VAE run "${run.folder}"`);
  return VAE_SEED + 1000 * (index + 1);
}

/** The parts of one VAE; `classifier` and `labelledEncoder` exist for the supervised objective only. */
interface VaeParts {
  encoder: tfl.LayersModel;
  decoder: tfl.LayersModel;
  classifier?: tfl.LayersModel;
  labelledEncoder?: tfl.LayersModel;
}

function buildParts(run: VaeRun, seed: number): VaeParts {
  const parts: VaeParts = { encoder: buildVaeEncoder(run.latentDim, seed), decoder: buildVaeDecoder(run.latentDim, seed + 100) };
  if (run.objective === 'supervised') {
    parts.classifier = buildLatentClassifier(run.classDims!, CLASS_NAMES.length, seed + 200);
    parts.labelledEncoder = buildLabelledEncoder(run.latentDim, CLASS_NAMES.length, seed + 300);
  }
  return parts;
}

function partList(parts: VaeParts): Array<[string, tfl.LayersModel]> {
  const list: Array<[string, tfl.LayersModel]> = [
    ['encoder', parts.encoder],
    ['decoder', parts.decoder],
  ];
  if (parts.classifier) list.push(['classifier', parts.classifier]);
  if (parts.labelledEncoder) list.push(['labelled-encoder', parts.labelledEncoder]);
  return list;
}

function trainableVariables(parts: VaeParts): tf.Variable[] {
  return partList(parts).flatMap(([, model]) => model.trainableWeights.map((w) => w.read() as tf.Variable));
}

/** [mean, logVar] of a Gaussian encoder. */
function encode(encoder: tfl.LayersModel, inputs: tf.Tensor | tf.Tensor[]): [tf.Tensor2D, tf.Tensor2D] {
  const [mean, logVar] = encoder.apply(inputs, { training: true }) as tf.Tensor2D[];
  return [mean!, logVar!];
}

/** The first `classDims` latent units: z1, the only units the classifier reads. */
function classUnits(z: tf.Tensor2D, classDims: number): tf.Tensor2D {
  return tf.slice(z, [0, 0], [z.shape[0], classDims]);
}

export interface BatchInputs {
  images: tf.Tensor4D;
  labels: tf.Tensor1D;
  /** Standard normal noise [B, latentDim] for the reparametrisation trick. */
  eps: tf.Tensor2D;
  /** N, for the beta-TCVAE's minibatch-weighted sampling. */
  datasetSize: number;
}

/** The mean over the batch of the run's per-example loss. */
export function batchLoss(run: VaeRun, parts: VaeParts, batch: BatchInputs): tf.Scalar {
  return tf.tidy(() => {
    if (run.objective === 'supervised') {
      // Every expectation in Eq. 6 is under q(z|x,y); q(z|x) enters only through the sufficiency term.
      const [mean, logVar] = encode(parts.labelledEncoder!, [batch.images, tf.cast(tf.oneHot(tf.cast(batch.labels, 'int32'), CLASS_NAMES.length), 'float32')]);
      const [meanX, logVarX] = encode(parts.encoder, batch.images);
      const z = samplePosterior(mean, logVar, batch.eps);
      const probabilities = parts.classifier!.apply(classUnits(z, run.classDims!), { training: true }) as tf.Tensor2D;
      const terms = {
        reconstruction: bernoulliReconstruction(batch.images, parts.decoder.apply(z, { training: true }) as tf.Tensor),
        prior: klToStandardNormal(mean, logVar),
        sufficiency: klBetweenGaussians(mean, logVar, meanX, logVarX),
        classifier: classCrossEntropy(probabilities, batch.labels),
      };
      return tf.mean(supervisedObjective(terms, run.beta, run.alpha!));
    }
    const [mean, logVar] = encode(parts.encoder, batch.images);
    const z = samplePosterior(mean, logVar, batch.eps);
    const reconstruction = bernoulliReconstruction(batch.images, parts.decoder.apply(z, { training: true }) as tf.Tensor);
    if (run.objective === 'betaVae') return tf.mean(tf.add(reconstruction, tf.mul(klToStandardNormal(mean, logVar), run.beta)));
    const { mutualInformation, totalCorrelation, dimensionWiseKl } = tcDecomposition(z, mean, logVar, batch.datasetSize);
    return tf.mean(tf.addN([reconstruction, mutualInformation, tf.mul(totalCorrelation, run.beta), dimensionWiseKl]));
  });
}

export interface TestMetrics {
  /** -log p(x|z) at z = mean of q(z|x), averaged over the test set. */
  reconstruction: number;
  /** KL(q(z|x) || p(z)), averaged. */
  kl: number;
  /** Supervised VAE: accuracy of the latent classifier on z1 = mean of q(z1|x) (Eq. 7 at the posterior mean). */
  accuracy?: number;
}

/** Test metrics with deterministic codes (the posterior mean), in batches to bound memory. */
function evaluate(run: VaeRun, parts: VaeParts, test: Split): TestMetrics {
  let reconstruction = 0;
  let kl = 0;
  let correct = 0;
  const n = test.labels.length;
  for (let start = 0; start < n; start += 250) {
    const size = Math.min(250, n - start);
    const [r, k, predicted] = tf.tidy(() => {
      const x = tf.slice(test.images, [start, 0, 0, 0], [size, 28, 28, 1]);
      const [mean, logVar] = parts.encoder.predict(x) as tf.Tensor2D[];
      const rec = tf.sum(bernoulliReconstruction(x, parts.decoder.predict(mean!) as tf.Tensor)).dataSync()[0]!;
      const div = tf.sum(klToStandardNormal(mean!, logVar!)).dataSync()[0]!;
      const classes = parts.classifier ? tf.argMax(parts.classifier.predict(classUnits(mean!, run.classDims!)) as tf.Tensor, -1).dataSync() : new Int32Array(0);
      return [rec, div, classes] as const;
    });
    reconstruction += r;
    kl += k;
    predicted.forEach((c, i) => (correct += c === test.labels[start + i] ? 1 : 0));
  }
  const metrics: TestMetrics = { reconstruction: reconstruction / n, kl: kl / n };
  if (parts.classifier) metrics.accuracy = correct / n;
  return metrics;
}

/** The manifest's dataset entries; runs sit one folder below the workspace, beside data/. */
function dataset(split: 'train' | 'test'): object {
  return {
    path: `../data/${split}-images.npy`,
    format: 'npy',
    scale: 1 / 255,
    labels: { path: `../data/${split}-labels.csv`, format: 'csv', column: 'label' },
  };
}

/** The checkpoint folder of one part after `epoch`, relative to the run folder. */
export function partPath(epoch: number, part: string): string {
  return `checkpoints/epoch-${epoch}/${part}`;
}

/**
 * The run manifest: the checkpoints are the encoders q(z|x), so every view that explains a
 * representation (label-free attribution, per-unit maps, Deep-KNN) sees z_mean. Rewritten after every
 * epoch, so an interrupted run still lists its checkpoints.
 */
export function vaeManifest(run: VaeRun, encoder: tfl.LayersModel, epochsDone: number): object {
  const supervised = run.objective === 'supervised';
  const companions = (epoch: number) => ({
    decoder: partPath(epoch, 'decoder'),
    ...(supervised ? { classifier: partPath(epoch, 'classifier'), labelledEncoder: partPath(epoch, 'labelled-encoder') } : {}),
  });
  const vae: Record<string, unknown> = { objective: run.objective, latentDim: run.latentDim };
  if (supervised) Object.assign(vae, { classDims: run.classDims, alpha: run.alpha });
  Object.assign(vae, { muLayer: MU_LAYER, logVarLayer: LOG_VAR_LAYER, ...companions(epochsDone) });
  return {
    version: 1,
    name: run.name,
    script: '../trainVae.ts',
    checkpoints: Array.from({ length: epochsDone }, (_, i) => ({ path: partPath(i + 1, 'encoder'), epoch: i + 1, learningRate: VAE_LEARNING_RATE, ...companions(i + 1) })),
    train: dataset('train'),
    test: dataset('test'),
    classNames: CLASS_NAMES,
    loss: { kind: 'vae', beta: run.beta },
    representationLayer: MU_LAYER,
    relevantParameters: vaeEncoderLayerNames(encoder),
    vae,
  };
}

export interface VaeRunResult {
  run: VaeRun;
  manifest: string;
  seconds: number;
  metrics: TestMetrics;
}

/** Trains one run for `epochs` epochs, saving every part after each epoch. */
export async function trainVaeRun(workspace: string, run: VaeRun, train: Split, test: Split, options: { epochs: number; batchSize: number; seed: number; log: (line: string) => void }): Promise<VaeRunResult> {
  const started = Date.now();
  const runDir = join(workspace, run.folder);
  const parts = buildParts(run, options.seed);
  const variables = trainableVariables(parts);
  const optimizer = tf.train.adam(VAE_LEARNING_RATE);
  const random = seededRandom(options.seed);
  const n = train.labels.length;
  let step = 0;
  let manifest = '';
  let metrics: TestMetrics = { reconstruction: NaN, kl: NaN };
  try {
    for (let epoch = 1; epoch <= options.epochs; epoch++) {
      const order = shuffledIndices(n, random);
      let lossSum = 0;
      let batches = 0;
      for (let start = 0; start < n; start += options.batchSize) {
        const indices = order.slice(start, start + options.batchSize);
        const batch: BatchInputs = tf.tidy(() => {
          const at = tf.tensor1d(indices, 'int32');
          return {
            images: tf.gather(train.images, at),
            labels: tf.tensor1d(indices.map((i) => train.labels[i]!), 'float32'),
            // One noise draw per step, seeded by the step so a rerun samples the same z.
            eps: tf.randomNormal([indices.length, run.latentDim], 0, 1, 'float32', options.seed * 100_000 + step) as tf.Tensor2D,
            datasetSize: n,
          };
        });
        const cost = optimizer.minimize(() => batchLoss(run, parts, batch), true, variables)!;
        lossSum += cost.dataSync()[0]!;
        batches++;
        step++;
        tf.dispose([cost, batch.images, batch.labels, batch.eps]);
      }
      metrics = evaluate(run, parts, test);
      for (const [part, model] of partList(parts)) await saveCheckpoint(model, join(runDir, partPath(epoch, part)));
      manifest = join(runDir, 'modeldebug.json');
      writeFileSync(manifest, `${JSON.stringify(vaeManifest(run, parts.encoder, epoch), null, 2)}\n`);
      const accuracy = metrics.accuracy === undefined ? '' : `, test accuracy ${(100 * metrics.accuracy).toFixed(1)}%`;
      options.log(
        `${run.folder} epoch ${epoch}/${options.epochs}: train loss ${(lossSum / batches).toFixed(2)}, test reconstruction ${metrics.reconstruction.toFixed(1)}, KL ${metrics.kl.toFixed(2)}${accuracy}, ${((Date.now() - started) / 1000).toFixed(1)} s`,
      );
    }
  } finally {
    optimizer.dispose();
    partList(parts).forEach(([, model]) => model.dispose());
  }
  return { run, manifest, seconds: (Date.now() - started) / 1000, metrics };
}

export interface TrainVaeOptions {
  models?: VaeSelection;
  epochs?: number;
  batchSize?: number;
  /** Train (and evaluate) on the first `limit` examples only; for quick checks. */
  limit?: number;
  backend?: 'wasm' | 'cpu';
  log?: (line: string) => void;
}

/** Trains the selected VAEs in `workspace` (the folder holding data/). Changes the global tfjs backend. */
export async function trainVaes(workspace: string, options: TrainVaeOptions = {}): Promise<VaeRunResult[]> {
  const epochs = options.epochs ?? DEFAULT_VAE_EPOCHS;
  const batchSize = options.batchSize ?? VAE_BATCH_SIZE;
  const log = options.log ?? ((line: string) => console.log(line));
  if (!Number.isInteger(epochs) || epochs < 1) throw new Error(`epochs must be a positive integer, got ${epochs}`);
  if (!Number.isInteger(batchSize) || batchSize < 2) throw new Error(`batchSize must be an integer >= 2 (the beta-TCVAE compares examples within a batch), got ${batchSize}`);
  if (options.limit !== undefined && (!Number.isInteger(options.limit) || options.limit < 2)) throw new Error(`limit must be an integer >= 2, got ${options.limit}`);
  checkSupervisedWeights(SUPERVISED_BETA, SUPERVISED_ALPHA);
  const runs = vaeRuns(options.models ?? 'all');
  await useBackend(options.backend ?? 'wasm', log);
  const dataDir = join(workspace, 'data');
  const train = loadSplit(dataDir, 'train', options.limit);
  const test = loadSplit(dataDir, 'test', options.limit);
  log(`training ${runs.length} VAE(s) on ${train.labels.length} images (backend ${tf.getBackend()}, batch ${batchSize}, ${epochs} epochs)`);
  try {
    const results: VaeRunResult[] = [];
    for (const run of runs) results.push(await trainVaeRun(workspace, run, train, test, { epochs, batchSize, seed: runSeed(run), log }));
    return results;
  } finally {
    tf.dispose([train.images, test.images]);
  }
}

function parseArgs(argv: string[]): TrainVaeOptions {
  const options: TrainVaeOptions = {};
  const usage = 'usage: trainVae.ts [--models supervised|beta|all] [--epochs N] [--limit N] [--backend wasm|cpu]';
  for (let i = 0; i < argv.length; i += 2) {
    const [flag, value] = [argv[i], argv[i + 1]];
    if (flag === '--epochs' || flag === '--limit') {
      if (value === undefined || !/^\d+$/.test(value)) throw new Error(`${flag} needs a positive integer; ${usage}`);
      options[flag === '--epochs' ? 'epochs' : 'limit'] = Number(value);
    } else if (flag === '--backend' && (value === 'wasm' || value === 'cpu')) {
      options.backend = value;
    } else if (flag === '--models' && (value === 'supervised' || value === 'beta' || value === 'all')) {
      options.models = value;
    } else {
      throw new Error(`unknown argument ${flag ?? ''} ${value ?? ''}; ${usage}`);
    }
  }
  return options;
}

if (require.main === module) {
  const started = Date.now();
  // parseArgs runs inside the promise, so a bad argument is reported like any other error.
  Promise.resolve()
    .then(() => trainVaes(__dirname, parseArgs(process.argv.slice(2))))
    .then(
      (results) => {
        console.log(`done in ${((Date.now() - started) / 1000).toFixed(0)} s`);
        for (const r of results) console.log(`  ${r.run.folder.padEnd(15)} ${r.seconds.toFixed(1).padStart(6)} s  ${r.manifest}`);
      },
      (error: unknown) => {
        console.error(error instanceof Error ? error.message : error);
        process.exitCode = 1;
      },
    );
}
