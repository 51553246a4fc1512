/**
 * Influence functions (Koh & Liang 2017), label-free or supervised through
 * the manifest's loss, over the relevant parameters only:
 *   influence(test t, train n) = −∇L(x_t)ᵀ H⁻¹ ∇L(x_n),
 * H the Hessian of the mean training loss. H⁻¹∇L(x_t) comes from LiSSA or
 * the Arnoldi low-rank inverse; training gradients are streamed in batches
 * from the batched per-example gradients, so the whole set is scored. The
 * sign is Koh & Liang's: the score approximates the change of the test loss
 * when x_n is upweighted, so helpful examples score negative (the reverse of
 * TracIn, where proponents score positive).
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { LossSpec } from '../../protocol/manifest';
import { feedShape } from '../losses/modelShapes';
import type { DataSplit } from '../losses/perExampleLoss';
import { lossNeedsLabels } from '../losses/vaeLoss';
import { arnoldiInverse, type ArnoldiOptions, type LowRankInverse } from './arnoldi';
import { checkTrainingSet, hessianOperator, type HvpMode, type TrainingSet } from './hessian';
import { curvatureSample, DEFAULT_CURVATURE_SAMPLES, largestEigenvalue } from './curvatureSample';
import { abortError, lissaInverseHvp, type LissaOptions } from './lissa';
import { perExampleGradients } from './perExampleGradients';

/**
 * LiSSA without a `scale` gets 1.5× the power-iteration estimate of the
 * largest Hessian eigenvalue. Arnoldi's HVPs average over `curvatureSamples`
 * seeded training examples (default DEFAULT_CURVATURE_SAMPLES).
 */
export type InverseMethod = { kind: 'lissa'; options?: LissaOptions } | { kind: 'arnoldi'; options?: ArnoldiOptions; curvatureSamples?: number };

export interface InfluenceInput {
  model: tfl.LayersModel;
  loss: LossSpec;
  relevantLayers?: string[];
  train: TrainingSet;
  test: TrainingSet & { ids: number[] };
  method: InverseMethod;
  /** Examples per per-example-gradient batch and per Hessian chunk; default 256. */
  batchSize?: number;
  signal?: AbortSignal;
  onProgress?: (fraction: number, message: string) => void;
}

export interface InfluenceResult {
  /** Row-major [test, train]. */
  scores: Float32Array;
  testCount: number;
  trainCount: number;
  hvpMode: HvpMode;
  /** Why the Hessian operator chose `hvpMode` (see HessianOperator.modeReason). */
  hvpModeReason: string;
  /** Per test example, ‖s_t‖/scale after each LiSSA step (empty for Arnoldi). */
  lissaNormTraces: number[][];
  /** The LiSSA scale used, and the eigenvalue estimate it came from when it was not given. */
  lissaScale?: { scale: number; largestEigenvalue?: number };
  /** Training examples the Arnoldi HVPs averaged over. */
  curvatureSamples?: number;
}

/** Lets a queued cancel request run, then throws if the signal fired. */
export async function yieldAndCheck(signal: AbortSignal | undefined): Promise<void> {
  await new Promise<void>((resolve) => setImmediate(resolve));
  if (signal?.aborted) throw abortError();
}

/** Per-example gradients [B, P] of examples start..end of `split`; the caller disposes. */
export function gradientBatch(model: tfl.LayersModel, loss: LossSpec, data: TrainingSet, ids: number[], split: DataSplit, start: number, end: number, relevantLayers?: string[]): tf.Tensor2D {
  const size = tf.util.sizeFromShape(data.exampleShape);
  const x = tf.tensor(data.values.subarray(start * size, end * size), [end - start, ...feedShape(model, data.exampleShape)], 'float32');
  try {
    const labels = data.labels?.subarray(start, end);
    return perExampleGradients(model, loss, x, { ids, split, ...(relevantLayers ? { relevantLayers } : {}), ...(labels ? { labels } : {}) }).gradients;
  } finally {
    x.dispose();
  }
}

export function checkBatchSize(batchSize: number): number {
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`batchSize must be a positive integer, got ${batchSize}`);
  return batchSize;
}

export async function influenceScores(input: InfluenceInput): Promise<InfluenceResult> {
  const { model, loss, train, test, relevantLayers, signal } = input;
  checkTrainingSet(train, 'train');
  checkTrainingSet(test, 'test');
  if (lossNeedsLabels(loss) && !test.labels) throw new Error(`test.labels are required by the ${loss.kind === 'vae' ? 'supervised VAE' : loss.kind} loss`);
  if (!Array.isArray(test.ids) || test.ids.length !== test.count) throw new Error(`test.ids must hold one id per test example (${test.count})`);
  const batchSize = checkBatchSize(input.batchSize ?? 256);
  if (input.method.kind !== 'lissa' && input.method.kind !== 'arnoldi') throw new Error(`method.kind must be "lissa" or "arnoldi", got ${String((input.method as { kind: unknown }).kind)}`);
  const progress = input.onProgress ?? (() => undefined);
  const operator = hessianOperator(model, loss, train, { batchSize, ...(relevantLayers ? { relevantLayers } : {}) });

  const testGradients = gradientBatch(model, loss, test, test.ids, 'test', 0, test.count, relevantLayers);
  const rows = testGradients.arraySync();
  testGradients.dispose();
  await yieldAndCheck(signal);

  let curvatureSamples: number | undefined;
  let inverse: LowRankInverse | undefined;
  if (input.method.kind === 'arnoldi') {
    const sample = curvatureSample(train.count, input.method.curvatureSamples ?? DEFAULT_CURVATURE_SAMPLES);
    curvatureSamples = sample.length;
    inverse = arnoldiInverse({ parameterCount: operator.parameterCount, hvp: (v) => operator.hvp(v, sample) }, input.method.options, signal);
  }
  let lissaOptions = input.method.kind === 'lissa' ? input.method.options : undefined;
  let lissaScale: InfluenceResult['lissaScale'];
  if (input.method.kind === 'lissa') {
    if (lissaOptions?.scale === undefined) {
      progress(0, 'estimating the largest Hessian eigenvalue for the LiSSA scale');
      const sample = curvatureSample(train.count, Math.max(lissaOptions?.batchSize ?? 32, 256));
      const largest = largestEigenvalue((v) => operator.hvp(v, sample), operator.parameterCount);
      lissaScale = { scale: Math.max(1.5 * largest, 1e-3), largestEigenvalue: largest };
      lissaOptions = { ...lissaOptions, scale: lissaScale.scale };
    } else {
      lissaScale = { scale: lissaOptions.scale };
    }
  }
  const solved: Float32Array[] = [];
  const lissaNormTraces: number[][] = [];
  for (const [t, row] of rows.entries()) {
    progress(t / (rows.length + 1), `inverse-HVP for test example ${t + 1}/${rows.length}`);
    const g = Float32Array.from(row);
    if (inverse) {
      solved.push(inverse.inverseHvp(g));
    } else {
      const result = lissaInverseHvp(operator, g, lissaOptions, signal);
      solved.push(result.inverseHvp);
      lissaNormTraces.push(result.normTrace);
    }
    await yieldAndCheck(signal);
  }

  const scores = new Float32Array(test.count * train.count);
  const s = tf.tensor2d(Float32Array.from(solved.flatMap((v) => Array.from(v))), [test.count, operator.parameterCount]);
  try {
    for (let start = 0; start < train.count; start += batchSize) {
      const end = Math.min(train.count, start + batchSize);
      const ids = Array.from({ length: end - start }, (_, i) => start + i);
      const block = tf.tidy(() => tf.neg(tf.matMul(s, gradientBatch(model, loss, train, ids, 'train', start, end, relevantLayers), false, true)));
      const values = block.dataSync();
      block.dispose();
      for (let t = 0; t < test.count; t++) scores.set(values.subarray(t * (end - start), (t + 1) * (end - start)), t * train.count + start);
      progress((rows.length + end / train.count) / (rows.length + 1), `scored ${end}/${train.count} training examples`);
      await yieldAndCheck(signal);
    }
  } finally {
    s.dispose();
  }
  if (!scores.every(Number.isFinite)) throw new Error('influence scores are not finite: the Hessian solve or the gradients overflowed');
  const result: InfluenceResult = { scores, testCount: test.count, trainCount: train.count, hvpMode: operator.mode, hvpModeReason: operator.modeReason, lissaNormTraces };
  if (lissaScale) result.lissaScale = lissaScale;
  if (curvatureSamples !== undefined) result.curvatureSamples = curvatureSamples;
  return result;
}
