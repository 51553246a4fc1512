import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { BlockSketcher, squaredNorms } from '../../../src/engine/examples/blockSketch';
import { materializeBlock, type GradientBlock } from '../../../src/engine/influence/gradientBlocks';
import { expectArraysClose } from '../influence/closeTo';
import { normalArray } from './random';

function blocks(count: number, seed: number): GradientBlock[] {
  return [
    { kind: 'outer', input: tf.tensor2d(normalArray(count * 12, seed), [count, 12]), delta: tf.tensor2d(normalArray(count * 5, seed + 1), [count, 5]) },
    { kind: 'full', values: tf.tensor2d(normalArray(count * 7, seed + 2), [count, 7]) },
  ];
}

function dots(a: Float32Array, b: Float32Array, rows: number, width: number): Float64Array {
  return Float64Array.from({ length: rows * rows }, (_, ij) => {
    const i = Math.floor(ij / rows);
    const j = ij % rows;
    let s = 0;
    for (let c = 0; c < width; c++) s += a[i * width + c]! * b[j * width + c]!;
    return s;
  });
}

test('an outer block is sketched exactly as the projection of its full gradient onto Rademacher vectors r ⊗ s', () => {
  tf.setBackend('cpu');
  const sketcher = new BlockSketcher({ sketchDim: 16, seed: 5 });
  const [outer, other] = blocks(3, 1);
  if (outer?.kind !== 'outer' || other?.kind !== 'full') throw new Error('fixture order changed');
  const viaFactors = sketcher.sketchBlocks([outer]);
  // Recover the projection matrix row by row: sketch the unit outer products e_i ⊗ e_j.
  const kron = tf.tidy(() => {
    const rows: tf.Tensor[] = [];
    for (let i = 0; i < 12; i++) {
      for (let j = 0; j < 5; j++) {
        const unit = { kind: 'outer' as const, input: tf.cast(tf.oneHot(tf.tensor1d([i], 'int32'), 12), 'float32') as tf.Tensor2D, delta: tf.cast(tf.oneHot(tf.tensor1d([j], 'int32'), 5), 'float32') as tf.Tensor2D };
        rows.push(sketcher.sketchBlocks([unit]));
      }
    }
    return tf.concat(rows, 0) as tf.Tensor2D;
  });
  const full = materializeBlock(outer);
  const viaMatrix = tf.matMul(full, kron);
  expectArraysClose(viaFactors.dataSync(), viaMatrix.dataSync(), 1e-5, 1e-5);
  // Every entry of the projection is ±1/√k, as in a dense Rademacher sketch.
  for (const v of kron.dataSync()) assert.ok(Math.abs(Math.abs(v) - 1 / 4) < 1e-6, `entry ${v} is not ±1/4`);
  tf.dispose([viaFactors, kron, full, viaMatrix, outer.input, outer.delta, other.values]);
  sketcher.dispose();
});

test('sketched dot products match exact ones within the Johnson-Lindenstrauss tolerance, averaged over seeds', () => {
  tf.setBackend('cpu');
  const count = 6;
  const k = 256;
  const source = blocks(count, 10);
  const full = tf.concat(source.map(materializeBlock), 1) as tf.Tensor2D;
  const width = full.shape[1];
  const exact = dots(full.dataSync() as Float32Array, full.dataSync() as Float32Array, count, width);
  const norms = squaredNorms(source).dataSync();
  expectArraysClose(norms, Float64Array.from({ length: count }, (_, i) => exact[i * count + i]!), 1e-4, 1e-4);
  const seeds = 24;
  const mean = new Float64Array(count * count);
  let worst = 0;
  for (let seed = 0; seed < seeds; seed++) {
    const sketcher = new BlockSketcher({ sketchDim: k, seed });
    const s = sketcher.sketchBlocks(source);
    const approx = dots(s.dataSync() as Float32Array, s.dataSync() as Float32Array, count, k);
    for (let ij = 0; ij < approx.length; ij++) {
      mean[ij] += approx[ij]! / seeds;
      const i = Math.floor(ij / count);
      const j = ij % count;
      // JL: |<Rg, Rh> - <g, h>| <= eps ||g|| ||h|| for a single draw.
      worst = Math.max(worst, Math.abs(approx[ij]! - exact[ij]!) / Math.sqrt(exact[i * count + i]! * exact[j * count + j]!));
    }
    s.dispose();
    sketcher.dispose();
  }
  // The factored blocks' variance is about 1.5x a dense sketch's, so the bound is 6/√k rather than 4/√k.
  assert.ok(worst < 6 / Math.sqrt(k), `worst relative error ${worst} exceeds the JL tolerance`);
  // Unbiased: the mean over seeds is much closer than a single draw.
  for (let ij = 0; ij < mean.length; ij++) {
    const i = Math.floor(ij / count);
    const j = ij % count;
    assert.ok(Math.abs(mean[ij]! - exact[ij]!) <= (2 / Math.sqrt(k * seeds)) * 3 * Math.sqrt(exact[i * count + i]! * exact[j * count + j]!), `mean dot ${ij} is biased`);
  }
  tf.dispose([full, ...source.flatMap((b) => (b.kind === 'full' ? [b.values] : [b.input, b.delta]))]);
});

test('the sketcher leaks no tensors beyond its cached matrices, and none after dispose', () => {
  tf.setBackend('cpu');
  const before = tf.memory().numTensors;
  const sketcher = new BlockSketcher({ sketchDim: 16, seed: 2 });
  const source = blocks(4, 3);
  for (let i = 0; i < 3; i++) sketcher.sketchBlocks(source).dispose();
  tf.dispose(source.flatMap((b) => (b.kind === 'full' ? [b.values] : [b.input, b.delta])));
  sketcher.dispose();
  assert.equal(tf.memory().numTensors, before);
});
