/**
 * Held-out label probabilities from a linear probe: multinomial logistic
 * regression on the (standardised) representations, fitted K times, each
 * time without one fold and evaluated on it. Every example's probability
 * comes from a probe that never saw its label, which is what makes a low
 * probability evidence of a wrong label (confident learning) rather than of
 * an example the model merely fits badly.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-layers';
import { checkPositiveInteger, yieldOrAbort } from './cancel';
import { checkRepresentations } from './deepKnn';
import type { Representations } from './representations';

export interface ProbeOptions {
  folds?: number;
  epochs?: number;
  learningRate?: number;
  /** L2 penalty on the weights. */
  l2?: number;
  signal?: AbortSignal;
  onProgress?: (fraction: number, message: string) => void;
}

export interface HeldOutProbabilities {
  /** Held-out probability of each example's given label. */
  labelProbability: Float32Array;
  /** Held-out argmax class. */
  predictions: Int32Array;
}

export const DEFAULT_PROBE_FOLDS = 5;
export const DEFAULT_PROBE_EPOCHS = 300;

function standardise(r: Representations): Float32Array {
  const out = new Float32Array(r.values.length);
  for (let j = 0; j < r.dim; j++) {
    let mean = 0;
    for (let n = 0; n < r.count; n++) mean += r.values[n * r.dim + j]!;
    mean /= r.count;
    let variance = 0;
    for (let n = 0; n < r.count; n++) variance += (r.values[n * r.dim + j]! - mean) ** 2;
    const scale = 1 / Math.sqrt(variance / r.count + 1e-12);
    for (let n = 0; n < r.count; n++) out[n * r.dim + j] = (r.values[n * r.dim + j]! - mean) * scale;
  }
  return out;
}

export async function heldOutProbabilities(r: Representations, labels: Int32Array, classes: number, options: ProbeOptions = {}): Promise<HeldOutProbabilities> {
  checkRepresentations(r, 'representations');
  if (!(labels instanceof Int32Array) || labels.length !== r.count) throw new Error(`labels must be an Int32Array of ${r.count} labels`);
  checkPositiveInteger(classes, 'classes');
  for (let n = 0; n < labels.length; n++) {
    if (labels[n]! < 0 || labels[n]! >= classes) throw new Error(`labels[${n}] is ${labels[n]}, outside 0..${classes - 1}`);
  }
  const folds = Math.min(options.folds ?? DEFAULT_PROBE_FOLDS, r.count);
  if (folds < 2) throw new Error('a held-out probe needs at least 2 examples');
  const epochs = options.epochs ?? DEFAULT_PROBE_EPOCHS;
  checkPositiveInteger(epochs, 'epochs');
  const x = standardise(r);
  const labelProbability = new Float32Array(r.count);
  const predictions = new Int32Array(r.count);
  // Fold f holds the examples with n % folds === f: deterministic and class-mixed for shuffled data.
  for (let f = 0; f < folds; f++) {
    await yieldOrAbort(options.signal, 'fitting the held-out probe');
    const trainRows: number[] = [];
    const heldRows: number[] = [];
    for (let n = 0; n < r.count; n++) (n % folds === f ? heldRows : trainRows).push(n);
    const gather = (rows: number[]): Float32Array => {
      const out = new Float32Array(rows.length * r.dim);
      rows.forEach((n, i) => out.set(x.subarray(n * r.dim, (n + 1) * r.dim), i * r.dim));
      return out;
    };
    const xs = tf.tensor2d(gather(trainRows), [trainRows.length, r.dim]);
    const ys = tf.tidy(() => tf.oneHot(tf.tensor1d(Int32Array.from(trainRows, (n) => labels[n]!), 'int32'), classes));
    const w = tf.tidy(() => tf.variable(tf.zeros([r.dim, classes])));
    const b = tf.tidy(() => tf.variable(tf.zeros([classes])));
    const optimizer = tf.train.adam(options.learningRate ?? 0.05);
    const l2 = options.l2 ?? 1e-4;
    try {
      for (let epoch = 0; epoch < epochs; epoch++) {
        tf.tidy(() => {
          optimizer.minimize(() => tf.add(tf.losses.softmaxCrossEntropy(ys, tf.add(tf.matMul(xs, w), b)), tf.mul(l2, tf.sum(tf.square(w)))) as tf.Scalar, false, [w, b]);
        });
        if (epoch % 50 === 49) await yieldOrAbort(options.signal, 'fitting the held-out probe');
      }
      const probabilities = tf.tidy(() => tf.softmax(tf.add(tf.matMul(tf.tensor2d(gather(heldRows), [heldRows.length, r.dim]), w), b)));
      const p = (await probabilities.data()) as Float32Array;
      probabilities.dispose();
      heldRows.forEach((n, i) => {
        const row = p.subarray(i * classes, (i + 1) * classes);
        labelProbability[n] = row[labels[n]!]!;
        let best = 0;
        for (let c = 1; c < classes; c++) if (row[c]! > row[best]!) best = c;
        predictions[n] = best;
      });
    } finally {
      optimizer.dispose();
      tf.dispose([xs, ys, w, b]);
    }
    options.onProgress?.((f + 1) / folds, `held-out probe: fold ${f + 1}/${folds}`);
  }
  return { labelProbability, predictions };
}
