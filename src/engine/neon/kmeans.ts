/**
 * k-means (Lloyd's iterations) with k-means++ seeding (Arthur & Vassilvitskii
 * 2007), restarted nInit times and keeping the lowest objective, as the NEON
 * paper does for its wholesale-customer clustering (10 restarts). Seeded with
 * the engine's generator, so a clustering is reproducible from its seed.
 */
import { assertInteger } from '../attribution/validate';
import { createRandom, type Random } from '../attribution/random';
import { checkPositiveInteger } from '../examples/cancel';
import { checkPoints, type Points } from './points';

export interface KMeansOptions {
  /** Number of clusters. */
  k: number;
  /** Restarts from fresh k-means++ seeds; the lowest objective is kept. */
  nInit?: number;
  maxIterations?: number;
  /** Stop when the objective improves by less than this fraction. */
  tolerance?: number;
  seed?: number;
}

export interface KMeansModel {
  /** [k, dim], float64. */
  centroids: Points;
  /** Σ_n min_c ‖x_n − μ_c‖² of the kept restart. */
  objective: number;
  /** Cluster of every data point. */
  assignments: Int32Array;
  /** The final objective of every restart, in order; `objective` is their minimum. */
  restartObjectives: number[];
  /** Lloyd iterations of the kept restart. */
  iterations: number;
}

export const DEFAULT_KMEANS_N_INIT = 10;
export const DEFAULT_KMEANS_MAX_ITERATIONS = 300;
export const DEFAULT_KMEANS_TOLERANCE = 1e-9;

function squaredDistance(a: Points, i: number, b: Points, j: number): number {
  let sum = 0;
  const dim = a.dim;
  for (let t = 0; t < dim; t++) {
    const diff = a.values[i * dim + t]! - b.values[j * dim + t]!;
    sum += diff * diff;
  }
  return sum;
}

/** k-means++: each new centroid is a data point drawn with probability ∝ its squared distance to the nearest chosen one. */
function seedCentroids(data: Points, k: number, random: Random): Points {
  const centroids: Points = { values: new Float64Array(k * data.dim), count: k, dim: data.dim };
  const nearest = new Float64Array(data.count).fill(Infinity);
  let chosen = random.int(data.count);
  for (let c = 0; c < k; c++) {
    centroids.values.set(data.values.subarray(chosen * data.dim, (chosen + 1) * data.dim), c * data.dim);
    let total = 0;
    for (let n = 0; n < data.count; n++) {
      nearest[n] = Math.min(nearest[n]!, squaredDistance(data, n, centroids, c));
      total += nearest[n]!;
    }
    if (c === k - 1) break;
    // All points already coincide with a centroid (fewer distinct points than k): any point will do.
    if (total === 0) {
      chosen = random.int(data.count);
      continue;
    }
    let target = random.next() * total;
    chosen = data.count - 1;
    for (let n = 0; n < data.count; n++) {
      target -= nearest[n]!;
      if (target < 0) {
        chosen = n;
        break;
      }
    }
  }
  return centroids;
}

/** Assigns every point to its nearest centroid; returns the objective and each point's squared distance. */
function assign(data: Points, centroids: Points, assignments: Int32Array, distances: Float64Array): number {
  let objective = 0;
  for (let n = 0; n < data.count; n++) {
    let best = 0;
    let bestDistance = Infinity;
    for (let c = 0; c < centroids.count; c++) {
      const d = squaredDistance(data, n, centroids, c);
      if (d < bestDistance) {
        bestDistance = d;
        best = c;
      }
    }
    assignments[n] = best;
    distances[n] = bestDistance;
    objective += bestDistance;
  }
  return objective;
}

/** Moves every centroid to its members' mean; an empty cluster takes the point farthest from its centroid, so k clusters survive. */
function update(data: Points, centroids: Points, assignments: Int32Array, distances: Float64Array): void {
  const { dim } = data;
  const sums = new Float64Array(centroids.count * dim);
  const counts = new Float64Array(centroids.count);
  for (let n = 0; n < data.count; n++) {
    const c = assignments[n]!;
    counts[c]! += 1;
    for (let t = 0; t < dim; t++) sums[c * dim + t]! += data.values[n * dim + t]!;
  }
  for (let c = 0; c < centroids.count; c++) {
    if (counts[c]! > 0) {
      for (let t = 0; t < dim; t++) centroids.values[c * dim + t] = sums[c * dim + t]! / counts[c]!;
      continue;
    }
    let farthest = 0;
    for (let n = 1; n < data.count; n++) if (distances[n]! > distances[farthest]!) farthest = n;
    centroids.values.set(data.values.subarray(farthest * dim, (farthest + 1) * dim), c * dim);
    distances[farthest] = 0;
  }
}

function lloyd(data: Points, centroids: Points, maxIterations: number, tolerance: number): { objective: number; assignments: Int32Array; iterations: number } {
  const assignments = new Int32Array(data.count);
  const distances = new Float64Array(data.count);
  let objective = assign(data, centroids, assignments, distances);
  let iterations = 0;
  while (iterations < maxIterations) {
    update(data, centroids, assignments, distances);
    iterations++;
    const next = assign(data, centroids, assignments, distances);
    const improvement = objective - next;
    objective = next;
    if (improvement <= tolerance * Math.max(objective, Number.MIN_VALUE)) break;
  }
  return { objective, assignments, iterations };
}

export function fitKMeans(data: Points, options: KMeansOptions): KMeansModel {
  checkPoints(data, 'data');
  if (typeof options !== 'object' || options === null) throw new Error('options must be an object with k');
  assertInteger(options.k, 'k', 1, data.count);
  const nInit = options.nInit ?? DEFAULT_KMEANS_N_INIT;
  checkPositiveInteger(nInit, 'nInit');
  const maxIterations = options.maxIterations ?? DEFAULT_KMEANS_MAX_ITERATIONS;
  checkPositiveInteger(maxIterations, 'maxIterations');
  const tolerance = options.tolerance ?? DEFAULT_KMEANS_TOLERANCE;
  if (!(Number.isFinite(tolerance) && tolerance >= 0)) throw new Error(`tolerance must be a finite number >= 0, got ${tolerance}`);
  // One generator across restarts: restart 0 of nInit = n is exactly the single run with the same seed.
  const random = createRandom(options.seed ?? 0);
  const restartObjectives: number[] = [];
  let best: KMeansModel | null = null;
  for (let r = 0; r < nInit; r++) {
    const centroids = seedCentroids(data, options.k, random);
    const run = lloyd(data, centroids, maxIterations, tolerance);
    restartObjectives.push(run.objective);
    if (best === null || run.objective < best.objective) best = { centroids, ...run, restartObjectives };
  }
  return best!;
}

/** Index of the nearest centroid (the lowest index on a tie, as the fit assigns). */
export function nearestCentroid(centroids: Points, x: ArrayLike<number>): number {
  let best = 0;
  let bestDistance = Infinity;
  for (let c = 0; c < centroids.count; c++) {
    let sum = 0;
    for (let t = 0; t < centroids.dim; t++) sum += (x[t]! - centroids.values[c * centroids.dim + t]!) ** 2;
    if (sum < bestDistance) {
      bestDistance = sum;
      best = c;
    }
  }
  return best;
}
