/**
 * Consistency check of a saliency map (Crabbé & van der Schaar, Section 4.1):
 * replace the top M% features by a baseline and measure how far the output
 * moves, against K random masks of the same size. A faithful map moves the
 * output more than random masks do. For an encoder the shift is
 * ||f(x) - f(x~)||; for a classifier's probability it is the drop f(x) - f(x~).
 */
import * as tf from '@tensorflow/tfjs-core';
import { forEachChunk, throwIfAborted } from '../attribution/chunking';
import { createRandom, type Random } from '../attribution/random';
import type { RunOptions } from '../attribution/types';
import { meanStd, toVector, type MapLike } from './vectors';

/** Maps a batch [B, ...] to [B] (a probability) or [B, ...] (a representation). */
export type BatchFunction = (x: tf.Tensor) => tf.Tensor;

export interface ConsistencyOptions extends RunOptions {
  /** Fractions of features masked. Default [0.05, 0.1, 0.2, 0.5]. */
  fractions?: number[];
  /** Value written into masked features: a number or a tensor shaped like the input. Default 0. */
  baseline?: number | tf.Tensor;
  /** Random masks per fraction. Default 10. */
  randomMasks?: number;
  seed?: number;
  /** 'shift' = L2 norm of the output change; 'drop' = f(x) - f(x~) for [B] outputs. Default: drop for [B] outputs, else shift. */
  measure?: 'shift' | 'drop';
  /** Rank features by signed value (default) or by absolute value. */
  rankBy?: 'value' | 'absolute';
}

export interface ConsistencyCurve {
  fractions: number[];
  /** Features masked for each fraction. */
  maskedCounts: number[];
  measure: 'shift' | 'drop';
  /** The measure for the top-M% mask. */
  top: number[];
  randomMean: number[];
  /** Population standard deviation over the random masks. */
  randomStd: number[];
}

export const DEFAULT_FRACTIONS = [0.05, 0.1, 0.2, 0.5];

function validate(options: ConsistencyOptions): { fractions: number[]; randomMasks: number; seed: number } {
  const fractions = options.fractions ?? DEFAULT_FRACTIONS;
  if (!Array.isArray(fractions as unknown) || fractions.length === 0) throw new Error('fractions must be a non-empty list');
  fractions.forEach((f, i) => {
    if (typeof f !== 'number' || !(f > 0 && f <= 1)) throw new Error(`fractions[${i}] must be in (0, 1], got ${f}`);
  });
  const randomMasks = options.randomMasks ?? 10;
  if (!Number.isInteger(randomMasks) || randomMasks < 1 || randomMasks > 10_000) throw new Error(`randomMasks must be an integer in [1, 10000], got ${randomMasks}`);
  const seed = options.seed ?? 0;
  if (!Number.isInteger(seed)) throw new Error(`seed must be an integer, got ${seed}`);
  if (options.measure !== undefined && options.measure !== 'shift' && options.measure !== 'drop') throw new Error(`measure must be 'shift' or 'drop', got ${String(options.measure)}`);
  if (options.rankBy !== undefined && options.rankBy !== 'value' && options.rankBy !== 'absolute') throw new Error(`rankBy must be 'value' or 'absolute', got ${String(options.rankBy)}`);
  return { fractions, randomMasks, seed };
}

/** Feature indices sorted from most to least important (stable: ties keep index order). */
function rankFeatures(scores: Float64Array, absolute: boolean): number[] {
  const key = absolute ? Float64Array.from(scores, Math.abs) : scores;
  return Array.from(key.keys()).sort((i, j) => key[j]! - key[i]! || i - j);
}

/** `count` distinct indices in [0, n), by a partial Fisher-Yates shuffle. */
function randomSubset(random: Random, n: number, count: number): Int32Array {
  const pool = Int32Array.from({ length: n }, (_, i) => i);
  for (let k = 0; k < count; k++) {
    const j = k + random.int(n - k);
    const tmp = pool[k]!;
    pool[k] = pool[j]!;
    pool[j] = tmp;
  }
  return pool.subarray(0, count);
}

function baselineValues(baseline: number | tf.Tensor | undefined, input: tf.Tensor): Float64Array {
  const size = input.size;
  if (baseline === undefined || typeof baseline === 'number') {
    const value = baseline ?? 0;
    if (!Number.isFinite(value)) throw new Error(`baseline must be a finite number or a tensor, got ${value}`);
    return new Float64Array(size).fill(value);
  }
  if (baseline.size !== size) throw new Error(`baseline has ${baseline.size} values but input has ${size}`);
  return toVector(baseline, 'baseline');
}

/** Output change per masked input, in the order of `masks`. */
async function measureMasks(
  fn: BatchFunction,
  input: tf.Tensor,
  masks: ArrayLike<number>[],
  baseline: Float64Array,
  measure: 'shift' | 'drop' | undefined,
  options: RunOptions,
): Promise<{ values: Float64Array; measure: 'shift' | 'drop' }> {
  const x = toVector(input, 'input');
  const d = x.length;
  const reference = tf.tidy(() => {
    const out = fn(input);
    // Never hand the caller's own input to the finally-dispose below.
    return out === input ? tf.clone(out) : out;
  });
  try {
    if (reference.rank < 1 || reference.shape[0] !== 1) throw new Error(`fn must keep the batch dimension: for input [1, ...] it returned shape [${reference.shape.join(', ')}]`);
    const resolved = measure ?? (reference.rank === 1 ? 'drop' : 'shift');
    if (resolved === 'drop' && reference.rank !== 1) throw new Error(`measure 'drop' needs fn to return [B] (one probability per example), got shape [${reference.shape.join(', ')}]`);
    const values = new Float64Array(masks.length);
    await forEachChunk(masks.length, options, async (start, end) => {
      const batch = new Float32Array((end - start) * d);
      for (let k = start; k < end; k++) {
        const row = batch.subarray((k - start) * d, (k - start + 1) * d);
        row.set(x);
        const mask = masks[k]!;
        for (let i = 0; i < mask.length; i++) row[mask[i]!] = baseline[mask[i]!]!;
      }
      const change = tf.tidy(() => {
        const out = fn(tf.tensor(batch, [end - start, ...input.shape.slice(1)]));
        if (out.shape[0] !== end - start || out.size / (end - start) !== reference.size) {
          throw new Error(`fn returned shape [${out.shape.join(', ')}] for a batch of ${end - start}; expected ${reference.size} values per example`);
        }
        const diff = tf.sub(tf.reshape(reference, [1, -1]), tf.reshape(out, [end - start, -1]));
        return resolved === 'drop' ? tf.reshape(diff, [-1]) : tf.norm(diff, 'euclidean', 1);
      });
      values.set(await change.data(), start);
      change.dispose();
    });
    return { values, measure: resolved };
  } finally {
    reference.dispose();
  }
}

/** Runs the check for one input [1, ...] and its attribution map (same number of features). */
export async function consistencyCheck(fn: BatchFunction, input: tf.Tensor, attribution: MapLike, options: ConsistencyOptions = {}): Promise<ConsistencyCurve> {
  if (typeof fn !== 'function') throw new Error('fn must be a function from a batch to outputs');
  if (!(input instanceof tf.Tensor) || input.rank < 2 || input.shape[0] !== 1) throw new Error('input must be a tensor of shape [1, ...exampleShape]');
  const { fractions, randomMasks, seed } = validate(options);
  const scores = toVector(attribution, 'attribution');
  const d = input.size;
  if (scores.length !== d) throw new Error(`attribution has ${scores.length} values but input has ${d} features`);
  const baseline = baselineValues(options.baseline, input);
  throwIfAborted(options.signal);
  const ranking = rankFeatures(scores, options.rankBy === 'absolute');
  const random = createRandom(seed);
  const maskedCounts = fractions.map((f) => Math.max(1, Math.round(f * d)));
  const masks: ArrayLike<number>[] = [];
  for (const count of maskedCounts) {
    masks.push(ranking.slice(0, count));
    for (let k = 0; k < randomMasks; k++) masks.push(randomSubset(random, d, count));
  }
  const { values, measure } = await measureMasks(fn, input, masks, baseline, options.measure, options);
  const perFraction = 1 + randomMasks;
  const top: number[] = [];
  const randomMean: number[] = [];
  const randomStd: number[] = [];
  fractions.forEach((_, f) => {
    top.push(values[f * perFraction]!);
    const summary = meanStd(values.subarray(f * perFraction + 1, (f + 1) * perFraction));
    randomMean.push(summary.mean);
    randomStd.push(summary.std);
  });
  return { fractions: [...fractions], maskedCounts, measure, top, randomMean, randomStd };
}

/** Averages curves from several examples (same fractions), as the paper reports them. */
export function averageConsistencyCurves(curves: readonly ConsistencyCurve[]): ConsistencyCurve {
  if (!Array.isArray(curves as unknown) || curves.length === 0) throw new Error('curves must be a non-empty list');
  const first = curves[0]!;
  curves.forEach((c, n) => {
    if (c.fractions.length !== first.fractions.length || c.fractions.some((f, i) => f !== first.fractions[i])) throw new Error(`curves[${n}] uses different fractions than curves[0]`);
    if (c.measure !== first.measure) throw new Error(`curves[${n}] measures '${c.measure}' but curves[0] measures '${first.measure}'`);
  });
  const average = (pick: (c: ConsistencyCurve) => number[]): number[] => first.fractions.map((_, i) => curves.reduce((s, c) => s + pick(c)[i]!, 0) / curves.length);
  return {
    fractions: [...first.fractions],
    maskedCounts: average((c) => c.maskedCounts),
    measure: first.measure,
    top: average((c) => c.top),
    randomMean: average((c) => c.randomMean),
    // The spread of the per-example random means, not a pooled std over all masks.
    randomStd: first.fractions.map((_, i) => meanStd(curves.map((c) => c.randomMean[i]!)).std),
  };
}
