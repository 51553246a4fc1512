/**
 * `unsupervised/neon`: fits k-means or a KDE on the training set (in input
 * space or on the manifest's representation layer) and explains cluster
 * membership, outlierness or inlierness of some test examples with NEON.
 * In representation space the relevance is grounded on the layer's
 * activations (Appendix A) and continued to the input by LRP-ε.
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import {
  DEFAULT_NEON_FIT_EXAMPLES_INPUT,
  DEFAULT_NEON_FIT_EXAMPLES_REPRESENTATION,
  type NeonConservation,
  type NeonExample,
  type NeonResult,
} from '../../../protocol/engineProtocol';
import type { Progress } from '../../../protocol/rpc';
import type { Dataset } from '../../data/dataset';
import { yieldOrAbort } from '../../examples/cancel';
import {
  drawRandomFeatures,
  explainClusterMembership,
  explainInlierness,
  explainOutlierness,
  explainThroughEncoder,
  groundedClusterRelevance,
  groundedInlierRelevance,
  groundedOutlierRelevance,
  kdeDensity,
  nearestCentroid,
  representationAt,
  type GroundedRelevance,
  type Points,
  type RandomFeatures,
} from '../../neon';
import { drawSeed } from '../../neon/inlierness';
import type { RunStore } from '../../run/runStore';
import { secondsSince, throttledProgress } from '../attributionJobContext';
import { checkIndices, openExplainedModel, type ExplainedModel } from '../explainedModel';
import { datasetFingerprint } from '../examples/datasetFingerprint';
import type { RepresentationCache } from '../examples/representationCache';
import { describeLabel } from '../labels';
import { representation } from '../modelOutputs';
import { invalidParam } from '../paramReader';
import { fitNeonModel, seededSubsample, type CachedNeonModel, type FittedNeonModel, type NeonModelCache } from './neonModels';
import { readNeonParams, type NeonSettings } from './neonParams';

export interface NeonJobContext {
  store: RunStore;
  representations: RepresentationCache;
  models: NeonModelCache;
  signal: AbortSignal;
  progress(progress: Progress): void;
}

const modelIds = new WeakMap<tfl.LayersModel, number>();
let nextModelId = 1;

/** A loaded model's identity: a reloaded (changed) checkpoint gets a new one, so its fits are not reused. */
function modelId(model: tfl.LayersModel): number {
  let id = modelIds.get(model);
  if (id === undefined) modelIds.set(model, (id = nextModelId++));
  return id;
}

function exampleSize(dataset: Dataset): number {
  return dataset.values.length / dataset.count;
}

function rowsOf(values: Float32Array, dim: number, indices: readonly number[]): Float32Array {
  const out = new Float32Array(indices.length * dim);
  indices.forEach((n, i) => out.set(values.subarray(n * dim, (n + 1) * dim), i * dim));
  return out;
}

function sum(values: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i]!;
  return s;
}

function conservation(value: number, relevanceSum: number, grounded?: { representationSum: number; groundedResidual: number }): NeonConservation {
  return { relevanceSum, value, dissipated: value - relevanceSum, ...(grounded ?? {}) };
}

/** Welford's running mean and squared deviations of one example's maps over draws. */
class RunningMaps {
  readonly mean: Float64Array;
  private readonly m2: Float64Array;
  private n = 0;
  outputMean = 0;
  private outputM2 = 0;
  representationMean = 0;

  constructor(size: number) {
    this.mean = new Float64Array(size);
    this.m2 = new Float64Array(size);
  }

  add(relevance: ArrayLike<number>, output: number, representationSum = 0): void {
    this.n++;
    for (let i = 0; i < this.mean.length; i++) {
      const delta = relevance[i]! - this.mean[i]!;
      this.mean[i]! += delta / this.n;
      this.m2[i]! += delta * (relevance[i]! - this.mean[i]!);
    }
    const delta = output - this.outputMean;
    this.outputMean += delta / this.n;
    this.outputM2 += delta * (output - this.outputMean);
    this.representationMean += (representationSum - this.representationMean) / this.n;
  }

  std(): Float32Array {
    return Float32Array.from(this.m2, (v) => Math.sqrt(v / Math.max(1, this.n - 1)));
  }

  outputStd(): number {
    return Math.sqrt(this.outputM2 / Math.max(1, this.n - 1));
  }
}

interface Space {
  /** Training points of the fitted space, all of them (rows picked later). */
  trainPoints(report: (fraction: number, message: string) => void): Promise<{ values: Float32Array; dim: number }>;
  cacheKey: string;
}

export async function neon(params: unknown, context: NeonJobContext): Promise<NeonResult> {
  const start = performance.now();
  const settings = readNeonParams(params);
  const report = throttledProgress(context.progress);
  const timings: Record<string, number> = {};

  const run = await context.store.open(settings.manifestPath, undefined, context.signal);
  checkIndices(run.test, settings.testIndices, 'testIndices');
  let subject: ExplainedModel | undefined;
  let layer: string | undefined;
  let shape = run.test.exampleShape;
  if (settings.space === 'representation') {
    subject = await openExplainedModel(context.store, settings.manifestPath, settings.checkpoint, context.signal);
    layer = representation(subject).layer;
    shape = subject.exampleShape;
  }
  const trainCount = run.train.count;
  const fitCount = Math.min(trainCount, settings.fitExamples ?? (settings.space === 'input' ? DEFAULT_NEON_FIT_EXAMPLES_INPUT : DEFAULT_NEON_FIT_EXAMPLES_REPRESENTATION));
  if (settings.model.kind === 'kmeans' && fitCount < settings.model.k) {
    invalidParam('model.k', `is ${settings.model.k}, more clusters than the ${fitCount} training examples fitted on (${run.train.file})`);
  }
  if (fitCount < 2) invalidParam('fitExamples', `leaves ${fitCount} training example to fit on; NEON needs at least 2 (${run.train.file})`);

  const space: Space =
    subject === undefined
      ? {
          cacheKey: 'input',
          trainPoints: () => Promise.resolve({ values: run.train.values, dim: exampleSize(run.train) }),
        }
      : {
          cacheKey: `representation\0${subject.checkpointFile}\0${modelId(subject.model)}\0${layer}`,
          trainPoints: async (onProgress) => {
            const reps = await context.representations.get(subject.model, subject.checkpointFile, layer!, run.train, subject.exampleShape, { signal: context.signal, onProgress });
            return { values: reps.values, dim: reps.dim };
          },
        };
  const fitSettings = { model: settings.model, fitCount, seed: settings.seed };
  const key = `${space.cacheKey}\0${datasetFingerprint(run.train)}\0${JSON.stringify(fitSettings)}`;
  const cached = context.models.has(key);
  const entry = await context.models.get(key, async (): Promise<CachedNeonModel> => {
    const fitStart = performance.now();
    const representationStart = performance.now();
    const all = await space.trainPoints((f, message) => report(message, 0.2 * f));
    if (subject) timings.representations = secondsSince(representationStart);
    const fitIndices = seededSubsample(trainCount, fitCount, settings.seed);
    const points: Points = { values: fitCount === trainCount ? all.values : rowsOf(all.values, all.dim, fitIndices), count: fitCount, dim: all.dim };
    const fitted = await fitNeonModel(points, settings.model, settings.seed, { signal: context.signal, onProgress: (f, message) => report(message, 0.2 + 0.3 * f) });
    return { fitted, points, fitIndices, seconds: secondsSince(fitStart) };
  });
  timings.fit = cached ? 0 : entry.seconds - (timings.representations ?? 0);

  const explainStart = performance.now();
  const explainReport = (f: number, message: string) => report(message, 0.5 + 0.5 * f);
  const examples =
    settings.explain === 'inlierness'
      ? await explainInliers(settings, entry.fitted, run.test, shape, subject, layer, context.signal, explainReport)
      : await explainEach(settings, entry.fitted, run.test, shape, subject, layer, context.signal, explainReport);
  timings.explain = secondsSince(explainStart);

  for (const example of examples) Object.assign(example, describeLabel(run.test, example.index, run.manifest.classNames));
  const result: NeonResult = {
    space: settings.space,
    explain: settings.explain,
    shape,
    dim: entry.points.dim,
    fitCount,
    subsampled: fitCount < trainCount,
    model: entry.fitted.summary,
    cached,
    settings: { seed: settings.seed },
    examples,
    timings,
    seconds: secondsSince(start),
  };
  if (subject) {
    result.checkpoint = subject.checkpoint;
    result.layer = layer!;
  }
  if (run.test.columns) result.columns = run.test.columns;
  if (settings.beta !== undefined) result.settings.beta = settings.beta;
  if (settings.features !== undefined) result.settings.features = settings.features;
  if (settings.draws !== undefined) result.settings.draws = settings.draws;
  report('NEON done', 1);
  return result;
}

function inputTensor(dataset: Dataset, index: number, shape: number[]): tf.Tensor {
  const size = exampleSize(dataset);
  return tf.tensor(dataset.values.subarray(index * size, (index + 1) * size), [1, ...shape], 'float32');
}

/** LRP from the grounded relevance down to the input; returns the input map and the grounded relevance. */
async function throughEncoder(
  subject: ExplainedModel,
  layer: string,
  dataset: Dataset,
  index: number,
  shape: number[],
  rule: (a: Float32Array) => GroundedRelevance,
): Promise<{ relevance: Float32Array; inputSum: number; grounded: GroundedRelevance }> {
  const input = inputTensor(dataset, index, shape);
  try {
    const explained = await explainThroughEncoder(subject.model, input, rule, { layer });
    try {
      return { relevance: (await explained.relevance.data()) as Float32Array, inputSum: explained.inputSum, grounded: explained.grounded };
    } finally {
      explained.relevance.dispose();
    }
  } finally {
    input.dispose();
  }
}

/** Cluster membership and outlierness: one deterministic explanation per example. */
async function explainEach(
  settings: NeonSettings,
  fitted: FittedNeonModel,
  test: Dataset,
  shape: number[],
  subject: ExplainedModel | undefined,
  layer: string | undefined,
  signal: AbortSignal,
  report: (fraction: number, message: string) => void,
): Promise<NeonExample[]> {
  const examples: NeonExample[] = [];
  const size = exampleSize(test);
  const beta = settings.beta === undefined ? {} : { beta: settings.beta };
  for (const [n, index] of settings.testIndices.entries()) {
    await yieldOrAbort(signal, 'NEON');
    report(n / settings.testIndices.length, `NEON ${settings.explain}: test example ${index} (${n + 1}/${settings.testIndices.length})`);
    if (subject === undefined) {
      const x = test.values.subarray(index * size, (index + 1) * size);
      if (fitted.kind === 'kmeans') {
        const e = explainClusterMembership(fitted.kmeans.centroids, x, beta);
        examples.push({ index, relevance: Float32Array.from(e.relevance), value: e.output, cluster: e.cluster, conservation: conservation(e.output, sum(e.relevance)) });
      } else {
        const e = explainOutlierness(fitted.kde, x, beta);
        examples.push({ index, relevance: Float32Array.from(e.relevance), value: e.output, conservation: conservation(e.output, sum(e.relevance)) });
      }
      continue;
    }
    let cluster: number | undefined;
    const rule =
      fitted.kind === 'kmeans'
        ? (a: Float32Array) => {
            cluster = nearestCentroid(fitted.kmeans.centroids, a);
            return groundedClusterRelevance(fitted.kmeans.centroids, a, { cluster, ...beta });
          }
        : (a: Float32Array) => groundedOutlierRelevance(fitted.kde, a, beta);
    const e = await throughEncoder(subject, layer!, test, index, shape, rule);
    const example: NeonExample = {
      index,
      relevance: e.relevance,
      value: e.grounded.output,
      conservation: conservation(e.grounded.output, e.inputSum, { representationSum: e.grounded.propagated, groundedResidual: e.grounded.residual }),
    };
    if (cluster !== undefined) example.cluster = cluster;
    examples.push(example);
  }
  return examples;
}

/**
 * Inlierness with error bars: each draw of random features (seeded as
 * explainInliernessWithErrorBars seeds them) is drawn once and explains every
 * example, so the draws are shared across examples instead of redrawn per example.
 */
async function explainInliers(
  settings: NeonSettings,
  fitted: FittedNeonModel,
  test: Dataset,
  shape: number[],
  subject: ExplainedModel | undefined,
  layer: string | undefined,
  signal: AbortSignal,
  report: (fraction: number, message: string) => void,
): Promise<NeonExample[]> {
  if (fitted.kind !== 'kde') throw new Error('inlierness needs a KDE');
  const kde = fitted.kde;
  const draws = settings.draws!;
  const size = exampleSize(test);
  const indices = settings.testIndices;
  const running = indices.map(() => new RunningMaps(size));
  // The point each example is at in the fitted space: its input, or its representation.
  const at: Float32Array[] = [];
  for (const index of indices) {
    if (subject === undefined) at.push(test.values.subarray(index * size, (index + 1) * size));
    else {
      const input = inputTensor(test, index, shape);
      try {
        at.push(await representationAt(subject.model, input, layer!));
      } finally {
        input.dispose();
      }
    }
  }
  for (let d = 0; d < draws; d++) {
    await yieldOrAbort(signal, 'NEON inlierness');
    report(d / draws, `NEON inlierness: draw ${d + 1}/${draws} of ${settings.features} random features`);
    const features: RandomFeatures = await drawRandomFeatures(kde, { features: settings.features, seed: drawSeed(settings.seed, d), signal });
    for (const [n, index] of indices.entries()) {
      if (subject === undefined) {
        const e = explainInlierness(features, at[n]!);
        running[n]!.add(e.relevance, e.output);
      } else {
        const e = await throughEncoder(subject, layer!, test, index, shape, (a) => groundedInlierRelevance(features, a));
        running[n]!.add(e.relevance, e.grounded.output, e.grounded.propagated);
      }
      if (n % 8 === 7) await yieldOrAbort(signal, 'NEON inlierness');
    }
  }
  return indices.map((index, n): NeonExample => {
    const r = running[n]!;
    const value = r.outputMean;
    const relevanceSum = sum(r.mean);
    const grounded = subject === undefined ? undefined : { representationSum: r.representationMean, groundedResidual: value - r.representationMean };
    return {
      index,
      relevance: Float32Array.from(r.mean),
      value,
      conservation: conservation(value, relevanceSum, grounded),
      relevanceStd: r.std(),
      valueStd: r.outputStd(),
      exactDensity: kdeDensity(kde, at[n]!),
    };
  });
}
