/**
 * SimplEx (Crabbé et al. 2021; label-free form in Crabbé & van der Schaar
 * 2022, Algorithm 4): the test latent f(x) is approximated by a convex
 * combination Σ λⁿ f(xⁿ) of corpus latents, λ = softmax(w), w fitted from zero
 * with Adam on the squared latent error (as the original implementation does),
 * with PyTorch's default Adam settings. The corpus may be restricted to the K
 * latent nearest neighbours, which shrinks the fit from N to K weights.
 */
import * as tf from '@tensorflow/tfjs-core';
// tfjs-core's CommonJS build registers no gradients; tfjs-layers' build registers them all.
import '@tensorflow/tfjs-layers';
import { checkPositiveInteger, yieldOrAbort } from './cancel';
import { checkRepresentations, latentDistances } from './deepKnn';
import type { Representations } from './representations';

export interface SimplexOptions {
  /** Adam steps; the original SimplEx uses 10,000. */
  epochs?: number;
  learningRate?: number;
  /** Restrict the corpus to the K nearest examples in latent space; the whole corpus when absent. */
  nearest?: number;
  signal?: AbortSignal;
  onProgress?: (fraction: number, message: string) => void;
}

export interface SimplexWeight {
  /** Row in the corpus. */
  index: number;
  weight: number;
}

export interface SimplexResult {
  /** The corpus rows that took part, ascending by distance when restricted. */
  corpusIndices: number[];
  /** λ, one per corpus row in `corpusIndices` order; they sum to 1. */
  weights: Float32Array;
  /** Weights sorted descending. */
  decomposition: SimplexWeight[];
  /** Σ λⁿ f(xⁿ), [d]. */
  reconstruction: Float32Array;
  /** ‖f(x) − Σ λⁿ f(xⁿ)‖ in latent space. */
  error: number;
  /** error / ‖f(x)‖ (Infinity when f(x) = 0 and error > 0). */
  relativeError: number;
}

export const DEFAULT_SIMPLEX_EPOCHS = 10000;
export const DEFAULT_SIMPLEX_LEARNING_RATE = 0.001;
const ADAM_BETA1 = 0.9;
const ADAM_BETA2 = 0.999;
const ADAM_EPSILON = 1e-8;
/** Steps between yields to the event loop; a yield per step would dominate the run time. */
const STEPS_PER_YIELD = 250;

function selectCorpus(corpus: Representations, test: ArrayLike<number>, nearest: number | undefined): number[] {
  const all = Array.from({ length: corpus.count }, (_, i) => i);
  if (nearest === undefined || nearest >= corpus.count) return all;
  const distances = latentDistances(corpus, test);
  return all.sort((a, b) => distances[a]! - distances[b]! || a - b).slice(0, nearest);
}

export async function simplex(corpus: Representations, test: ArrayLike<number>, options: SimplexOptions = {}): Promise<SimplexResult> {
  checkRepresentations(corpus, 'corpus');
  if (test.length !== corpus.dim) throw new Error(`the test representation has ${test.length} values, the corpus ${corpus.dim}`);
  for (let j = 0; j < test.length; j++) {
    if (!Number.isFinite(test[j]!)) throw new Error(`test representation value ${j} is not finite`);
  }
  const epochs = options.epochs ?? DEFAULT_SIMPLEX_EPOCHS;
  checkPositiveInteger(epochs, 'epochs');
  const learningRate = options.learningRate ?? DEFAULT_SIMPLEX_LEARNING_RATE;
  if (!(Number.isFinite(learningRate) && learningRate > 0)) throw new Error(`learningRate must be a finite positive number, got ${learningRate}`);
  if (options.nearest !== undefined) checkPositiveInteger(options.nearest, 'nearest');

  const indices = selectCorpus(corpus, test, options.nearest);
  const rows = new Float32Array(indices.length * corpus.dim);
  indices.forEach((n, i) => rows.set(corpus.values.subarray(n * corpus.dim, (n + 1) * corpus.dim), i * corpus.dim));
  const corpusT = tf.tensor2d(rows, [indices.length, corpus.dim]);
  const testT = tf.tensor2d(Float32Array.from(test), [1, corpus.dim]);
  const logits = tf.tidy(() => tf.variable(tf.zeros([1, indices.length]), true));
  const optimizer = tf.train.adam(learningRate, ADAM_BETA1, ADAM_BETA2, ADAM_EPSILON);
  const loss = (): tf.Scalar => tf.sum(tf.squaredDifference(testT, tf.matMul(tf.softmax(logits), corpusT)));
  try {
    for (let epoch = 0; epoch < epochs; epoch++) {
      if (epoch % STEPS_PER_YIELD === 0) {
        await yieldOrAbort(options.signal, 'SimplEx');
        options.onProgress?.(epoch / epochs, `SimplEx: epoch ${epoch}/${epochs}`);
      }
      tf.tidy(() => {
        optimizer.minimize(loss, false, [logits]);
      });
    }
    const [weightsT, reconstructionT] = tf.tidy(() => {
      const w = tf.softmax(logits);
      return [w, tf.matMul(w, corpusT)];
    });
    const weights = (await weightsT!.data()) as Float32Array;
    const reconstruction = (await reconstructionT!.data()) as Float32Array;
    tf.dispose([weightsT!, reconstructionT!]);
    let squared = 0;
    let norm = 0;
    for (let j = 0; j < corpus.dim; j++) {
      squared += (test[j]! - reconstruction[j]!) ** 2;
      norm += test[j]! ** 2;
    }
    const error = Math.sqrt(squared);
    if (!Number.isFinite(error) || weights.some((w) => !Number.isFinite(w))) throw new Error('SimplEx diverged: the fitted weights are not finite; lower learningRate');
    const relativeError = norm > 0 ? error / Math.sqrt(norm) : error > 0 ? Infinity : 0;
    const decomposition = indices.map((index, i) => ({ index, weight: weights[i]! })).sort((a, b) => b.weight - a.weight || a.index - b.index);
    options.onProgress?.(1, `SimplEx: ${epochs} epochs, latent error ${error.toPrecision(3)}`);
    return { corpusIndices: indices, weights, decomposition, reconstruction, error, relativeError };
  } finally {
    optimizer.dispose();
    tf.dispose([corpusT, testT, logits]);
  }
}
