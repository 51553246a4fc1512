/** `examples/consistency`: similarity rates of top-M and bottom-M examples per method, as box-plot statistics. */
import { SIMILARITY_RATE_MS, type ExampleConsistencyResult, type MethodSimilarityRates } from '../../../protocol/engineProtocol';
import { COMMON_FIELDS, readCommon, secondsSince } from '../attributionJobContext';
import { checkIndices, openExplainedModel } from '../explainedModel';
import { invalidParam, readIndexList, readInteger, readObject } from '../paramReader';
import type { ExampleJobContext } from './exampleJobContext';
import { resolveExampleSpec, toExampleSettings } from './exampleSpecs';
import { importanceScores } from './importanceScores';
import { rankScores } from './ranking';
import { boxStats, similarityRate } from './similarityRate';

export const MAX_CONSISTENCY_EXAMPLES = 1000;

function readMs(value: unknown): number[] {
  if (value === undefined) return [...SIMILARITY_RATE_MS];
  if (!Array.isArray(value) || value.length === 0 || value.length > 20) invalidParam('ms', 'must be a list of 1 to 20 positive integers');
  return value.map((v, i) => readInteger(v, `ms[${i}]`, 1, 100_000));
}

export async function exampleConsistency(params: unknown, context: ExampleJobContext): Promise<ExampleConsistencyResult> {
  const start = performance.now();
  const o = readObject(params, 'params', [...COMMON_FIELDS, 'testIndices', 'methods', 'ms']);
  const common = readCommon(o);
  const testIndices = readIndexList(o.testIndices, 'testIndices', MAX_CONSISTENCY_EXAMPLES);
  if (!Array.isArray(o.methods) || o.methods.length === 0 || o.methods.length > 8) invalidParam('methods', 'must be a list of 1 to 8 method specs');
  const specs = o.methods.map((m, i) => resolveExampleSpec(m, `methods[${i}]`));
  const ms = readMs(o.ms);
  const subject = await openExplainedModel(context.store, common.manifestPath, common.checkpoint, context.signal);
  const { run } = subject;
  checkIndices(run.test, testIndices, 'testIndices');
  const trainLabels = run.train.labels;
  const testLabels = run.test.labels;
  if (!trainLabels || !testLabels) invalidParam('manifestPath', `names a run without ${!trainLabels ? 'training' : 'test'} labels; the similarity rate compares labels`);
  const maxM = Math.max(...ms);

  const methods: MethodSimilarityRates[] = [];
  for (const [s, spec] of specs.entries()) {
    const scored = await importanceScores(subject, spec, testIndices, {
      ...context,
      progress: (p) => context.progress({ ...p, message: `${spec.method} (${s + 1}/${specs.length}): ${p.message}`, ...(p.fraction !== undefined ? { fraction: (s + p.fraction) / specs.length } : {}) }),
    }, common.batchSize);
    const perExample = testIndices.map((index, t) => {
      const distances = scored.distances?.[t];
      const ranked = rankScores(scored.scores[t]!, Math.min(maxM, run.train.count), { family: scored.family, higherIsHelpful: scored.higherIsHelpful, ...(distances ? { distances } : {}) });
      const bottom = scored.family === 'representation' ? ranked.leastSimilar : ranked.opponents;
      const label = testLabels[index]!;
      return { index, top: ms.map((m) => similarityRate(ranked.proponents, trainLabels, label, m)), bottom: ms.map((m) => similarityRate(bottom, trainLabels, label, m)) };
    });
    methods.push({
      method: spec.method,
      settings: toExampleSettings(spec),
      top: ms.map((_, j) => boxStats(perExample.map((e) => e.top[j]!))),
      bottom: ms.map((_, j) => boxStats(perExample.map((e) => e.bottom[j]!))),
      perExample,
    });
  }
  return { ms, methods, seconds: secondsSince(start) };
}
