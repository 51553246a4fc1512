/**
 * Seeded random projection of per-example gradients to k dimensions, so that
 * <R g, R g'> ≈ <g, g'> (Johnson–Lindenstrauss) and a TracIn query becomes one
 * small matrix product. R is P × k with Rademacher entries ±1/√k. Row p of R
 * is generated from (seed, p) alone, so R is identical however it is cut into
 * blocks, and only one block of rows ever needs to exist at a time: a large
 * model's P × k matrix is never materialised unless it fits the cache budget.
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { LossSpec } from '../../protocol/manifest';
import { perExampleGradients, type GradientOptions } from '../influence/perExampleGradients';
import { fmix32 } from '../attribution/random';
import { checkPositiveInteger } from './cancel';

export interface ProjectionSettings {
  /** P: the number of gradient entries. */
  inputDim: number;
  /** k: the sketch size. */
  sketchDim: number;
  seed: number;
}

export const DEFAULT_SKETCH_DIM = 512;
export const DEFAULT_BLOCK_ROWS = 4096;
/** Blocks of R are kept for reuse across batches up to this many bytes in total. */
export const DEFAULT_PROJECTION_CACHE_BYTES = 64 * 1024 * 1024;

/** Writes row `row` of R (k entries ±1/√k) into out at offset. */
function writeRow(seed: number, row: number, k: number, out: Float32Array, offset: number): void {
  const scale = 1 / Math.sqrt(k);
  // mulberry32, seeded per row from the (seed, row) pair.
  let state = fmix32(fmix32(seed ^ 0x9e3779b9) ^ fmix32(row + 0x632be5ab)) | 0;
  let bits = 0;
  for (let j = 0; j < k; j++) {
    if (j % 32 === 0) {
      state = (state + 0x6d2b79f5) | 0;
      let t = state;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      bits = (t ^ (t >>> 14)) >>> 0;
    }
    out[offset + j] = (bits >>> (j % 32)) & 1 ? scale : -scale;
  }
}

/** Rows [start, end) of R as a Float32Array [(end - start), k]. */
export function projectionRows(settings: ProjectionSettings, start: number, end: number): Float32Array {
  const out = new Float32Array((end - start) * settings.sketchDim);
  for (let p = start; p < end; p++) writeRow(settings.seed, p, settings.sketchDim, out, (p - start) * settings.sketchDim);
  return out;
}

export function checkProjectionSettings(settings: ProjectionSettings): void {
  checkPositiveInteger(settings.inputDim, 'inputDim');
  checkPositiveInteger(settings.sketchDim, 'sketchDim');
  if (!Number.isSafeInteger(settings.seed)) throw new Error(`seed must be an integer, got ${settings.seed}`);
}

export class RandomProjection {
  readonly settings: ProjectionSettings;
  private readonly blockRows: number;
  private readonly cached: Array<tf.Tensor2D | undefined>;
  private readonly cacheable: boolean;
  private disposed = false;

  constructor(settings: ProjectionSettings, options: { blockRows?: number; cacheBytes?: number } = {}) {
    checkProjectionSettings(settings);
    this.settings = { ...settings };
    this.blockRows = options.blockRows ?? DEFAULT_BLOCK_ROWS;
    checkPositiveInteger(this.blockRows, 'blockRows');
    const cacheBytes = options.cacheBytes ?? DEFAULT_PROJECTION_CACHE_BYTES;
    this.cacheable = settings.inputDim * settings.sketchDim * 4 <= cacheBytes;
    this.cached = new Array<tf.Tensor2D | undefined>(Math.ceil(settings.inputDim / this.blockRows)).fill(undefined);
  }

  private block(b: number): tf.Tensor2D {
    const hit = this.cached[b];
    if (hit) return hit;
    const start = b * this.blockRows;
    const end = Math.min(this.settings.inputDim, start + this.blockRows);
    const block = tf.tensor2d(projectionRows(this.settings, start, end), [end - start, this.settings.sketchDim]);
    if (this.cacheable) this.cached[b] = tf.keep(block);
    return block;
  }

  /** g [B, P] -> g R [B, k]. */
  project(gradients: tf.Tensor2D): tf.Tensor2D {
    if (this.disposed) throw new Error('this RandomProjection was disposed');
    if (gradients.rank !== 2 || gradients.shape[1] !== this.settings.inputDim) {
      throw new Error(`gradients must have shape [B, ${this.settings.inputDim}], got [${gradients.shape.join(', ')}]`);
    }
    return tf.tidy(() => {
      let sum: tf.Tensor2D | undefined;
      for (let b = 0; b < this.cached.length; b++) {
        const start = b * this.blockRows;
        const end = Math.min(this.settings.inputDim, start + this.blockRows);
        const part = tf.matMul(tf.slice(gradients, [0, start], [-1, end - start]) as tf.Tensor2D, this.block(b));
        sum = (sum ? tf.add(sum, part) : part) as tf.Tensor2D;
      }
      return sum!;
    });
  }

  dispose(): void {
    this.disposed = true;
    for (let b = 0; b < this.cached.length; b++) {
      this.cached[b]?.dispose();
      this.cached[b] = undefined;
    }
  }
}

/** Sketches [B, k] of the per-example gradients of `loss` on x [B, ...]. */
export function sketchGradients(model: tfl.LayersModel, loss: LossSpec, x: tf.Tensor, options: GradientOptions, projection: RandomProjection): tf.Tensor2D {
  const { gradients } = perExampleGradients(model, loss, x, options);
  try {
    return projection.project(gradients);
  } finally {
    gradients.dispose();
  }
}
