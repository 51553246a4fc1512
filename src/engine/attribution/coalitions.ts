/**
 * Coalitions of interpretable features, and the inputs they stand for: feature
 * groups in the coalition keep the input's values, the others take the baseline's.
 */
import type * as tf from '@tensorflow/tfjs-core';
import type { FeatureGroups } from './featureMask';
import { evaluatePerturbations } from './perturb';
import type { RunOptions, ScalarFunction } from './types';

/** `count` coalitions over `features` groups, one byte (0/1) per group, row-major. */
export interface Coalitions {
  present: Uint8Array;
  count: number;
  features: number;
  /** Regression weight of each coalition. */
  weights: Float64Array;
}

export function coalitionSize(coalitions: Coalitions, k: number): number {
  let size = 0;
  for (let j = 0; j < coalitions.features; j++) size += coalitions.present[k * coalitions.features + j]!;
  return size;
}

/** fn on the masked input of every coalition. */
export function evaluateCoalitions(
  fn: ScalarFunction,
  input: tf.Tensor,
  inputValues: Float32Array,
  baseline: Float32Array,
  groups: FeatureGroups,
  coalitions: Coalitions,
  options: RunOptions,
): Promise<Float64Array> {
  return evaluatePerturbations(
    fn,
    input,
    coalitions.count,
    (k, out) => {
      const row = k * coalitions.features;
      for (let i = 0; i < out.length; i++) out[i] = coalitions.present[row + groups.ids[i]!] ? inputValues[i]! : baseline[i]!;
    },
    options,
  );
}

/** Collects coalitions, merging repeats into one row whose weight adds up. */
export class CoalitionBuilder {
  private readonly rows = new Map<string, { present: Uint8Array; weight: number }>();

  constructor(readonly features: number) {}

  add(present: Uint8Array, weight: number): void {
    const key = present.join('');
    const existing = this.rows.get(key);
    if (existing) existing.weight += weight;
    else this.rows.set(key, { present, weight });
  }

  build(): Coalitions {
    const rows = [...this.rows.values()];
    const present = new Uint8Array(rows.length * this.features);
    rows.forEach((row, k) => present.set(row.present, k * this.features));
    return { present, count: rows.length, features: this.features, weights: Float64Array.from(rows, (row) => row.weight) };
  }
}
