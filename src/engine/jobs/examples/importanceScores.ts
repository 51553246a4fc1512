/**
 * One score per training example for each test example, by any method. The
 * ranking (proponents, opponents, least similar) is separate, so the
 * consistency and comparison jobs reuse the same scores.
 */
import type { GradientIndexUse, SimplexSummary } from '../../../protocol/engineProtocol';
import type { LossSpec } from '../../../protocol/manifest';
import { lossNeedsLabels, vaeLossNote } from '../../losses/vaeLoss';
import { checkpointIndexOf, trainingLoss } from '../../run/vaeParts';
import { deepKnn, DEFAULT_DEEP_KNN_EPSILON, latentDistances } from '../../examples/deepKnn';
import { simplex } from '../../examples/simplex';
import type { Representations } from '../../examples/representations';
import { influenceScores } from '../../influence/influenceFunctions';
import { relevantLayersOf } from '../../influence/perExampleGradients';
import { tracInScores } from '../../influence/tracin';
import { gatherLabels, gatherValues } from '../../run/batches';
import type { ExplainedModel } from '../explainedModel';
import { PhaseTimer } from '../../../shared/phaseTimer';
import type { ExampleJobContext } from './exampleJobContext';
import type { ResolvedExampleSpec } from './exampleSpecs';
import { sketchedScores, sketchRows } from './gradientIndex';
import { progressWithEta } from './progressEta';

export interface ImportanceScores {
  /** scores[t][n]: test example t, training example n. */
  scores: Float32Array[];
  /** Latent distances for representation methods (least similar = farthest). */
  distances?: Float64Array[];
  simplex?: SimplexSummary[];
  family: 'gradient' | 'representation';
  /** Influence functions score helpful examples negative. */
  higherIsHelpful: boolean;
  labelFree: boolean;
  index?: GradientIndexUse;
  notes: string[];
  timings: Record<string, number>;
}

function splitRows(flat: Float32Array, rows: number, width: number): Float32Array[] {
  return Array.from({ length: rows }, (_, t) => flat.slice(t * width, (t + 1) * width));
}

function testSplit(subject: ExplainedModel, testIndices: readonly number[], loss: LossSpec) {
  const { run } = subject;
  const labels = gatherLabels(run.test, testIndices);
  if (lossNeedsLabels(loss) && !labels) throw new Error(`${run.test.file}: the ${loss.kind === 'vae' ? 'supervised VAE' : loss.kind} loss needs test labels`);
  return { values: gatherValues(run.test, testIndices), count: testIndices.length, exampleShape: subject.exampleShape, ids: [...testIndices], ...(labels ? { labels } : {}) };
}

function trainSplit(subject: ExplainedModel) {
  const { train } = subject.run;
  return { values: train.values, count: train.count, exampleShape: subject.exampleShape, ...(train.labels ? { labels: train.labels } : {}) };
}

/** The last `n` relevant layers, by name. */
function lastRelevantLayers(subject: ExplainedModel, n: number): string[] {
  const { relevant } = relevantLayersOf(subject.model, subject.run.manifest.relevantParameters);
  return relevant.slice(-n).map((layer) => layer.name);
}

async function trainRepresentations(subject: ExplainedModel, context: ExampleJobContext, report: (message: string, fraction: number) => void): Promise<Representations> {
  return context.representations.get(subject.model, subject.checkpointFile, subject.run.manifest.representationLayer, subject.run.train, subject.exampleShape, {
    signal: context.signal,
    onProgress: (f, message) => report(message, 0.8 * f),
  });
}

async function testRepresentations(subject: ExplainedModel, testIndices: readonly number[], context: ExampleJobContext): Promise<Representations> {
  return context.representations.get(subject.model, subject.checkpointFile, subject.run.manifest.representationLayer, subject.run.test, subject.exampleShape, { signal: context.signal }).then((all) => ({
    values: Float32Array.from(testIndices.flatMap((i) => Array.from(all.values.subarray(i * all.dim, (i + 1) * all.dim)))),
    count: testIndices.length,
    dim: all.dim,
  }));
}

export interface ImportanceOptions {
  /**
   * TracIn sums over these checkpoint positions of the run only (all of them
   * when absent). One position gives single-checkpoint TracIn, η_c <∇L(x, θ_c),
   * ∇L(x', θ_c)>: what tells two checkpoints of one run apart, since the full
   * sum is the same whichever checkpoint the subject names.
   */
  tracinCheckpoints?: readonly number[];
}

export async function importanceScores(
  subject: ExplainedModel,
  spec: ResolvedExampleSpec,
  testIndices: readonly number[],
  context: ExampleJobContext,
  batchSize?: number,
  options: ImportanceOptions = {},
): Promise<ImportanceScores> {
  const { run } = subject;
  const t = new PhaseTimer();
  const report = progressWithEta(context.progress);
  const trainCount = run.train.count;
  const base = { labelFree: run.manifest.loss.kind !== 'crossEntropy', notes: [] as string[], timings: t.timings };
  /** The loss of each checkpoint (a VAE's carries its decoder), loaded once, with the note saying what it is. */
  const lossOf = async (checkpoint: number): Promise<LossSpec> => {
    const loss = await t.run('loadModels', () => trainingLoss(context.store, run, checkpoint));
    base.labelFree = !lossNeedsLabels(loss);
    const note = vaeLossNote(loss);
    if (note && !base.notes.includes(note)) base.notes.push(note);
    return loss;
  };

  switch (spec.method) {
    case 'tracin': {
      const positions = options.tracinCheckpoints ?? run.checkpointFiles.map((_, c) => c);
      const checkpoints = await t.run('loadModels', () => Promise.all(positions.map((c) => context.store.model(run.checkpointFiles[c]!))));
      const losses: LossSpec[] = [];
      for (const c of positions) losses.push(await lossOf(c));
      if (spec.mode === 'sketch') {
        // Only the positions' index parts: their rows line up with `checkpoints` and `testRows`.
        const only = options.tracinCheckpoints ? { only: positions } : {};
        const index = await t.run('index', () => context.index.ensure(context.store, run, { sketchDim: spec.sketchDim, signal: context.signal, progress: context.progress, ...only, ...(batchSize ? { batchSize } : {}) }));
        const built = index.report.filter((r) => r.computedChunks > 0).length;
        const testRows = await t.run('testGradients', () =>
          Promise.all(checkpoints.map((model, c) => sketchRows(model, run, run.test, 'test', testIndices, spec.sketchDim, batchSize ?? 256, context.signal, losses[c]))),
        );
        const scores = await t.run('query', async () => testIndices.map((_, i) => Float32Array.from(sketchedScores(index.checkpoints, testRows, i, trainCount))));
        return { ...base, scores, family: 'gradient', higherIsHelpful: true, index: { sketchDim: spec.sketchDim, built, reused: index.checkpoints.length - built } };
      }
      const relevantLayers = spec.mode === 'lastLayers' ? lastRelevantLayers(subject, spec.lastLayers) : run.manifest.relevantParameters;
      if (spec.mode === 'lastLayers') base.notes.push(`TracIn over the last ${relevantLayers!.length} relevant layer(s): ${relevantLayers!.join(', ')}`);
      const flat = await t.run('tracin', () =>
        tracInScores({
          checkpoints: checkpoints.map((model, i) => ({ model, learningRate: run.manifest.checkpoints[positions[i]!]!.learningRate, loss: losses[i]! })),
          loss: losses[losses.length - 1]!,
          ...(relevantLayers ? { relevantLayers } : {}),
          train: trainSplit(subject),
          test: testSplit(subject, testIndices, losses[losses.length - 1]!),
          signal: context.signal,
          onProgress: (f, message) => report(message, f),
          ...(batchSize ? { batchSize } : {}),
        }),
      );
      return { ...base, scores: splitRows(flat, testIndices.length, trainCount), family: 'gradient', higherIsHelpful: true };
    }
    case 'influence': {
      const loss = await lossOf(checkpointIndexOf(run, subject.checkpointFile));
      const method =
        spec.inverse === 'lissa'
          ? ({ kind: 'lissa', options: { depth: spec.depth, damping: spec.damping, batchSize: spec.samples, ...(spec.scale === undefined ? {} : { scale: spec.scale }) } } as const)
          : ({ kind: 'arnoldi', options: { iterations: spec.iterations, rank: spec.rank, damping: spec.damping } } as const);
      const result = await t.run('influence', () =>
        influenceScores({
          model: subject.model,
          loss,
          ...(run.manifest.relevantParameters ? { relevantLayers: run.manifest.relevantParameters } : {}),
          train: trainSplit(subject),
          test: testSplit(subject, testIndices, loss),
          method,
          signal: context.signal,
          onProgress: (f, message) => report(message, f),
          ...(batchSize ? { batchSize } : {}),
        }),
      );
      base.notes.push(`Hessian-vector products by ${result.hvpMode === 'finiteDifferences' ? 'finite differences of gradients' : 'double backprop'} (${result.hvpModeReason})`);
      const { lissaScale, curvatureSamples } = result;
      if (lissaScale?.largestEigenvalue !== undefined) base.notes.push(`LiSSA scale ${lissaScale.scale.toPrecision(3)} = 1.5 x the largest Hessian eigenvalue estimate ${lissaScale.largestEigenvalue.toPrecision(3)} (power iteration)`);
      if (curvatureSamples !== undefined) base.notes.push(`Arnoldi Hessian-vector products average over ${curvatureSamples} seeded training examples`);
      return { ...base, scores: splitRows(result.scores, testIndices.length, trainCount), family: 'gradient', higherIsHelpful: false };
    }
    case 'deepKnn': {
      const train = await t.run('representations', () => trainRepresentations(subject, context, report));
      const test = await t.run('representations', () => testRepresentations(subject, testIndices, context));
      const results = await t.run('query', async () =>
        testIndices.map((_, i) => deepKnn(train, test.values.subarray(i * test.dim, (i + 1) * test.dim), { k: 1, epsilon: DEFAULT_DEEP_KNN_EPSILON })),
      );
      return {
        ...base,
        labelFree: true,
        scores: results.map((r) => r.scores),
        distances: testIndices.map((_, i) => latentDistances(train, test.values.subarray(i * test.dim, (i + 1) * test.dim))),
        family: 'representation',
        higherIsHelpful: true,
      };
    }
    case 'simplex': {
      const train = await t.run('representations', () => trainRepresentations(subject, context, report));
      const test = await t.run('representations', () => testRepresentations(subject, testIndices, context));
      const scores: Float32Array[] = [];
      const distances: Float64Array[] = [];
      const summaries: SimplexSummary[] = [];
      await t.run('simplex', async () => {
        for (const [i] of testIndices.entries()) {
          const query = test.values.subarray(i * test.dim, (i + 1) * test.dim);
          const fit = await simplex(train, query, {
            epochs: spec.epochs,
            learningRate: spec.learningRate,
            ...(spec.nearest ? { nearest: spec.nearest } : {}),
            signal: context.signal,
            onProgress: (f, message) => report(`${message} (test example ${i + 1}/${testIndices.length})`, 0.8 + (0.2 * (i + f)) / testIndices.length),
          });
          const row = new Float32Array(trainCount);
          fit.corpusIndices.forEach((n, j) => (row[n] = fit.weights[j]!));
          scores.push(row);
          distances.push(latentDistances(train, query));
          summaries.push({ reconstructionError: fit.error, relativeError: fit.relativeError, corpusSize: fit.corpusIndices.length });
        }
      });
      return { ...base, labelFree: true, scores, distances, simplex: summaries, family: 'representation', higherIsHelpful: true };
    }
  }
}
