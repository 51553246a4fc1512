/**
 * Fitting the NEON models of a request, and the cache that keeps them: a
 * fitted model is reused while the checkpoint (representation space), the
 * space, the settings and the training set's content are unchanged.
 */
import { fmix32, createRandom } from '../../attribution/random';
import { yieldOrAbort } from '../../examples/cancel';
import { fitKde, fitKMeans, type KdeModel, type KMeansModel, type Points } from '../../neon';
import type { NeonKdeSummary, NeonKMeansSummary } from '../../../protocol/engineProtocol';
import { RpcError } from '../../../protocol/rpc';
import type { ResolvedNeonModel } from './neonParams';

export type FittedNeonModel = { kind: 'kmeans'; kmeans: KMeansModel; summary: NeonKMeansSummary } | { kind: 'kde'; kde: KdeModel; summary: NeonKdeSummary };

/** Points fitted on at most this many for the median heuristic (all pairs among them). */
export const MEDIAN_HEURISTIC_POINTS = 512;
const MAX_ENTRIES = 8;

/** The seed of k-means restart r: restart 0 uses the seed itself, later ones murmur-mixed seeds. */
export function restartSeed(seed: number, restart: number): number {
  return restart === 0 ? seed : fmix32((seed + Math.imul(restart, 0x9e3779b9)) >>> 0);
}

/** `count` distinct indices of 0..total-1, a seeded partial Fisher–Yates shuffle, ascending; all of them when count >= total. */
export function seededSubsample(total: number, count: number, seed: number): number[] {
  if (count >= total) return Array.from({ length: total }, (_, i) => i);
  const order = Int32Array.from({ length: total }, (_, i) => i);
  const random = createRandom(seed);
  for (let i = 0; i < count; i++) {
    const j = i + random.int(total - i);
    const t = order[i]!;
    order[i] = order[j]!;
    order[j] = t;
  }
  return Array.from(order.subarray(0, count)).sort((a, b) => a - b);
}

/** γ = 1 / median ‖u_k − u_l‖² over all pairs of a seeded sample of at most MEDIAN_HEURISTIC_POINTS points. */
export function medianHeuristicGamma(points: Points, seed: number): number {
  const chosen = seededSubsample(points.count, MEDIAN_HEURISTIC_POINTS, fmix32(seed ^ 0x5bd1e995));
  const { dim, values } = points;
  const distances = new Float64Array((chosen.length * (chosen.length - 1)) / 2);
  let p = 0;
  for (let a = 0; a < chosen.length; a++) {
    const ra = chosen[a]! * dim;
    for (let b = a + 1; b < chosen.length; b++) {
      const rb = chosen[b]! * dim;
      let sum = 0;
      for (let i = 0; i < dim; i++) {
        const diff = values[ra + i]! - values[rb + i]!;
        sum += diff * diff;
      }
      distances[p++] = sum;
    }
  }
  distances.sort();
  const n = distances.length;
  const median = n === 0 ? 0 : n % 2 === 1 ? distances[(n - 1) / 2]! : (distances[n / 2 - 1]! + distances[n / 2]!) / 2;
  if (!(median > 0)) throw new RpcError('badInput', `the median squared distance between the fitted points is ${median} (most of them coincide); give model.gamma explicitly`);
  return 1 / median;
}

export interface FitOptions {
  signal: AbortSignal;
  onProgress(fraction: number, message: string): void;
}

/** Fits k-means restart by restart (yielding between restarts for cancel requests) or a KDE. */
export async function fitNeonModel(points: Points, spec: ResolvedNeonModel, seed: number, options: FitOptions): Promise<FittedNeonModel> {
  if (spec.kind === 'kde') {
    const gamma = spec.gamma ?? medianHeuristicGamma(points, seed);
    return { kind: 'kde', kde: fitKde(points, gamma), summary: { kind: 'kde', gamma, gammaSource: spec.gamma === undefined ? 'median' : 'given' } };
  }
  let best: KMeansModel | undefined;
  const restartObjectives: number[] = [];
  for (let r = 0; r < spec.nInit; r++) {
    await yieldOrAbort(options.signal, 'k-means');
    options.onProgress(r / spec.nInit, `k-means: restart ${r + 1}/${spec.nInit} (k = ${spec.k}, ${points.count} points of dimension ${points.dim})`);
    const run = fitKMeans(points, { k: spec.k, nInit: 1, seed: restartSeed(spec.seed, r) });
    restartObjectives.push(run.objective);
    if (best === undefined || run.objective < best.objective) best = run;
  }
  const kmeans = { ...best!, restartObjectives };
  const clusterSizes = new Array<number>(spec.k).fill(0);
  for (const c of kmeans.assignments) clusterSizes[c]!++;
  return {
    kind: 'kmeans',
    kmeans,
    summary: {
      kind: 'kmeans',
      k: spec.k,
      nInit: spec.nInit,
      seed: spec.seed,
      restartObjectives,
      objective: kmeans.objective,
      iterations: kmeans.iterations,
      clusterSizes,
      centroids: Float32Array.from(kmeans.centroids.values),
    },
  };
}

export interface CachedNeonModel {
  fitted: FittedNeonModel;
  /** The fitted points (rows of the training set, or their representations). */
  points: Points;
  fitIndices: number[];
  seconds: number;
}

/** Fitted NEON models by key, at most MAX_ENTRIES, oldest dropped first; failed or cancelled fits are not kept. */
export class NeonModelCache {
  private readonly entries = new Map<string, Promise<CachedNeonModel>>();

  has(key: string): boolean {
    return this.entries.has(key);
  }

  get(key: string, fit: () => Promise<CachedNeonModel>): Promise<CachedNeonModel> {
    const hit = this.entries.get(key);
    if (hit) {
      // Most recently used last.
      this.entries.delete(key);
      this.entries.set(key, hit);
      return hit;
    }
    const pending = fit();
    this.entries.set(key, pending);
    pending.catch(() => {
      if (this.entries.get(key) === pending) this.entries.delete(key);
    });
    while (this.entries.size > MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value!);
    return pending;
  }

  clear(): void {
    this.entries.clear();
  }
}
