/**
 * Arnoldi low-rank inverse Hessian (Schioppa et al. 2022): `iterations`
 * Arnoldi steps on H from a seeded random start build an orthonormal basis Q
 * and the projected matrix QᵀHQ; its top-`rank` eigenpairs (by |λ|), lifted to
 * parameter space, give
 *   H⁻¹ v ≈ Σ_i u_i (u_iᵀ v) / (λ_i + damping).
 * Once built, an inverse-HVP or a gradient projection costs O(rank · P), which
 * makes self-influence over every training example affordable. Eigenpairs
 * with λ + damping ≤ 0 (negative curvature) are dropped.
 */
import { mulberry32 } from '../attribution/random';
import { abortError } from './lissa';

export interface ArnoldiOptions {
  /** Arnoldi steps (HVPs); default 20 (capped at the parameter count). */
  iterations?: number;
  /** Eigenpairs kept; default = iterations. */
  rank?: number;
  /** Added to every kept eigenvalue; default 0.001. */
  damping?: number;
  seed?: number;
}

export interface ArnoldiOperator {
  parameterCount: number;
  hvp(v: Float32Array): Float32Array;
}

export interface LowRankInverse {
  /** λ_i, largest |λ| first. */
  eigenvalues: Float64Array;
  /** u_i, each of length P. */
  eigenvectors: Float64Array[];
  damping: number;
  /** (u_iᵀ g) for every kept i. */
  project(g: ArrayLike<number>): Float64Array;
  inverseHvp(v: ArrayLike<number>): Float32Array;
}

function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

/** Eigenpairs of a small symmetric matrix by cyclic Jacobi rotations; columns of the returned vectors. */
export function symmetricEigen(a: number[][]): { values: number[]; vectors: number[][] } {
  const n = a.length;
  const m = a.map((row) => row.slice());
  const v = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j): number => (i === j ? 1 : 0)));
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += m[p]![q]! ** 2;
    if (off < 1e-24) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = m[p]![q]!;
        if (Math.abs(apq) < 1e-300) continue;
        const theta = (m[q]![q]! - m[p]![p]!) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const mkp = m[k]![p]!;
          const mkq = m[k]![q]!;
          m[k]![p] = c * mkp - s * mkq;
          m[k]![q] = s * mkp + c * mkq;
        }
        for (let k = 0; k < n; k++) {
          const mpk = m[p]![k]!;
          const mqk = m[q]![k]!;
          m[p]![k] = c * mpk - s * mqk;
          m[q]![k] = s * mpk + c * mqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = v[k]![p]!;
          const vkq = v[k]![q]!;
          v[k]![p] = c * vkp - s * vkq;
          v[k]![q] = s * vkp + c * vkq;
        }
      }
    }
  }
  return { values: m.map((row, i) => row[i]!), vectors: v };
}

/** Builds the low-rank inverse from `iterations` HVPs. */
export function arnoldiInverse(operator: ArnoldiOperator, options: ArnoldiOptions = {}, signal?: AbortSignal): LowRankInverse {
  const p = operator.parameterCount;
  const iterations = Math.min(options.iterations ?? 20, p);
  if (!Number.isInteger(iterations) || iterations < 1) throw new Error(`options.iterations must be a positive integer, got ${options.iterations}`);
  const rank = options.rank ?? iterations;
  if (!Number.isInteger(rank) || rank < 1) throw new Error(`options.rank must be a positive integer, got ${rank}`);
  const damping = options.damping ?? 1e-3;
  if (!(damping >= 0 && Number.isFinite(damping))) throw new Error(`options.damping must be a finite number >= 0, got ${damping}`);
  const random = mulberry32(options.seed ?? 0);
  const start = Float64Array.from({ length: p }, () => random() - 0.5);
  const startNorm = Math.sqrt(dot(start, start));
  const basis: Float64Array[] = [start.map((x) => x / startNorm)];
  const h: number[][] = Array.from({ length: iterations + 1 }, () => new Array<number>(iterations).fill(0));
  let steps = 0;
  for (let j = 0; j < iterations; j++) {
    if (signal?.aborted) throw abortError();
    const hv = operator.hvp(Float32Array.from(basis[j]!));
    if (!hv.every(Number.isFinite)) throw new Error(`Arnoldi step ${j}: the Hessian-vector product has non-finite entries`);
    const w = Float64Array.from(hv);
    // Two Gram–Schmidt passes keep the basis orthogonal in float64.
    for (let pass = 0; pass < 2; pass++) {
      for (let i = 0; i <= j; i++) {
        const c = dot(basis[i]!, w);
        h[i]![j]! += c;
        for (let k = 0; k < p; k++) w[k]! -= c * basis[i]![k]!;
      }
    }
    steps = j + 1;
    const wNorm = Math.sqrt(dot(w, w));
    h[j + 1]![j] = wNorm;
    if (j + 1 === iterations || wNorm < 1e-10 * Math.max(1, Math.abs(h[j]![j]!))) break;
    basis.push(w.map((x) => x / wNorm));
  }
  const small = Array.from({ length: steps }, (_, i) => Array.from({ length: steps }, (_, j) => (h[i]![j]! + h[j]![i]!) / 2));
  const { values, vectors } = symmetricEigen(small);
  // Directions of negative curvature (non-convex losses) have no meaningful inverse; they are dropped.
  const order = values
    .map((_, i) => i)
    .filter((i) => values[i]! + damping > 0)
    .sort((a, b) => Math.abs(values[b]!) - Math.abs(values[a]!))
    .slice(0, Math.min(rank, steps));
  const eigenvalues = Float64Array.from(order, (i) => values[i]!);
  const eigenvectors = order.map((col) => {
    const u = new Float64Array(p);
    for (let i = 0; i < steps; i++) {
      const y = vectors[i]![col]!;
      for (let k = 0; k < p; k++) u[k]! += y * basis[i]![k]!;
    }
    return u;
  });
  if (order.length === 0) throw new Error('Arnoldi found no eigenvalue with λ + damping > 0; increase damping');
  const checkLength = (g: ArrayLike<number>): void => {
    if (g.length !== p) throw new Error(`vector must have ${p} parameters, got ${g.length}`);
  };
  const project = (g: ArrayLike<number>): Float64Array => {
    checkLength(g);
    return Float64Array.from(eigenvectors, (u) => dot(u, g));
  };
  return {
    eigenvalues,
    eigenvectors,
    damping,
    project,
    inverseHvp(v) {
      const c = project(v);
      const out = new Float64Array(p);
      eigenvectors.forEach((u, i) => {
        const w = c[i]! / (eigenvalues[i]! + damping);
        for (let k = 0; k < p; k++) out[k]! += w * u[k]!;
      });
      return Float32Array.from(out);
    },
  };
}
