/** `examples/buildIndex`: the gradient index of every checkpoint, built or resumed. */
import type { BuildGradientIndexResult } from '../../../protocol/engineProtocol';
import { DEFAULT_SKETCH_DIM } from '../../examples/sketch';
import { MAX_BATCH_SIZE, secondsSince } from '../attributionJobContext';
import { readObject, readOptionalInteger, readString } from '../paramReader';
import type { ExampleJobContext } from './exampleJobContext';
import { MAX_SKETCH_DIM } from './exampleSpecs';

export async function buildGradientIndex(params: unknown, context: ExampleJobContext): Promise<BuildGradientIndexResult> {
  const start = performance.now();
  const o = readObject(params, 'params', ['manifestPath', 'sketchDim', 'batchSize']);
  const manifestPath = readString(o.manifestPath, 'manifestPath');
  const sketchDim = readOptionalInteger(o.sketchDim, 'sketchDim', 4, MAX_SKETCH_DIM) ?? DEFAULT_SKETCH_DIM;
  const batchSize = readOptionalInteger(o.batchSize, 'batchSize', 1, MAX_BATCH_SIZE);
  const run = await context.store.open(manifestPath, undefined, context.signal);
  const ensured = await context.index.ensure(context.store, run, { sketchDim, signal: context.signal, progress: context.progress, ...(batchSize ? { batchSize } : {}) });
  return { sketchDim, trainCount: run.train.count, cacheDir: ensured.cacheDir, checkpoints: ensured.report, seconds: secondsSince(start) };
}
