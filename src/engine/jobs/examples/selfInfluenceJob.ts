/**
 * `examples/selfInfluence`: how much each training example influences its own
 * loss. TracIn's comes exactly from the gradient index (its rows carry ‖g‖²);
 * influence functions' uses the Arnoldi low-rank inverse, one projection per
 * example, because a LiSSA solve per example would cost `depth` HVPs each.
 */
import { SELF_INFLUENCE_METHODS, type SelfInfluenceResult } from '../../../protocol/engineProtocol';
import { DEFAULT_SKETCH_DIM } from '../../examples/sketch';
import { arnoldiInverse } from '../../influence/arnoldi';
import { hessianOperator } from '../../influence/hessian';
import { influenceSelfInfluence } from '../../influence/selfInfluence';
import { checkpointIndexOf, trainingLoss } from '../../run/vaeParts';
import { COMMON_FIELDS, readCommon, secondsSince } from '../attributionJobContext';
import { openExplainedModel, type ExplainedModel } from '../explainedModel';
import { readEnum, readObject, readOptionalInteger } from '../paramReader';
import type { ExampleJobContext } from './exampleJobContext';
import { DEFAULT_ARNOLDI_ITERATIONS } from './exampleSpecs';
import { selfInfluenceFromIndex } from './gradientIndex';
import { progressWithEta } from './progressEta';
import { bestIndices } from './ranking';
import { rankedExample, trainFileOf } from './trainingRows';

export const DEFAULT_SELF_INFLUENCE_TOP_K = 20;

export async function tracInSelfInfluenceScores(subject: ExplainedModel, context: ExampleJobContext, batchSize?: number): Promise<Float32Array> {
  const ensured = await context.index.ensure(context.store, subject.run, { sketchDim: DEFAULT_SKETCH_DIM, signal: context.signal, progress: context.progress, ...(batchSize ? { batchSize } : {}) });
  return selfInfluenceFromIndex(ensured.checkpoints, subject.run.train.count);
}

async function influenceSelfInfluenceScores(subject: ExplainedModel, context: ExampleJobContext, batchSize?: number): Promise<Float32Array> {
  const { run, model } = subject;
  const relevantLayers = run.manifest.relevantParameters;
  const train = { values: run.train.values, count: run.train.count, exampleShape: subject.exampleShape, ...(run.train.labels ? { labels: run.train.labels } : {}) };
  const report = progressWithEta(context.progress);
  const loss = await trainingLoss(context.store, run, checkpointIndexOf(run, subject.checkpointFile));
  report('Arnoldi iterations on the Hessian', 0);
  const operator = hessianOperator(model, loss, train, { ...(relevantLayers ? { relevantLayers } : {}), ...(batchSize ? { batchSize } : {}) });
  const inverse = arnoldiInverse(operator, { iterations: DEFAULT_ARNOLDI_ITERATIONS }, context.signal);
  return influenceSelfInfluence(model, loss, train, inverse, {
    ...(relevantLayers ? { relevantLayers } : {}),
    ...(batchSize ? { batchSize } : {}),
    signal: context.signal,
    onProgress: (f, message) => report(message, f),
  });
}

export async function selfInfluence(params: unknown, context: ExampleJobContext): Promise<SelfInfluenceResult> {
  const start = performance.now();
  const o = readObject(params, 'params', [...COMMON_FIELDS, 'method', 'topK']);
  const common = readCommon(o);
  const method = readEnum(o.method, 'method', SELF_INFLUENCE_METHODS);
  const topK = readOptionalInteger(o.topK, 'topK', 1, 10_000) ?? DEFAULT_SELF_INFLUENCE_TOP_K;
  const subject = await openExplainedModel(context.store, common.manifestPath, common.checkpoint, context.signal, (run) => run.train);
  const scores = method === 'tracin' ? await tracInSelfInfluenceScores(subject, context, common.batchSize) : await influenceSelfInfluenceScores(subject, context, common.batchSize);
  const { run } = subject;
  const top = bestIndices(scores.length, Math.min(topK, scores.length), (i) => scores[i]!, true).map((n) => rankedExample(run.train, run.manifest.classNames, n, scores[n]!));
  return { method, scores, top, trainFile: trainFileOf(run.train), seconds: secondsSince(start) };
}
