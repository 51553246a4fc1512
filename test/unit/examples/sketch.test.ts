import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { projectionRows, RandomProjection } from '../../../src/engine/examples/sketch';
import { normalArray } from './random';

const P = 3000;
const K = 512;

function rows(values: Float32Array, n: number, p: number): Float64Array[] {
  return Array.from({ length: n }, (_, i) => Float64Array.from(values.subarray(i * p, (i + 1) * p)));
}
const dot = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
};

test('dot products are preserved within the Johnson–Lindenstrauss tolerance', () => {
  const n = 12;
  const g = normalArray(n * P, 7);
  // Correlated pairs too, so large inner products are checked, not only near-zero ones.
  for (let i = 1; i < n; i += 2) for (let p = 0; p < P; p++) g[i * P + p] = 0.8 * g[(i - 1) * P + p]! + 0.6 * g[i * P + p]!;
  const before = tf.memory().numTensors;
  const projection = new RandomProjection({ inputDim: P, sketchDim: K, seed: 42 }, { blockRows: 700 });
  const sketch = tf.tidy(() => projection.project(tf.tensor2d(g, [n, P])).dataSync() as Float32Array);
  projection.dispose();
  assert.equal(tf.memory().numTensors, before, 'tensors leaked');
  const original = rows(g, n, P);
  const projected = rows(sketch, n, K);
  // For Rademacher projections |<Ru,Rv> - <u,v>| has standard deviation <= sqrt(2/k) |u||v|;
  // 5 standard deviations over 78 pairs fails by chance with probability < 1e-4.
  const tolerance = 5 * Math.sqrt(2 / K);
  let worst = 0;
  for (let i = 0; i < n; i++) {
    for (let j = i; j < n; j++) {
      const exact = dot(original[i]!, original[j]!);
      const scale = Math.sqrt(dot(original[i]!, original[i]!) * dot(original[j]!, original[j]!));
      worst = Math.max(worst, Math.abs(dot(projected[i]!, projected[j]!) - exact) / scale);
    }
  }
  assert.ok(worst < tolerance, `worst relative dot-product error ${worst} exceeds ${tolerance}`);
  // Unbiased: the mean squared-norm ratio over n vectors has standard deviation about sqrt(2/k/n), so a mis-scaled R fails here.
  const ratio = original.reduce((s, u, i) => s + dot(projected[i]!, projected[i]!) / dot(u, u), 0) / n;
  assert.ok(Math.abs(ratio - 1) < 5 * Math.sqrt(2 / K / n), `mean |Ru|²/|u|² is ${ratio}`);
  // And the correlated pair's dot product (0.8 |u|²) is visibly kept.
  const kept = dot(projected[0]!, projected[1]!) / Math.sqrt(dot(projected[0]!, projected[0]!) * dot(projected[1]!, projected[1]!));
  assert.ok(Math.abs(kept - 0.8) < 0.15, `cosine ${kept} should be near 0.8`);
});

test('the matrix depends on the seed and the row only, not on how it is cut into blocks', () => {
  const settings = { inputDim: 50, sketchDim: 40, seed: 3 };
  const whole = projectionRows(settings, 0, 50);
  const part = projectionRows(settings, 17, 23);
  assert.deepEqual(Array.from(part), Array.from(whole.subarray(17 * 40, 23 * 40)));
  assert.ok(whole.every((v) => Math.abs(Math.abs(v) - 1 / Math.sqrt(40)) < 1e-7));
  const other = projectionRows({ ...settings, seed: 4 }, 0, 50);
  assert.notDeepEqual(Array.from(other), Array.from(whole));
  // Signs are balanced: a stuck generator would fail this.
  const positive = whole.filter((v) => v > 0).length;
  assert.ok(Math.abs(positive / whole.length - 0.5) < 0.05, `share of + signs ${positive / whole.length}`);

  const g = normalArray(3 * 50, 9);
  const results = [7, 50, 13].map((blockRows) => {
    const projection = new RandomProjection(settings, { blockRows, cacheBytes: blockRows === 13 ? 0 : undefined });
    const out = tf.tidy(() => projection.project(tf.tensor2d(g, [3, 50])).dataSync() as Float32Array);
    projection.dispose();
    return out;
  });
  for (const r of results.slice(1)) {
    r.forEach((v, i) => assert.ok(Math.abs(v - results[0]![i]!) < 1e-4, `entry ${i}: ${v} vs ${results[0]![i]}`));
  }
  // Direct product with the materialised matrix.
  const expected = Array.from({ length: 3 * 40 }, (_, idx) => {
    const [b, j] = [Math.floor(idx / 40), idx % 40];
    let s = 0;
    for (let p = 0; p < 50; p++) s += g[b * 50 + p]! * whole[p * 40 + j]!;
    return s;
  });
  results[0]!.forEach((v, i) => assert.ok(Math.abs(v - expected[i]!) < 1e-4));
});

test('a projection frees its cached blocks and rejects the wrong width', () => {
  const before = tf.memory().numTensors;
  const projection = new RandomProjection({ inputDim: 20, sketchDim: 8, seed: 1 }, { blockRows: 6 });
  tf.dispose(tf.tidy(() => projection.project(tf.zeros([2, 20]))));
  const wrong = tf.zeros([2, 19]) as tf.Tensor2D;
  assert.throws(() => projection.project(wrong), /shape \[B, 20\]/);
  wrong.dispose();
  projection.dispose();
  assert.equal(tf.memory().numTensors, before, 'tensors leaked');
  assert.throws(() => new RandomProjection({ inputDim: 0, sketchDim: 8, seed: 1 }), /inputDim/);
});
