/**
 * The foundation job: for some test examples, label-free integrated gradients
 * on the representation layer (black baseline) and label-free TracIn
 * proponents/opponents over the whole training set and every checkpoint.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { BackendName, ExampleExplanation, ExplainParams, ExplainResult, ScoredExample } from '../../protocol/engineProtocol';
import type { Progress } from '../../protocol/rpc';
import { integratedGradients } from '../attribution/integratedGradients';
import { encoderFromModel, labelFreeTarget } from '../attribution/targets';
import { topProponentsOpponents, tracInScores } from '../influence/tracin';
import { examplesTensor, gatherValues, gatherLabels, modelExampleShape } from '../run/batches';
import { chooseCheckpoint, type LoadedRun, type RunStore } from '../run/runStore';
import { trainingLoss } from '../run/vaeParts';
import { describeLabel } from './labels';
import { PhaseTimer } from '../../shared/phaseTimer';

export const DEFAULT_IG_STEPS = 64;
export const DEFAULT_TOP_K = 5;

export interface JobContext {
  store: RunStore;
  backend: BackendName;
  signal: AbortSignal;
  progress(progress: Progress): void;
}

function validateParams(params: ExplainParams, run: LoadedRun): { steps: number; topK: number } {
  if (!Array.isArray(params.testIndices) || params.testIndices.length === 0) throw new RangeError('testIndices must be a non-empty list');
  for (const i of params.testIndices) {
    if (!Number.isSafeInteger(i) || i < 0 || i >= run.test.count) {
      throw new RangeError(`testIndices: ${i} is outside 0..${run.test.count - 1} (${run.test.file})`);
    }
  }
  const steps = params.steps ?? DEFAULT_IG_STEPS;
  if (!Number.isSafeInteger(steps) || steps < 2 || steps > 4096) throw new RangeError(`steps must be an integer in 2..4096, got ${steps}`);
  const topK = params.topK ?? DEFAULT_TOP_K;
  if (!Number.isSafeInteger(topK) || topK < 1 || topK > run.train.count) throw new RangeError(`topK must be an integer in 1..${run.train.count}, got ${topK}`);
  return { steps, topK };
}

function scored(run: LoadedRun, entries: Array<{ index: number; score: number }>): ScoredExample[] {
  return entries.map(({ index, score }) => ({ index, score, ...describeLabel(run.train, index, run.manifest.classNames) }));
}

export async function explainExamples(params: ExplainParams, context: JobContext): Promise<ExplainResult> {
  const timer = new PhaseTimer();
  const report = (message: string, fraction?: number): void => {
    const progress: Progress = fraction === undefined ? { message } : { message, fraction };
    context.progress(progress);
  };

  report('Loading the run');
  const run = await timer.run('loadData', () => context.store.open(params.manifestPath, undefined, context.signal));
  const { steps, topK } = validateParams(params, run);
  const chosen = chooseCheckpoint(run, params.checkpoint);
  const models = await timer.run('loadModels', () => Promise.all(run.checkpointFiles.map((file) => context.store.model(file))));
  const losses = await timer.run('loadModels', () => Promise.all(run.checkpointFiles.map((_, c) => trainingLoss(context.store, run, c))));
  const model = models[chosen]!;
  const exampleShape = modelExampleShape(model, run.test);

  const saliencies = await timer.run('saliency', async () => {
    const encoder = encoderFromModel(model, run.manifest.representationLayer);
    const results = [];
    for (const [n, index] of params.testIndices.entries()) {
      report(`Integrated gradients for test example ${index}`, (0.5 * n) / params.testIndices.length);
      const input = examplesTensor(run.test, [index], exampleShape);
      const baseline = tf.zerosLike(input);
      const target = labelFreeTarget(encoder, input);
      try {
        const attribution = await integratedGradients(target.fn, input, baseline, { steps, rule: 'riemann_trapezoid', signal: context.signal });
        const values = (await attribution.attributions.data()) as Float32Array;
        attribution.attributions.dispose();
        results.push({ values, completeness: attribution.completeness });
      } finally {
        target.dispose();
        tf.dispose([input, baseline]);
      }
    }
    return results;
  });

  const scores = await timer.run('tracin', () =>
    tracInScores({
      checkpoints: models.map((m, i) => ({ model: m, learningRate: run.manifest.checkpoints[i]!.learningRate, loss: losses[i]! })),
      loss: losses[chosen]!,
      relevantLayers: run.manifest.relevantParameters,
      train: { values: run.train.values, count: run.train.count, exampleShape: run.train.exampleShape, labels: run.train.labels },
      test: {
        values: gatherValues(run.test, params.testIndices),
        count: params.testIndices.length,
        exampleShape: run.test.exampleShape,
        labels: gatherLabels(run.test, params.testIndices),
        ids: params.testIndices,
      },
      signal: context.signal,
      onProgress: (fraction, message) => report(message, 0.5 + 0.5 * fraction),
    }),
  );
  const ranked = topProponentsOpponents(scores, params.testIndices.length, run.train.count, topK);

  const examples: ExampleExplanation[] = params.testIndices.map((index, n) => {
    const saliency = saliencies[n]!;
    const result: ExampleExplanation = {
      index,
      ...describeLabel(run.test, index, run.manifest.classNames),
      saliency: { method: 'integratedGradients', labelFree: true, shape: exampleShape, values: saliency.values },
      proponents: scored(run, ranked[n]!.proponents),
      opponents: scored(run, ranked[n]!.opponents),
    };
    if (saliency.completeness) result.saliency.completeness = saliency.completeness;
    return result;
  });
  return { backend: context.backend, checkpoint: run.manifest.checkpoints[chosen]!.path, examples, timings: timer.finish() };
}
