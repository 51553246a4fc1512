/**
 * Gradient sketches computed from the per-example gradient blocks, without
 * ever forming a Dense layer's full gradient (LoGra-style factored
 * projection). A Dense kernel's gradient a ⊗ δ is sketched coordinate by
 * coordinate as (r_jᵀa)(s_jᵀδ)/√k with independent Rademacher vectors r_j and
 * s_j: that is the projection of a ⊗ δ onto the Rademacher vector r_j ⊗ s_j,
 * so E<sketch(g), sketch(g')> = <a,a'><δ,δ'> = <g,g'>, at a cost of
 * k·(in + out) per example instead of k·in·out. (A single Kronecker product
 * R_in ⊗ R_out is cheaper still, but its k_in- and k_out-dimensional factors
 * make the dot-product error grow like √(1/k_in + 1/k_out) instead of √(1/k).)
 * Blocks stored in full (convolution kernels, biases, batch-norm scales) get
 * a dense projection. The sketch is the sum of the blocks' projections: one
 * random projection of the whole gradient whose rows are drawn per block.
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { LossSpec } from '../../protocol/manifest';
import { disposeBlocks, type GradientBlock } from '../influence/gradientBlocks';
import { perExampleGradientBlocks, type GradientOptions } from '../influence/perExampleGradients';
import { checkPositiveInteger } from './cancel';
import { projectionRows } from './sketch';

/** A seeded [rows, cols] Rademacher matrix with entries ±1/√cols, drawn from (seed, stream). */
function rademacher(seed: number, stream: number, rows: number, cols: number): tf.Tensor2D {
  // Each block and factor gets its own stream, so no two share rows.
  return tf.tensor2d(projectionRows({ inputDim: rows, sketchDim: cols, seed: (seed * 7919 + stream * 104729) | 0 }, 0, rows), [rows, cols]);
}

export interface BlockSketcherSettings {
  sketchDim: number;
  seed: number;
}

export class BlockSketcher {
  readonly sketchDim: number;
  readonly seed: number;
  private readonly matrices = new Map<string, tf.Tensor2D>();

  constructor(settings: BlockSketcherSettings) {
    checkPositiveInteger(settings.sketchDim, 'sketchDim');
    if (!Number.isSafeInteger(settings.seed)) throw new Error(`seed must be an integer, got ${settings.seed}`);
    this.sketchDim = settings.sketchDim;
    this.seed = settings.seed;
  }

  /** Matrices are made once per block shape and position, then reused for every batch. */
  private matrix(stream: number, rows: number, cols: number): tf.Tensor2D {
    const key = `${stream}:${rows}:${cols}`;
    let m = this.matrices.get(key);
    if (!m) {
      m = tf.keep(rademacher(this.seed, stream, rows, cols));
      this.matrices.set(key, m);
    }
    return m;
  }

  /** [B, k] sketches of one batch's gradient blocks (given in layout order). */
  sketchBlocks(blocks: readonly GradientBlock[]): tf.Tensor2D {
    if (blocks.length === 0) throw new Error('blocks must be a non-empty list');
    const k = this.sketchDim;
    return tf.tidy(() => {
      const parts = blocks.map((block, b) => {
        if (block.kind === 'full') return tf.matMul(block.values, this.matrix(2 * b, block.values.shape[1], this.sketchDim));
        const a = tf.matMul(block.input, this.matrix(2 * b, block.input.shape[1], k));
        const d = tf.matMul(block.delta, this.matrix(2 * b + 1, block.delta.shape[1], k));
        // Both factors carry 1/√k; the product must carry 1/√k once.
        return tf.mul(tf.mul(a, d), Math.sqrt(k));
      });
      return (parts.length === 1 ? parts[0]! : tf.addN(parts)) as tf.Tensor2D;
    });
  }

  /** Sketches [B, k] and exact squared gradient norms [B] of `loss` on x [B, ...]. */
  sketchExamples(model: tfl.LayersModel, loss: LossSpec, x: tf.Tensor, options: GradientOptions): { sketches: tf.Tensor2D; squaredNorms: tf.Tensor1D } {
    const { blocks } = perExampleGradientBlocks(model, loss, x, options);
    try {
      return tf.tidy(() => ({ sketches: this.sketchBlocks(blocks), squaredNorms: squaredNorms(blocks) }));
    } finally {
      disposeBlocks(blocks);
    }
  }

  dispose(): void {
    for (const m of this.matrices.values()) m.dispose();
    this.matrices.clear();
  }
}

/** ‖g_n‖² per example, exactly, from the blocks: an outer block's is ‖a‖²·‖δ‖². */
export function squaredNorms(blocks: readonly GradientBlock[]): tf.Tensor1D {
  return tf.tidy(() => {
    const terms = blocks.map((block) =>
      block.kind === 'full' ? tf.sum(tf.square(block.values), 1) : tf.mul(tf.sum(tf.square(block.input), 1), tf.sum(tf.square(block.delta), 1)),
    );
    return (terms.length === 1 ? terms[0]! : tf.addN(terms)) as tf.Tensor1D;
  });
}
