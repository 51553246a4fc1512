/**
 * The NEON job's fitted k-means or KDE: how many training examples it is fitted on, and the fit
 * itself, reused from the model cache while the data, the space and the fit settings are unchanged.
 */
import type * as tfl from '@tensorflow/tfjs-layers';
import { DEFAULT_NEON_FIT_EXAMPLES_INPUT, DEFAULT_NEON_FIT_EXAMPLES_REPRESENTATION } from '../../../protocol/engineProtocol';
import type { Points } from '../../neon';
import type { LoadedRun } from '../../run/runStore';
import { secondsSince } from '../attributionJobContext';
import type { ExplainedModel } from '../explainedModel';
import { datasetFingerprint } from '../examples/datasetFingerprint';
import type { RepresentationCache } from '../examples/representationCache';
import { invalidParam } from '../paramReader';
import { fitNeonModel, seededSubsample, type CachedNeonModel, type NeonModelCache } from './neonModels';
import type { NeonSettings } from './neonParams';
import { exampleSize } from './throughEncoder';

const modelIds = new WeakMap<tfl.LayersModel, number>();
let nextModelId = 1;

/** A loaded model's identity: a reloaded (changed) checkpoint gets a new one, so its fits are not reused. */
function modelId(model: tfl.LayersModel): number {
  let id = modelIds.get(model);
  if (id === undefined) modelIds.set(model, (id = nextModelId++));
  return id;
}

function rowsOf(values: Float32Array, dim: number, indices: readonly number[]): Float32Array {
  const out = new Float32Array(indices.length * dim);
  indices.forEach((n, i) => out.set(values.subarray(n * dim, (n + 1) * dim), i * dim));
  return out;
}

interface Space {
  /** Training points of the fitted space, all of them (rows picked later). */
  trainPoints(report: (fraction: number, message: string) => void): Promise<{ values: Float32Array; dim: number }>;
  cacheKey: string;
}

/** The number of training examples fitted on; rejects too few for the model. */
export function fitCountOf(settings: NeonSettings, run: LoadedRun): number {
  const trainCount = run.train.count;
  const fitCount = Math.min(trainCount, settings.fitExamples ?? (settings.space === 'input' ? DEFAULT_NEON_FIT_EXAMPLES_INPUT : DEFAULT_NEON_FIT_EXAMPLES_REPRESENTATION));
  if (settings.model.kind === 'kmeans' && fitCount < settings.model.k) {
    invalidParam('model.k', `is ${settings.model.k}, more clusters than the ${fitCount} training examples fitted on (${run.train.file})`);
  }
  if (fitCount < 2) invalidParam('fitExamples', `leaves ${fitCount} training example to fit on; NEON needs at least 2 (${run.train.file})`);
  return fitCount;
}

/** The fit for these settings, from the cache when it holds one (`cached`); records the seconds it took in `timings`. */
export async function fitOrReuse(
  settings: NeonSettings,
  run: LoadedRun,
  subject: ExplainedModel | undefined,
  layer: string | undefined,
  fitCount: number,
  context: { representations: RepresentationCache; models: NeonModelCache; signal: AbortSignal },
  report: (message: string, fraction: number) => void,
  timings: Record<string, number>,
): Promise<{ entry: CachedNeonModel; cached: boolean }> {
  const trainCount = run.train.count;
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
  return { entry, cached };
}
