/**
 * `examples/compare`: how far two encoders agree on which training examples
 * matter, as the Pearson correlation of their scores over the whole training
 * set, per test example (the label-free paper's pretext-task comparison).
 * TracIn sums over a run's checkpoints whichever one is chosen, so two
 * checkpoints of one run are each scored at their own checkpoint only.
 */
import type { CompareExampleImportanceResult } from '../../../protocol/engineProtocol';
import { pearson } from '../../metrics/pearson';
import { checkpointIndexOf } from '../../run/vaeParts';
import { COMMON_FIELDS, readCommon, secondsSince } from '../attributionJobContext';
import { checkIndices, describeEncoder, openExplainedModel, readOtherEncoder, type ExplainedModel } from '../explainedModel';
import { invalidParam, readIndexList, readObject } from '../paramReader';
import type { ExampleJobContext } from './exampleJobContext';
import { resolveExampleSpec } from './exampleSpecs';
import { importanceScores } from './importanceScores';
import { MAX_CONSISTENCY_EXAMPLES } from './exampleConsistencyJob';


export async function compareExampleImportance(params: unknown, context: ExampleJobContext): Promise<CompareExampleImportanceResult> {
  const start = performance.now();
  const o = readObject(params, 'params', [...COMMON_FIELDS, 'other', 'testIndices', 'method']);
  const common = readCommon(o);
  const { manifestPath: otherManifest, checkpoint: otherCheckpoint } = readOtherEncoder(o.other);
  const testIndices = readIndexList(o.testIndices, 'testIndices', MAX_CONSISTENCY_EXAMPLES);
  const spec = resolveExampleSpec(o.method);
  const a = await openExplainedModel(context.store, common.manifestPath, common.checkpoint, context.signal);
  checkIndices(a.run.test, testIndices, 'testIndices');
  const b = await openExplainedModel(context.store, otherManifest ?? common.manifestPath, otherCheckpoint, context.signal);
  if (a.run.train.count !== b.run.train.count) {
    invalidParam('other', `has ${b.run.train.count} training examples (${b.run.train.file}) but the first run has ${a.run.train.count} (${a.run.train.file}); both must score the same training set`);
  }
  const sameRun = a.run.manifestPath === b.run.manifestPath;
  // Any method would report r = 1 for an encoder against itself, which says nothing.
  if (sameRun && a.checkpointFile === b.checkpointFile) invalidParam('other', `is the same encoder as the first (${b.checkpoint} of ${b.run.manifestPath}); choose another checkpoint or run`);
  const ownCheckpoint = sameRun && spec.method === 'tracin';
  const only = (subject: ExplainedModel) => (ownCheckpoint ? { tracinCheckpoints: [checkpointIndexOf(subject.run, subject.checkpointFile)] } : {});
  const half = (h: number) => ({ ...context, progress: (p: { message: string; fraction?: number }) => context.progress({ ...p, ...(p.fraction !== undefined ? { fraction: (h + p.fraction) / 2 } : {}) }) });
  const scoresA = await importanceScores(a, spec, testIndices, half(0), common.batchSize, only(a));
  // The second encoder explains the first run's test examples: same inputs, other weights.
  const bOnA: ExplainedModel = { ...b, run: { ...b.run, test: a.run.test } };
  const scoresB = await importanceScores(bOnA, spec, testIndices, half(1), common.batchSize, only(bOnA));
  const perExample = testIndices.map((index, t) => ({ index, pearson: pearson(scoresA.scores[t]!, scoresB.scores[t]!) }));
  const defined = perExample.map((e) => e.pearson).filter(Number.isFinite);
  const mean = defined.reduce((s, v) => s + v, 0) / Math.max(1, defined.length);
  const std = Math.sqrt(defined.reduce((s, v) => s + (v - mean) ** 2, 0) / Math.max(1, defined.length));
  const scoredCheckpoints = spec.method === 'tracin' && !ownCheckpoint ? 'eachRun' : 'chosen';
  return { method: spec.method, a: describeEncoder(a), b: describeEncoder(b), scoredCheckpoints, mean: defined.length ? mean : NaN, std: defined.length ? std : NaN, perExample, seconds: secondsSince(start) };
}
