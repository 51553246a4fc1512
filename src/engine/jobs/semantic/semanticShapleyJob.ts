/**
 * `semantic/shapley`: semantic Shapley values of test examples' class
 * probabilities over the features of a semantic representation (Fourier
 * radius bins, or a VAE run's latent units through its declared decoder),
 * marginalising absent features over a seeded sample of training examples;
 * with scope 'global' also their mean and mean |value|.
 */
import * as tf from '@tensorflow/tfjs-core';
import {
  DEFAULT_SEMANTIC_BACKGROUND,
  type SemanticShapleyExample,
  type SemanticShapleyGlobal,
  type SemanticShapleyReply,
} from '../../../protocol/engineProtocol';
import type { Progress } from '../../../protocol/rpc';
import { yieldOrAbort } from '../../examples/cancel';
import { examplesTensor } from '../../run/batches';
import type { RunStore } from '../../run/runStore';
import { DEFAULT_PERMUTATIONS, fourierRepresentation, MAX_EXACT_FEATURES, meanAndStandardError, semanticShapley, type FourierRepresentation, type ScoreFunction, type SemanticRepresentation } from '../../semantic';
import { secondsSince, throttledProgress } from '../attributionJobContext';
import { checkIndices, openExplainedModel } from '../explainedModel';
import { describeLabel } from '../labels';
import { classOutput } from '../modelOutputs';
import { invalidParam } from '../paramReader';
import { seededSubsample } from '../unsupervised/neonModels';
import { readSemanticParams, type SemanticSettings } from './semanticParams';
import { vaeRepresentation } from './vaeRepresentation';

export interface SemanticJobContext {
  store: RunStore;
  signal: AbortSignal;
  progress(progress: Progress): void;
}

function sum(values: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i]!;
  return s;
}

/** "0.00–0.12 cycles/px" for every radius bin. */
export function binNames(edges: ArrayLike<number>): string[] {
  return Array.from({ length: edges.length - 1 }, (_, j) => `${edges[j]!.toFixed(2)}–${edges[j + 1]!.toFixed(2)} cycles/px`);
}

export async function semanticShapleyJob(params: unknown, context: SemanticJobContext): Promise<SemanticShapleyReply> {
  const start = performance.now();
  const settings = readSemanticParams(params);
  const report = throttledProgress(context.progress);
  const timings: Record<string, number> = {};

  const subject = await openExplainedModel(context.store, settings.manifestPath, settings.checkpoint, context.signal);
  const { run } = subject;
  checkIndices(run.test, settings.testIndices, 'testIndices');
  const output = classOutput(subject, 'class');
  if (settings.classIndex !== undefined && settings.classIndex >= output.classes) {
    invalidParam('target.classIndex', `is ${settings.classIndex}, but the model has ${output.classes} classes (0..${output.classes - 1})`);
  }
  const shape = subject.exampleShape;
  const built = await buildRepresentation(settings, context, shape);
  const features = built.featureNames.length;
  if (settings.method === 'exact' && features > MAX_EXACT_FEATURES) {
    invalidParam('method', `'exact' supports up to ${MAX_EXACT_FEATURES} features, the representation has ${features}; use 'permutation' or 'auto'`);
  }
  const method = settings.method === 'auto' ? (features <= MAX_EXACT_FEATURES ? 'exact' : 'permutation') : settings.method;
  if (settings.samples !== undefined && method === 'exact') {
    invalidParam('samples', `applies to the permutation method, and with ${features} features method '${settings.method}' is exact`);
  }
  const { representation, featureNames } = built;
  const backgroundCount = Math.min(settings.background ?? DEFAULT_SEMANTIC_BACKGROUND, run.train.count);
  const backgroundIndices = seededSubsample(run.train.count, backgroundCount, settings.seed);

  // The explained class per example: the asked one, or the prediction at x itself.
  const predictStart = performance.now();
  const classes: number[] = [];
  for (const index of settings.testIndices) {
    if (settings.classIndex !== undefined) {
      classes.push(settings.classIndex);
      continue;
    }
    const probabilities = tf.tidy(() => output.probabilities(examplesTensor(run.test, [index], shape)));
    try {
      const values = await probabilities.data();
      let best = 0;
      for (let c = 1; c < values.length; c++) if (values[c]! > values[best]!) best = c;
      classes.push(best);
    } finally {
      probabilities.dispose();
    }
  }
  timings.predict = secondsSince(predictStart);

  const shapleyStart = performance.now();
  const background = examplesTensor(run.train, backgroundIndices, shape);
  const examples: SemanticShapleyExample[] = [];
  let evaluations = 0;
  const local = new Float64Array(settings.testIndices.length * features);
  try {
    for (const [n, index] of settings.testIndices.entries()) {
      await yieldOrAbort(context.signal, 'semantic Shapley');
      const classIndex = classes[n]!;
      const score: ScoreFunction = (x) => tf.tidy(() => tf.reshape(tf.slice(output.probabilities(x), [0, classIndex], [-1, 1]), [-1]) as tf.Tensor1D);
      const input = examplesTensor(run.test, [index], shape);
      const total = settings.testIndices.length;
      let one;
      try {
        one = await semanticShapley(representation, score, input, background, {
          method,
          seed: settings.seed,
          signal: context.signal,
          ...(settings.samples !== undefined ? { samples: settings.samples } : {}),
          ...(settings.batchSize !== undefined ? { batchSize: settings.batchSize } : {}),
          onProgress: (fraction, message) => report(`test example ${index} (${n + 1}/${total}): ${message}`, (n + fraction) / total),
        });
      } finally {
        input.dispose();
      }
      evaluations += one.evaluations;
      local.set(one.values, n * features);
      const className = run.manifest.classNames?.[classIndex];
      examples.push({
        index,
        ...describeLabel(run.test, index, run.manifest.classNames),
        classIndex,
        ...(className !== undefined ? { className } : {}),
        values: Array.from(one.values),
        standardErrors: Array.from(one.standardErrors),
        fullValue: one.fullValue,
        emptyValue: one.emptyValue,
        efficiencyGap: sum(one.values) - (one.fullValue - one.emptyValue),
      });
    }
  } finally {
    background.dispose();
  }
  timings.shapley = secondsSince(shapleyStart);

  const reply: SemanticShapleyReply = {
    checkpoint: subject.checkpoint,
    representation: built.summary,
    featureNames,
    method,
    backgroundIndices,
    examples,
    evaluations,
    timings,
    seconds: 0,
  };
  if (method === 'permutation') reply.samples = settings.samples ?? DEFAULT_PERMUTATIONS;
  if (settings.scope === 'global') reply.global = globalValues(local, examples, features);
  reply.seconds = secondsSince(start);
  report('semantic Shapley done', 1);
  return reply;
}

interface BuiltRepresentation {
  representation: SemanticRepresentation;
  featureNames: string[];
  summary: SemanticShapleyReply['representation'];
}

/** The Fourier radius bins of the explained model's images, or a VAE run's latent space. */
async function buildRepresentation(settings: SemanticSettings, context: SemanticJobContext, shape: number[]): Promise<BuiltRepresentation> {
  const spec = settings.representation;
  if (spec.kind === 'vae') {
    const vae = await vaeRepresentation(context.store, spec.manifestPath ?? settings.manifestPath, spec.checkpoint, shape, context.signal);
    return {
      representation: vae,
      featureNames: vae.featureNames,
      summary: { kind: 'vae', latentDim: vae.latentDim, manifestPath: vae.manifestPath, checkpoint: vae.checkpoint, decoder: vae.decoder },
    };
  }
  if (shape.length !== 2 && shape.length !== 3) {
    invalidParam('representation.kind', `'fourier' needs image inputs [H, W] or [H, W, C], but the model takes examples of shape [${shape.join(', ')}]`);
  }
  let fourier: FourierRepresentation;
  try {
    fourier = fourierRepresentation(shape, spec.bins === undefined ? {} : { bins: spec.bins });
  } catch (error) {
    invalidParam('representation.bins', (error as Error).message);
  }
  const featureNames = binNames(fourier.binning.edges);
  return {
    representation: { ...fourier, featureNames },
    featureNames,
    summary: { kind: 'fourier', bins: fourier.binning.bins, edges: Array.from(fourier.binning.edges), modesPerBin: Array.from(fourier.binning.modesPerBin) },
  };
}

/** Mean and mean |φ| over the examples, with standard errors over the examples (as globalSemanticShapley computes them). */
function globalValues(local: Float64Array, examples: SemanticShapleyExample[], features: number): SemanticShapleyGlobal {
  const n = examples.length;
  const { mean, standardError } = meanAndStandardError(local, n, features);
  const absolute = meanAndStandardError(
    local.map((v) => Math.abs(v)),
    n,
    features,
  );
  const fullValue = examples.reduce((s, e) => s + e.fullValue, 0) / n;
  const emptyValue = examples.reduce((s, e) => s + e.emptyValue, 0) / n;
  return {
    mean: Array.from(mean),
    meanStandardErrors: Array.from(standardError),
    meanAbsolute: Array.from(absolute.mean),
    meanAbsoluteStandardErrors: Array.from(absolute.standardError),
    fullValue,
    emptyValue,
    efficiencyGap: sum(mean) - (fullValue - emptyValue),
    examples: n,
  };
}
