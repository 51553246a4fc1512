/**
 * LiSSA (Agarwal et al. 2017, as used by Koh & Liang 2017): a stochastic
 * estimate of an inverse Hessian-vector product from minibatch HVPs,
 *   s_0 = v,  s_t = v + (1 − damping) s_{t−1} − H̃_t s_{t−1} / scale,
 * returning s_depth / scale, averaged over `repeats` independent recursions.
 * Its fixed point is (H + damping·scale·I)⁻¹ v, so `damping·scale` is the
 * effective Tikhonov term. The recursion converges only when
 * ‖(1 − damping) I − H/scale‖ < 1 (scale above H's largest eigenvalue); a
 * growing norm is reported as LissaDivergenceError, never as NaNs.
 */
import { mulberry32 } from '../attribution/random';

export interface LissaOptions {
  /** Recursion steps; default 100. */
  depth?: number;
  /** Must exceed the largest Hessian eigenvalue; default 10. */
  scale?: number;
  /** In [0, 1); default 0.01. */
  damping?: number;
  /** Independent recursions averaged; default 1. */
  repeats?: number;
  /** Training examples per minibatch Hessian; default 32 (capped at the training count). */
  batchSize?: number;
  seed?: number;
  /** Divergence when ‖s_t‖ > divergenceFactor · (t + 1) · ‖v‖ (the geometric-series bound of a contraction); default 10. */
  divergenceFactor?: number;
}

export interface LissaOperator {
  parameterCount: number;
  count: number;
  hvp(v: Float32Array, indices?: readonly number[]): Float32Array;
}

export interface LissaResult {
  inverseHvp: Float32Array;
  /** ‖s_t‖ / scale after each step of the first recursion, to judge convergence. */
  normTrace: number[];
}

export class LissaDivergenceError extends Error {
  constructor(
    readonly step: number,
    readonly norm: number,
    readonly bound: number,
  ) {
    super(
      `LiSSA diverged at step ${step}: ‖s‖ = ${norm} ${Number.isFinite(norm) ? `exceeds the bound ${bound}` : 'is not finite'}; ` +
        'increase scale (it must exceed the largest Hessian eigenvalue) or damping',
    );
    this.name = 'LissaDivergenceError';
  }
}

function sampleIndices(random: () => number, count: number, size: number): number[] {
  if (size >= count) return Array.from({ length: count }, (_, i) => i);
  const chosen = new Set<number>();
  while (chosen.size < size) chosen.add(Math.floor(random() * count));
  return [...chosen];
}

function norm(v: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i]! * v[i]!;
  return Math.sqrt(s);
}

function positiveInteger(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 1) throw new Error(`options.${name} must be a positive integer, got ${value}`);
  return value;
}

/** Estimates (H + damping·scale·I)⁻¹ v; throws LissaDivergenceError when the recursion blows up. */
export function lissaInverseHvp(operator: LissaOperator, v: Float32Array, options: LissaOptions = {}, signal?: AbortSignal): LissaResult {
  const depth = positiveInteger(options.depth ?? 100, 'depth');
  const repeats = positiveInteger(options.repeats ?? 1, 'repeats');
  const batchSize = Math.min(positiveInteger(options.batchSize ?? 32, 'batchSize'), operator.count);
  const scale = options.scale ?? 10;
  const damping = options.damping ?? 0.01;
  const factor = options.divergenceFactor ?? 10;
  if (!(scale > 0 && Number.isFinite(scale))) throw new Error(`options.scale must be a positive number, got ${scale}`);
  if (!(damping >= 0 && damping < 1)) throw new Error(`options.damping must be in [0, 1), got ${damping}`);
  if (!(factor > 0 && Number.isFinite(factor))) throw new Error(`options.divergenceFactor must be a positive number, got ${factor}`);
  if (!(v instanceof Float32Array) || v.length !== operator.parameterCount) throw new Error(`v must be a Float32Array of ${operator.parameterCount} parameters`);
  if (!v.every(Number.isFinite)) throw new Error('v has non-finite entries');
  const random = mulberry32(options.seed ?? 0);
  const vNorm = norm(v);
  const total = new Float64Array(v.length);
  const normTrace: number[] = [];
  for (let r = 0; r < repeats; r++) {
    let s = Float64Array.from(v);
    for (let t = 1; t <= depth; t++) {
      if (signal?.aborted) throw abortError();
      const hs = operator.hvp(Float32Array.from(s), sampleIndices(random, operator.count, batchSize));
      const next = new Float64Array(v.length);
      for (let i = 0; i < v.length; i++) next[i] = v[i]! + (1 - damping) * s[i]! - hs[i]! / scale;
      const n = norm(next);
      const bound = factor * (t + 1) * vNorm;
      if (!Number.isFinite(n) || n > bound) throw new LissaDivergenceError(t, n, bound);
      if (r === 0) normTrace.push(n / scale);
      s = next;
    }
    for (let i = 0; i < v.length; i++) total[i]! += s[i]! / scale / repeats;
  }
  return { inverseHvp: Float32Array.from(total), normTrace };
}

export function abortError(): Error {
  const error = new Error('influence computation was cancelled');
  error.name = 'AbortError';
  return error;
}
