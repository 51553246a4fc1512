/** Input conversion and checks shared by the metrics; every message names the argument. */
import * as tf from '@tensorflow/tfjs-core';

/** A saliency map or score vector: typed array, number list or tensor (read, never disposed). */
export type MapLike = Float32Array | Float64Array | readonly number[] | tf.Tensor;

/** Flattens to float64 and checks that every value is finite. */
export function toVector(values: MapLike, name: string): Float64Array {
  let out: Float64Array;
  if (values instanceof tf.Tensor) {
    if (values.isDisposed) throw new Error(`${name} is a disposed tensor`);
    out = Float64Array.from(values.dataSync() as ArrayLike<number>);
  } else if (values instanceof Float32Array || values instanceof Float64Array || Array.isArray(values)) {
    out = Float64Array.from(values as ArrayLike<number>);
  } else {
    throw new Error(`${name} must be a Float32Array, Float64Array, number[] or tensor`);
  }
  for (let i = 0; i < out.length; i++) {
    if (!Number.isFinite(out[i])) throw new Error(`${name} holds a non-finite value at flat index ${i}`);
  }
  return out;
}

export function assertSameLength(a: ArrayLike<number>, b: ArrayLike<number>, nameA: string, nameB: string): void {
  if (a.length !== b.length) throw new Error(`${nameA} has ${a.length} values but ${nameB} has ${b.length}`);
}

/** A list of equally long vectors, e.g. one saliency map per latent unit. */
export function toVectors(maps: readonly MapLike[], name: string, minCount = 1): Float64Array[] {
  if (!Array.isArray(maps as unknown)) throw new Error(`${name} must be a list of maps`);
  if (maps.length < minCount) throw new Error(`${name} must hold at least ${minCount} maps, got ${maps.length}`);
  const vectors = maps.map((m, i) => toVector(m, `${name}[${i}]`));
  for (let i = 1; i < vectors.length; i++) assertSameLength(vectors[i]!, vectors[0]!, `${name}[${i}]`, `${name}[0]`);
  if (vectors[0]!.length === 0) throw new Error(`${name} holds empty maps`);
  return vectors;
}

export interface MeanStd {
  mean: number;
  /** Population standard deviation (divides by n). */
  std: number;
  /** How many values were averaged. */
  count: number;
}

/** Mean and standard deviation of the values that are not NaN; NaN for both when none is. */
export function meanStd(values: ArrayLike<number>): MeanStd {
  let count = 0;
  let sum = 0;
  for (let i = 0; i < values.length; i++) {
    if (!Number.isNaN(values[i])) {
      sum += values[i]!;
      count++;
    }
  }
  if (count === 0) return { mean: Number.NaN, std: Number.NaN, count };
  const mean = sum / count;
  let squares = 0;
  for (let i = 0; i < values.length; i++) if (!Number.isNaN(values[i])) squares += (values[i]! - mean) ** 2;
  return { mean, std: Math.sqrt(squares / count), count };
}
