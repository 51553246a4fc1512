/**
 * LRP rules for linear steps (Montavon et al., "Layer-wise relevance
 * propagation: an overview", and the NEON chapter). Each rule is written as
 * R_in = a * W'^T s with s = R / z', and W'^T s computed as the gradient of
 * the bias-free linear map x -> x W' (exact, since the map is linear).
 */
import * as tf from '@tensorflow/tfjs-core';
import { IDENTITY_WEIGHTS, type LinearStep, type WeightMap } from './steps';

export type LrpRuleName = 'epsilon' | 'gamma' | 'alphabeta' | 'zplus';

export interface LrpRule {
  rule: LrpRuleName;
  /** Stabiliser z + epsilon * sign(z) for 'epsilon' (default 0.01; 0 gives LRP-0) and 'gamma' (default 1e-9). */
  epsilon?: number;
  /** 'gamma': weight of the positive part, default 0.25. */
  gamma?: number;
  /** 'alphabeta': alpha - beta must be 1; defaults alpha = 2, beta = 1. */
  alpha?: number;
  beta?: number;
}

export interface ResolvedRule {
  rule: 'epsilon' | 'gamma' | 'alphabeta';
  epsilon: number;
  gamma: number;
  alpha: number;
  beta: number;
}

export const DEFAULT_EPSILON = 0.01;
export const DEFAULT_GAMMA = 0.25;
/** Small enough not to change relevance; only avoids dividing by an exact zero. */
const GAMMA_STABILISER = 1e-9;

function finiteAtLeast(value: number, name: string, min: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min) throw new Error(`${name} must be a finite number >= ${min}, got ${value}`);
  return value;
}

export function resolveRule(options: LrpRule): ResolvedRule {
  if (typeof options !== 'object' || options === null) throw new Error('rule options must be an object');
  switch (options.rule) {
    case 'epsilon':
      return { rule: 'epsilon', epsilon: finiteAtLeast(options.epsilon ?? DEFAULT_EPSILON, 'epsilon', 0), gamma: 0, alpha: 1, beta: 0 };
    case 'gamma':
      return {
        rule: 'gamma',
        epsilon: finiteAtLeast(options.epsilon ?? GAMMA_STABILISER, 'epsilon', 0),
        gamma: finiteAtLeast(options.gamma ?? DEFAULT_GAMMA, 'gamma', 0),
        alpha: 1,
        beta: 0,
      };
    case 'zplus':
      return { rule: 'alphabeta', epsilon: 0, gamma: 0, alpha: 1, beta: 0 };
    case 'alphabeta': {
      const alpha = finiteAtLeast(options.alpha ?? (options.beta === undefined ? 2 : options.beta + 1), 'alpha', 1);
      const beta = finiteAtLeast(options.beta ?? alpha - 1, 'beta', 0);
      if (Math.abs(alpha - beta - 1) > 1e-9) throw new Error(`alpha - beta must equal 1 for conservation, got alpha = ${alpha}, beta = ${beta}`);
      return { rule: 'alphabeta', epsilon: 0, gamma: 0, alpha, beta };
    }
    default:
      throw new Error(`rule must be one of epsilon, gamma, alphabeta, zplus; got ${String((options as { rule: unknown }).rule)}`);
  }
}

const positivePart: WeightMap = (w) => tf.relu(w);
const negativePart: WeightMap = (w) => tf.neg(tf.relu(tf.neg(w)));

/** W'^T s: the transpose of the bias-free map, as its gradient. */
function transpose(step: LinearStep, rho: WeightMap, at: tf.Tensor, s: tf.Tensor): tf.Tensor {
  return tf.grad((x: tf.Tensor) => step.apply(x, rho, false))(at, s);
}

/** z + eps * sign(z), with sign(0) = +1 so that eps > 0 never divides by zero. */
function stabilise(z: tf.Tensor, epsilon: number): tf.Tensor {
  if (epsilon === 0) return z;
  return tf.add(z, tf.mul(tf.where(tf.greaterEqual(z, 0), tf.onesLike(z), tf.neg(tf.onesLike(z))), epsilon));
}

/** Relevance of a linear step's input `a`, given the relevance of its output. Call inside tf.tidy. */
export function lrpLinear(step: LinearStep, a: tf.Tensor, relevance: tf.Tensor, rule: ResolvedRule): tf.Tensor {
  if (rule.rule === 'alphabeta') return alphaBeta(step, a, relevance, rule.alpha, rule.beta);
  const rho: WeightMap = rule.rule === 'gamma' ? (w) => tf.add(w, tf.mul(tf.relu(w), rule.gamma)) : IDENTITY_WEIGHTS;
  const z = stabilise(step.apply(a, rho, true), rule.epsilon);
  // A zero denominator means no input contributed: its relevance cannot be passed down (divNoNan drops it).
  const s = tf.divNoNan(relevance, z);
  return tf.mul(a, transpose(step, rho, a, s));
}

/**
 * alpha-beta: positive and negative contributions (a_i w_ij)+ and (a_i w_ij)-
 * share R_j separately. With signed inputs, (a w)+ = a+ w+ + a- w-.
 * Biases are left out, as in the z+ rule, so relevance is conserved.
 */
function alphaBeta(step: LinearStep, a: tf.Tensor, relevance: tf.Tensor, alpha: number, beta: number): tf.Tensor {
  const aPos = tf.relu(a);
  const aNeg = tf.sub(a, aPos);
  const positive = tf.add(step.apply(aPos, positivePart, false), step.apply(aNeg, negativePart, false));
  const sPos = tf.mul(tf.divNoNan(relevance, positive), alpha);
  const kept = tf.add(tf.mul(aPos, transpose(step, positivePart, a, sPos)), tf.mul(aNeg, transpose(step, negativePart, a, sPos)));
  if (beta === 0) return kept;
  const negative = tf.add(step.apply(aPos, negativePart, false), step.apply(aNeg, positivePart, false));
  const sNeg = tf.mul(tf.divNoNan(relevance, negative), beta);
  const removed = tf.add(tf.mul(aPos, transpose(step, negativePart, a, sNeg)), tf.mul(aNeg, transpose(step, positivePart, a, sNeg)));
  return tf.sub(kept, removed);
}
