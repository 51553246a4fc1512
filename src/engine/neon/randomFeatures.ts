/**
 * Random Fourier features for the Gaussian kernel (Rahimi & Recht 2007), as
 * NEON's inlierness network uses them (Sec. 3.3, Eq. 3): ω_j ~ N(0, 2γ I),
 * b_j ~ U(0, 2π), so that E[2 cos(ω·x + b) cos(ω·u + b)] = exp(−γ‖x − u‖²).
 * The dataset enters only through μ_j = (1/N) Σ_k √2 cos(ω_j·u_k + b_j),
 * an [N, d] × [d, H] product, computed with tfjs in row chunks so that the
 * backend (wasm) does the heavy part and no [N, H] tensor exists at once.
 */
import * as tf from '@tensorflow/tfjs-core';
import { createRandom, fillNormal } from '../attribution/random';
import { checkPositiveInteger, yieldOrAbort } from '../examples/cancel';
import { checkKde, type KdeModel } from './kde';

export interface RandomFeatures {
  /** H, the number of features. */
  count: number;
  dim: number;
  gamma: number;
  /** ω, row-major [H, dim]. */
  omega: Float32Array;
  /** b_j in [0, 2π). */
  phase: Float32Array;
  /** μ_j = (1/N) Σ_k √2 cos(ω_j·u_k + b_j). */
  mu: Float64Array;
}

export interface RandomFeatureOptions {
  /** H; the paper uses 2,500. */
  features?: number;
  seed?: number;
  signal?: AbortSignal;
}

export const DEFAULT_RANDOM_FEATURES = 2500;
/** Elements per [rows, H] chunk of cos(U Ωᵀ + b): 4M floats is 16 MB. */
const CHUNK_ELEMENTS = 1 << 22;

export async function drawRandomFeatures(model: KdeModel, options: RandomFeatureOptions = {}): Promise<RandomFeatures> {
  checkKde(model);
  const count = options.features ?? DEFAULT_RANDOM_FEATURES;
  checkPositiveInteger(count, 'features');
  const { data, gamma } = model;
  const dim = data.dim;
  const random = createRandom(options.seed ?? 0);
  const omega = fillNormal(random, new Float32Array(count * dim), Math.sqrt(2 * gamma));
  const phase = Float32Array.from({ length: count }, () => 2 * Math.PI * random.next());
  const mu = new Float64Array(count);
  const rowsPerChunk = Math.max(1, Math.floor(CHUNK_ELEMENTS / count));
  const omegaT = tf.tensor2d(omega, [count, dim]);
  const phaseT = tf.tensor1d(phase);
  try {
    for (let start = 0; start < data.count; start += rowsPerChunk) {
      const rows = Math.min(rowsPerChunk, data.count - start);
      const sums = tf.tidy(() => {
        const u = tf.tensor2d(Float32Array.from(data.values.subarray(start * dim, (start + rows) * dim)), [rows, dim]);
        return tf.sum(tf.cos(tf.add(tf.matMul(u, omegaT, false, true), phaseT)), 0);
      });
      const values = await sums.data();
      sums.dispose();
      for (let j = 0; j < count; j++) mu[j]! += values[j]!;
      if (start + rowsPerChunk < data.count) await yieldOrAbort(options.signal, 'random features');
    }
  } finally {
    tf.dispose([omegaT, phaseT]);
  }
  for (let j = 0; j < count; j++) mu[j] = (Math.SQRT2 * mu[j]!) / data.count;
  return { count, dim, gamma, omega, phase, mu };
}

export function checkRandomFeatures(features: RandomFeatures, name = 'features'): void {
  if (typeof features !== 'object' || features === null) throw new Error(`${name} must be random features from drawRandomFeatures`);
  checkPositiveInteger(features.count, `${name}.count`);
  checkPositiveInteger(features.dim, `${name}.dim`);
  if (!(features.omega instanceof Float32Array) || features.omega.length !== features.count * features.dim) {
    throw new Error(`${name}.omega must be a Float32Array of count * dim = ${features.count * features.dim} numbers`);
  }
  if (!(features.phase instanceof Float32Array) || features.phase.length !== features.count) throw new Error(`${name}.phase must be a Float32Array of ${features.count} numbers`);
  if (!(features.mu instanceof Float64Array) || features.mu.length !== features.count) throw new Error(`${name}.mu must be a Float64Array of ${features.count} numbers`);
}

/** ω_j·x for every feature, in float64. */
export function projections(features: RandomFeatures, x: ArrayLike<number>): Float64Array {
  const { count, dim, omega } = features;
  const z = new Float64Array(count);
  for (let j = 0; j < count; j++) {
    let sum = 0;
    for (let i = 0; i < dim; i++) sum += omega[j * dim + i]! * x[i]!;
    z[j] = sum;
  }
  return z;
}
