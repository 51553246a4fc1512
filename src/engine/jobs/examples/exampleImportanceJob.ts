/** `examples/importance`: proponents and opponents (or most and least similar examples) of some test examples. */
import { MAX_IMPORTANCE_EXAMPLES, type ExampleImportanceExample, type ExampleImportanceResult } from '../../../protocol/engineProtocol';
import { COMMON_FIELDS, readCommon, secondsSince } from '../attributionJobContext';
import { checkIndices, openExplainedModel } from '../explainedModel';
import { describeLabel } from '../labels';
import { readIndexList, readObject, readOptionalBoolean, readOptionalInteger } from '../paramReader';
import type { ExampleJobContext } from './exampleJobContext';
import { resolveExampleSpec, toExampleSettings } from './exampleSpecs';
import { importanceScores } from './importanceScores';
import { rankScores } from './ranking';
import { rankedExample, trainFileOf } from './trainingRows';

export const DEFAULT_IMPORTANCE_TOP_K = 5;
export const MAX_IMPORTANCE_TOP_K = 1000;

export async function exampleImportance(params: unknown, context: ExampleJobContext): Promise<ExampleImportanceResult> {
  const start = performance.now();
  const o = readObject(params, 'params', [...COMMON_FIELDS, 'testIndices', 'method', 'topK', 'includeScores']);
  const common = readCommon(o);
  const testIndices = readIndexList(o.testIndices, 'testIndices', MAX_IMPORTANCE_EXAMPLES);
  const spec = resolveExampleSpec(o.method);
  const topK = readOptionalInteger(o.topK, 'topK', 1, MAX_IMPORTANCE_TOP_K) ?? DEFAULT_IMPORTANCE_TOP_K;
  const includeScores = readOptionalBoolean(o.includeScores, 'includeScores') ?? false;

  const subject = await openExplainedModel(context.store, common.manifestPath, common.checkpoint, context.signal);
  checkIndices(subject.run.test, testIndices, 'testIndices');
  const { run } = subject;
  const result = await importanceScores(subject, spec, testIndices, context, common.batchSize);
  const describe = (index: number, score: number, distance?: number) => rankedExample(run.train, run.manifest.classNames, index, score, distance);

  const examples = testIndices.map((index, t): ExampleImportanceExample => {
    const scores = result.scores[t]!;
    const distances = result.distances?.[t];
    const ranked = rankScores(scores, Math.min(topK, run.train.count), { family: result.family, higherIsHelpful: result.higherIsHelpful, ...(distances ? { distances } : {}) });
    const entry: ExampleImportanceExample = {
      index,
      ...describeLabel(run.test, index, run.manifest.classNames),
      proponents: ranked.proponents.map((n) => describe(n, scores[n]!, distances?.[n])),
      opponents: ranked.opponents.map((n) => describe(n, scores[n]!)),
    };
    if (result.family === 'representation') entry.leastSimilar = ranked.leastSimilar.map((n) => describe(n, scores[n]!, distances?.[n]));
    const summary = result.simplex?.[t];
    if (summary) entry.simplex = summary;
    if (includeScores) entry.scores = scores;
    return entry;
  });

  const response: ExampleImportanceResult = {
    method: spec.method,
    settings: toExampleSettings(spec),
    family: result.family,
    higherIsHelpful: result.higherIsHelpful,
    labelFree: result.labelFree,
    checkpoint: subject.checkpoint,
    trainCount: run.train.count,
    trainFile: trainFileOf(run.train),
    examples,
    timings: result.timings,
    seconds: secondsSince(start),
  };
  if (result.index) response.index = result.index;
  if (result.notes.length > 0) response.notes = result.notes;
  return response;
}
