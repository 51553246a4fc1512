import { test } from 'node:test';
import assert from 'node:assert/strict';
import { curvatureSample, largestEigenvalue } from '../../../src/engine/influence/curvatureSample';

test('a curvature sample is seeded, distinct, sorted, and everything when the set is small', () => {
  const a = curvatureSample(1000, 50);
  assert.deepEqual(a, curvatureSample(1000, 50));
  assert.equal(new Set(a).size, 50);
  assert.deepEqual(a, [...a].sort((x, y) => x - y));
  assert.ok(a.every((i) => i >= 0 && i < 1000));
  assert.notDeepEqual(a, curvatureSample(1000, 50, 99));
  assert.deepEqual(curvatureSample(3, 10), [0, 1, 2]);
  assert.throws(() => curvatureSample(0, 3), /count must be a positive integer/);
});

test('power iteration finds the largest |eigenvalue| of a known symmetric matrix', () => {
  // H = Q diag(5, -9, 1, 0.5) Qᵀ with Q a rotation in the first two coordinates.
  const c = Math.cos(0.7);
  const s = Math.sin(0.7);
  const eig = [5, -9, 1, 0.5];
  const q = [
    [c, -s, 0, 0],
    [s, c, 0, 0],
    [0, 0, 1, 0],
    [0, 0, 0, 1],
  ];
  const h = q.map((_, i) => q.map((_, j) => eig.reduce((sum, e, k) => sum + q[i]![k]! * e * q[j]![k]!, 0)));
  const hvp = (v: Float32Array): Float32Array => Float32Array.from(h, (row) => row.reduce((sum, x, j) => sum + x * v[j]!, 0));
  assert.ok(Math.abs(largestEigenvalue(hvp, 4, 60) - 9) < 1e-3);
  assert.equal(largestEigenvalue(() => new Float32Array(4), 4), 0);
});
