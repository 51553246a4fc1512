/**
 * TracIn-CP (Pruthi et al. 2020) and its label-free version (Crabbé & van der
 * Schaar 2022, Algorithm 3): the importance of training example n for test
 * example t is
 *   c(t, n) = Σ_checkpoints η_c <∇θr L(x_t, θ_c), ∇θr L(x_n, θ_c)>
 * over the relevant parameters θr only, with the loss the model was trained on
 * (label-free for autoencoders, cross-entropy for classifiers). Positive scores
 * are proponents (a gradient step on x_n lowered the test loss), negative ones
 * opponents. The whole training set is scored, streamed in batches; Dense
 * kernel gradients stay factored (see gradientBlocks), which gives the same
 * inner products as the flattened G_test · G_batchᵀ at a fraction of the cost.
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { LossSpec } from '../../protocol/manifest';
import { feedShape } from '../losses/modelShapes';
import type { DataSplit } from '../losses/perExampleLoss';
import { lossNeedsLabels } from '../losses/vaeLoss';
import { concatBlocks, disposeBlocks, disposeReferenceBlocks, gradientDots, referenceBlocks, type GradientBlock, type ReferenceBlock } from './gradientBlocks';
import { perExampleGradientBlocks } from './perExampleGradients';

export interface TracInInput {
  /** `loss` replaces the input's loss at that checkpoint: a VAE run's loss carries the decoder saved with each encoder. */
  checkpoints: Array<{ model: tfl.LayersModel; learningRate: number; loss?: LossSpec }>;
  loss: LossSpec;
  relevantLayers?: string[];
  train: { values: Float32Array; count: number; exampleShape: number[]; labels?: Int32Array };
  /** ids: the test examples' dataset indices, which key their denoising noise and inpainting masks. */
  test: { values: Float32Array; count: number; exampleShape: number[]; labels?: Int32Array; ids: number[] };
  batchSize?: number;
  signal?: AbortSignal;
  onProgress?: (fraction: number, message: string) => void;
}

export interface ScoredIndex {
  index: number;
  score: number;
}

export const DEFAULT_TRACIN_BATCH_SIZE = 256;

interface Split {
  values: Float32Array;
  count: number;
  exampleShape: number[];
  labels?: Int32Array;
}

function checkSplit(split: Split | undefined, name: 'train' | 'test', needsLabels: boolean): void {
  if (!split) throw new Error(`${name} is required`);
  if (!(split.values instanceof Float32Array)) throw new Error(`${name}.values must be a Float32Array`);
  if (!Number.isInteger(split.count) || split.count < 1) throw new Error(`${name}.count must be a positive integer, got ${split.count}`);
  if (!Array.isArray(split.exampleShape) || split.exampleShape.length === 0 || !split.exampleShape.every((d) => Number.isInteger(d) && d > 0)) {
    throw new Error(`${name}.exampleShape must be a non-empty list of positive integers, got ${JSON.stringify(split.exampleShape)}`);
  }
  const expected = split.count * tf.util.sizeFromShape(split.exampleShape);
  if (split.values.length !== expected) {
    throw new Error(`${name}.values has ${split.values.length} numbers but ${split.count} examples of shape [${split.exampleShape.join(', ')}] need ${expected}`);
  }
  if (needsLabels && !split.labels) throw new Error(`${name}.labels are required by the loss (crossEntropy or the supervised VAE)`);
  if (split.labels && split.labels.length !== split.count) throw new Error(`${name}.labels has ${split.labels.length} labels for ${split.count} examples`);
}

function checkInput(input: TracInInput): number {
  if (!Array.isArray(input.checkpoints) || input.checkpoints.length === 0) throw new Error('checkpoints must be a non-empty list');
  input.checkpoints.forEach((c, i) => {
    if (!Number.isFinite(c.learningRate)) throw new Error(`checkpoints[${i}].learningRate must be a finite number, got ${c.learningRate}`);
  });
  const needsLabels = [input.loss, ...input.checkpoints.map((c) => c.loss)].some((loss) => loss !== undefined && lossNeedsLabels(loss));
  checkSplit(input.train, 'train', needsLabels);
  checkSplit(input.test, 'test', needsLabels);
  if (!Array.isArray(input.test.ids) || input.test.ids.length !== input.test.count) {
    throw new Error(`test.ids must hold one id per test example (${input.test.count}), got ${Array.isArray(input.test.ids) ? input.test.ids.length : typeof input.test.ids}`);
  }
  const batchSize = input.batchSize ?? DEFAULT_TRACIN_BATCH_SIZE;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`batchSize must be a positive integer, got ${batchSize}`);
  return batchSize;
}

function abortError(): Error {
  const error = new Error('TracIn was cancelled');
  error.name = 'AbortError';
  return error;
}

/** Lets queued events (a cancel request) run, then throws if the signal fired. */
async function checkpointYield(signal: AbortSignal | undefined): Promise<void> {
  await new Promise<void>((resolve) => setImmediate(resolve));
  if (signal?.aborted) throw abortError();
}

function batchTensor(split: Split, start: number, end: number, shape: number[]): tf.Tensor {
  const size = tf.util.sizeFromShape(split.exampleShape);
  return tf.tensor(split.values.subarray(start * size, end * size), [end - start, ...shape], 'float32');
}

function range(start: number, end: number): number[] {
  return Array.from({ length: end - start }, (_, i) => start + i);
}

function gradientBlocksOf(model: tfl.LayersModel, loss: LossSpec, input: TracInInput, split: Split, ids: number[], splitName: DataSplit, start: number, end: number): GradientBlock[] {
  const x = batchTensor(split, start, end, feedShape(model, split.exampleShape));
  try {
    const labels = split.labels?.subarray(start, end);
    const options = { ids, split: splitName, ...(input.relevantLayers ? { relevantLayers: input.relevantLayers } : {}), ...(labels ? { labels } : {}) };
    return perExampleGradientBlocks(model, loss, x, options).blocks;
  } finally {
    x.dispose();
  }
}

/** η-scaled test gradients of one checkpoint, ready to be multiplied with training batches. */
function testReference(model: tfl.LayersModel, loss: LossSpec, input: TracInInput, batchSize: number, learningRate: number): ReferenceBlock[] {
  const { test } = input;
  const batches: GradientBlock[][] = [];
  try {
    for (let start = 0; start < test.count; start += batchSize) {
      const end = Math.min(test.count, start + batchSize);
      batches.push(gradientBlocksOf(model, loss, input, test, test.ids.slice(start, end), 'test', start, end));
    }
    return tf.tidy(() => referenceBlocks(concatBlocks(batches), learningRate));
  } finally {
    for (const blocks of batches) disposeBlocks(blocks);
  }
}

/** TracIn scores, row-major [testCount, trainCount]. */
export async function tracInScores(input: TracInInput): Promise<Float32Array> {
  const batchSize = checkInput(input);
  const { train, test, checkpoints } = input;
  const scores = new Float32Array(test.count * train.count);
  const batches = Math.ceil(train.count / batchSize);
  const steps = checkpoints.length * (batches + 1);
  let done = 0;
  const report = (message: string): void => input.onProgress?.(done / steps, message);
  for (let c = 0; c < checkpoints.length; c++) {
    const { model, learningRate } = checkpoints[c]!;
    const loss = checkpoints[c]!.loss ?? input.loss;
    await checkpointYield(input.signal);
    const reference = testReference(model, loss, input, batchSize, learningRate);
    try {
      done++;
      report(`checkpoint ${c + 1}/${checkpoints.length}: test gradients`);
      for (let b = 0; b < batches; b++) {
        await checkpointYield(input.signal);
        const start = b * batchSize;
        const end = Math.min(train.count, start + batchSize);
        const dots = tf.tidy(() => {
          const blocks = gradientBlocksOf(model, loss, input, train, range(start, end), 'train', start, end);
          return gradientDots(blocks, reference);
        });
        let values: Float32Array;
        try {
          values = (await dots.data()) as Float32Array;
        } finally {
          dots.dispose();
        }
        // dots is [batch, test]; scores is [test, train].
        for (let j = 0; j < end - start; j++) {
          for (let t = 0; t < test.count; t++) scores[t * train.count + start + j] += values[j * test.count + t]!;
        }
        done++;
        report(`checkpoint ${c + 1}/${checkpoints.length}: ${end}/${train.count} training examples`);
      }
    } finally {
      disposeReferenceBlocks(reference);
    }
  }
  return scores;
}

/**
 * For each test row: the k highest scores (proponents, descending) and the k
 * lowest (opponents, ascending), as Captum's TracIn ranks them. Early in
 * training every score can be positive, and the lowest are still the examples
 * that helped least, so opponents are ranked rather than filtered by sign; the
 * scores keep their sign for the reader. The two lists never share an example;
 * NaN scores are in neither; ties go to the lower index.
 */
export function topProponentsOpponents(
  scores: Float32Array,
  testCount: number,
  trainCount: number,
  k: number,
): Array<{ proponents: ScoredIndex[]; opponents: ScoredIndex[] }> {
  if (!Number.isInteger(testCount) || testCount < 0) throw new Error(`testCount must be a non-negative integer, got ${testCount}`);
  if (!Number.isInteger(trainCount) || trainCount < 0) throw new Error(`trainCount must be a non-negative integer, got ${trainCount}`);
  if (!Number.isInteger(k) || k < 0) throw new Error(`k must be a non-negative integer, got ${k}`);
  if (scores.length !== testCount * trainCount) throw new Error(`scores has ${scores.length} entries, expected testCount * trainCount = ${testCount * trainCount}`);
  return Array.from({ length: testCount }, (_, t) => {
    const row = scores.subarray(t * trainCount, (t + 1) * trainCount);
    const ranked = range(0, trainCount)
      .filter((i) => !Number.isNaN(row[i]!))
      .sort((a, b) => row[b]! - row[a]! || a - b);
    const proponents = ranked.slice(0, Math.min(k, ranked.length));
    const lowest = ranked.slice(proponents.length).sort((a, b) => row[a]! - row[b]! || a - b);
    const opponents = lowest.slice(0, Math.min(k, lowest.length));
    const scored = (index: number): ScoredIndex => ({ index, score: row[index]! });
    return { proponents: proponents.map(scored), opponents: opponents.map(scored) };
  });
}
