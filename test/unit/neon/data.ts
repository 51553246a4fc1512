/** Seeded point clouds for the NEON tests. */
import { createRandom } from '../../../src/engine/attribution/random';
import type { Points } from '../../../src/engine/neon/points';

/** `perBlob` points around each centre with isotropic noise `sigma`; `labels` gives each point's blob. */
export function blobs(centres: number[][], perBlob: number, sigma: number, seed: number): { points: Points; labels: Int32Array } {
  const random = createRandom(seed);
  const dim = centres[0]!.length;
  const count = centres.length * perBlob;
  const values = new Float64Array(count * dim);
  const labels = new Int32Array(count);
  for (let n = 0; n < count; n++) {
    const blob = n % centres.length;
    labels[n] = blob;
    for (let i = 0; i < dim; i++) values[n * dim + i] = centres[blob]![i]! + sigma * random.normal();
  }
  return { points: { values, count, dim }, labels };
}

export function gaussianPoints(count: number, dim: number, seed: number, scale = 1): Points {
  const random = createRandom(seed);
  return { values: Float64Array.from({ length: count * dim }, () => scale * random.normal()), count, dim };
}

export function sum(values: ArrayLike<number>): number {
  let total = 0;
  for (let i = 0; i < values.length; i++) total += values[i]!;
  return total;
}
