/**
 * Self-influence of every training example, a signal for mislabelled or
 * atypical examples:
 *   influence functions:  ∇L(x_n)ᵀ H⁻¹ ∇L(x_n), with the Arnoldi low-rank
 *     inverse (one projection per example; a LiSSA solve per example would
 *     cost `depth` HVPs each);
 *   TracIn:  Σ_c η_c ‖∇L(x_n, θ_c)‖² over the checkpoints.
 * Both stream the training set in batches of per-example gradients.
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { LossSpec } from '../../protocol/manifest';
import type { LowRankInverse } from './arnoldi';
import { checkTrainingSet, type TrainingSet } from './hessian';
import { checkBatchSize, gradientBatch, yieldAndCheck } from './influenceFunctions';

export interface SelfInfluenceOptions {
  relevantLayers?: string[];
  batchSize?: number;
  signal?: AbortSignal;
  onProgress?: (fraction: number, message: string) => void;
}

/** Runs `score` on each batch of per-example gradients [B, P] and collects one number per example. */
async function streamScores(train: TrainingSet, options: SelfInfluenceOptions, passes: number, score: (pass: number, ids: number[], start: number, end: number) => tf.Tensor1D): Promise<Float32Array> {
  checkTrainingSet(train);
  const batchSize = checkBatchSize(options.batchSize ?? 256);
  const out = new Float32Array(train.count);
  for (let pass = 0; pass < passes; pass++) {
    for (let start = 0; start < train.count; start += batchSize) {
      const end = Math.min(train.count, start + batchSize);
      const ids = Array.from({ length: end - start }, (_, i) => start + i);
      const values = score(pass, ids, start, end);
      const data = values.dataSync();
      values.dispose();
      for (let i = 0; i < data.length; i++) out[start + i]! += data[i]!;
      options.onProgress?.((pass + end / train.count) / passes, `self-influence: ${end}/${train.count} examples, pass ${pass + 1}/${passes}`);
      await yieldAndCheck(options.signal);
    }
  }
  if (!out.every(Number.isFinite)) throw new Error('self-influence scores are not finite: the gradients overflowed');
  return out;
}

/** ∇L(x_n)ᵀ H⁻¹ ∇L(x_n) for every training example, with H⁻¹ from `arnoldiInverse`. */
export async function influenceSelfInfluence(model: tfl.LayersModel, loss: LossSpec, train: TrainingSet, inverse: LowRankInverse, options: SelfInfluenceOptions = {}): Promise<Float32Array> {
  const rank = inverse.eigenvalues.length;
  const p = inverse.eigenvectors[0]?.length ?? 0;
  const basis = tf.tensor2d(Float32Array.from(inverse.eigenvectors.flatMap((u) => Array.from(u))), [rank, p]);
  const weights = tf.tensor1d(Float32Array.from(inverse.eigenvalues, (lambda) => 1 / (lambda + inverse.damping)));
  try {
    return await streamScores(train, options, 1, (_, ids, start, end) =>
      tf.tidy(() => {
        const g = gradientBatch(model, loss, train, ids, 'train', start, end, options.relevantLayers);
        if (g.shape[1] !== p) throw new Error(`the inverse was built for ${p} parameters but the relevant layers have ${g.shape[1]}`);
        return tf.sum(tf.mul(tf.square(tf.matMul(g, basis, false, true)), weights), 1) as tf.Tensor1D;
      }),
    );
  } finally {
    basis.dispose();
    weights.dispose();
  }
}

/** Σ_c η_c ‖∇L(x_n, θ_c)‖² for every training example. */
export async function tracInSelfInfluence(checkpoints: Array<{ model: tfl.LayersModel; learningRate: number }>, loss: LossSpec, train: TrainingSet, options: SelfInfluenceOptions = {}): Promise<Float32Array> {
  if (!Array.isArray(checkpoints) || checkpoints.length === 0) throw new Error('checkpoints must be a non-empty list');
  checkpoints.forEach((c, i) => {
    if (!Number.isFinite(c.learningRate)) throw new Error(`checkpoints[${i}].learningRate must be a finite number, got ${c.learningRate}`);
  });
  return streamScores(train, options, checkpoints.length, (c, ids, start, end) =>
    tf.tidy(() => {
      const g = gradientBatch(checkpoints[c]!.model, loss, train, ids, 'train', start, end, options.relevantLayers);
      return tf.mul(tf.sum(tf.square(g), 1), checkpoints[c]!.learningRate) as tf.Tensor1D;
    }),
  );
}
