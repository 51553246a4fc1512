/** Fixtures for the semantic Shapley tests: games written twice, in tfjs and in plain float64 JS. */
import * as tf from '@tensorflow/tfjs-core';
import type { ScoreFunction, SemanticRepresentation } from '../../../src/engine/semantic/types';
import { seededValues } from '../metrics/testUtils';

/** z = x, x = z: latent features are the input features. */
export const identityRepresentation: SemanticRepresentation = { encode: (x) => tf.clone(x), decode: (z) => tf.clone(z) };

export function factorial(n: number): number {
  return n <= 1 ? 1 : n * factorial(n - 1);
}

/**
 * Shapley values by the definition, with no batching: for every feature i and
 * every subset S of the others, |S|! (d - |S| - 1)! / d! (v(S + i) - v(S)).
 */
export function bruteForceShapley(value: (inCoalition: (feature: number) => boolean) => number, features: number): Float64Array {
  const v = (bits: number) => value((j) => ((bits >> j) & 1) === 1);
  const phi = new Float64Array(features);
  for (let i = 0; i < features; i++) {
    for (let bits = 0; bits < 1 << features; bits++) {
      if ((bits >> i) & 1) continue;
      let size = 0;
      for (let j = 0; j < features; j++) size += (bits >> j) & 1;
      phi[i] += ((factorial(size) * factorial(features - size - 1)) / factorial(features)) * (v(bits | (1 << i)) - v(bits));
    }
  }
  return phi;
}

/** The semantic value function in float64 JS: mean over background latents of score(decode(splice)). */
export function jsSemanticValue(
  zx: ArrayLike<number>,
  zBackground: ArrayLike<number>[],
  featureOf: ArrayLike<number>,
  decode: (z: Float64Array) => Float64Array,
  score: (x: Float64Array) => number,
): (inCoalition: (feature: number) => boolean) => number {
  return (inCoalition) => {
    let total = 0;
    for (const zb of zBackground) {
      const hybrid = Float64Array.from({ length: zx.length }, (_, e) => (inCoalition(featureOf[e]!) ? zx[e]! : zb[e]!));
      total += score(decode(hybrid));
    }
    return total / zBackground.length;
  };
}

/** A nonlinear game on flat vectors of length d: a linear part, a pair product, a square and a sine. */
export interface Game {
  js: (x: ArrayLike<number>) => number;
  tf: ScoreFunction;
}

export function nonlinearGame(d: number, seed: number): Game {
  const w = seededValues(d, seed, -1, 1);
  const js = (x: ArrayLike<number>) => {
    let out = 0;
    for (let i = 0; i < d; i++) out += w[i]! * x[i]!;
    return out + 1.5 * x[0]! * x[1]! - 0.8 * x[2]! ** 2 + Math.sin(x[d - 1]! + 2 * x[d - 2]!) + 0.7 * x[0]! * x[3]! * x[d - 1]!;
  };
  const tfFn: ScoreFunction = (x) =>
    tf.tidy(() => {
      const flat = tf.reshape(x, [x.shape[0]!, d]);
      const col = (i: number) => tf.reshape(tf.slice(flat, [0, i], [-1, 1]), [-1]);
      let out = tf.sum(tf.mul(flat, tf.tensor1d(w)), 1);
      out = tf.add(out, tf.mul(1.5, tf.mul(col(0), col(1))));
      out = tf.sub(out, tf.mul(0.8, tf.square(col(2))));
      out = tf.add(out, tf.sin(tf.add(col(d - 1), tf.mul(2, col(d - 2)))));
      return tf.add(out, tf.mul(0.7, tf.mul(tf.mul(col(0), col(3)), col(d - 1)))) as tf.Tensor1D;
    });
  return { js, tf: tfFn };
}

export function rows(values: Float32Array, width: number): Float32Array[] {
  return Array.from({ length: values.length / width }, (_, r) => values.subarray(r * width, (r + 1) * width));
}

export function maxAbs(values: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < values.length; i++) m = Math.max(m, Math.abs(values[i]!));
  return m;
}

export function sum(values: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i]!;
  return s;
}
