/**
 * What the influence solvers need beyond a Hessian operator: a fixed seeded
 * subsample of the training set for curvature (Arnoldi's HVPs over all of a
 * 60,000-example set would cost a full pass each), and an estimate of the
 * largest Hessian eigenvalue, which LiSSA's scale must exceed to converge.
 */
import { mulberry32 } from '../attribution/random';

export const DEFAULT_CURVATURE_SAMPLES = 1024;
export const POWER_ITERATIONS = 12;

/** `size` distinct training indices, seeded and sorted (all of them when the set is smaller). */
export function curvatureSample(count: number, size: number, seed = 17): number[] {
  if (!Number.isInteger(count) || count < 1) throw new Error(`count must be a positive integer, got ${count}`);
  if (!Number.isInteger(size) || size < 1) throw new Error(`size must be a positive integer, got ${size}`);
  if (size >= count) return Array.from({ length: count }, (_, i) => i);
  const random = mulberry32(seed);
  const order = Array.from({ length: count }, (_, i) => i);
  // Partial Fisher-Yates: the first `size` entries are a uniform sample.
  for (let i = 0; i < size; i++) {
    const j = i + Math.floor(random() * (count - i));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  return order.slice(0, size).sort((a, b) => a - b);
}

/** |λ|max of H by power iteration from a seeded start, with the Rayleigh quotient of the last step. */
export function largestEigenvalue(hvp: (v: Float32Array) => Float32Array, dimension: number, iterations = POWER_ITERATIONS, seed = 23): number {
  const random = mulberry32(seed);
  let v: Float32Array = Float32Array.from({ length: dimension }, () => random() - 0.5);
  let estimate = 0;
  for (let it = 0; it < iterations; it++) {
    let norm = 0;
    for (const x of v) norm += x * x;
    norm = Math.sqrt(norm);
    if (norm === 0) return 0;
    v = v.map((x) => x / norm);
    const hv = hvp(v);
    let rayleigh = 0;
    for (let i = 0; i < dimension; i++) rayleigh += v[i]! * hv[i]!;
    if (!Number.isFinite(rayleigh)) throw new Error('the Hessian-vector product is not finite');
    estimate = Math.abs(rayleigh);
    v = hv;
  }
  return estimate;
}
