/**
 * `unsupervised/neon`: fits k-means or a KDE on the training set (in input
 * space or on the manifest's representation layer) and explains cluster
 * membership, outlierness or inlierness of some test examples with NEON.
 * In representation space the relevance is grounded on the layer's
 * activations (Appendix A) and continued to the input by LRP-ε.
 */
import type { NeonResult } from '../../../protocol/engineProtocol';
import type { Progress } from '../../../protocol/rpc';
import type { RunStore } from '../../run/runStore';
import { secondsSince, throttledProgress } from '../attributionJobContext';
import { checkIndices, openExplainedModel, type ExplainedModel } from '../explainedModel';
import type { RepresentationCache } from '../examples/representationCache';
import { describeLabel } from '../labels';
import { representation } from '../modelOutputs';
import { explainEach } from './neonExplainEach';
import { explainInliers } from './neonExplainInliers';
import { fitCountOf, fitOrReuse } from './neonFit';
import type { NeonModelCache } from './neonModels';
import { readNeonParams } from './neonParams';

export interface NeonJobContext {
  store: RunStore;
  representations: RepresentationCache;
  models: NeonModelCache;
  signal: AbortSignal;
  progress(progress: Progress): void;
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
  const fitCount = fitCountOf(settings, run);
  const { entry, cached } = await fitOrReuse(settings, run, subject, layer, fitCount, context, report, timings);

  const explainStart = performance.now();
  const explainReport = (f: number, message: string) => report(message, 0.5 + 0.5 * f);
  const input = { settings, fitted: entry.fitted, test: run.test, shape, subject, layer, signal: context.signal, report: explainReport };
  const examples = settings.explain === 'inlierness' ? await explainInliers(input) : await explainEach(input);
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
