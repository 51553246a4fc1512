import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clusterForward, explainClusterMembership, neuraliseClusterMembership } from '../../../src/engine/neon/clusterMembership';
import type { Points } from '../../../src/engine/neon/points';
import { expectArraysClose } from '../influence/closeTo';
import { gaussianPoints, sum } from './data';

function squaredDistance(x: ArrayLike<number>, points: Points, k: number): number {
  let d = 0;
  for (let i = 0; i < points.dim; i++) d += (x[i]! - points.values[k * points.dim + i]!) ** 2;
  return d;
}

/** f_c(x) = min_{k≠c} d_k² − d_c², straight from the definition. */
function bruteForceMembership(centroids: Points, x: ArrayLike<number>, c: number): number {
  let min = Infinity;
  for (let k = 0; k < centroids.count; k++) if (k !== c) min = Math.min(min, squaredDistance(x, centroids, k));
  return min - squaredDistance(x, centroids, c);
}

const centroids = gaussianPoints(5, 7, 1, 3);

test('the neuralised network reproduces f_c = min_k≠c d_k² − d_c² for every cluster', () => {
  const queries = gaussianPoints(40, 7, 2, 4);
  for (let c = 0; c < centroids.count; c++) {
    const network = neuraliseClusterMembership(centroids, c);
    for (let n = 0; n < queries.count; n++) {
      const x = queries.values.subarray(n * 7, n * 7 + 7);
      const expected = bruteForceMembership(centroids, x, c);
      const { output } = clusterForward(network, x);
      // Float64 rounding of sums of squares of size ~100: agreement to 1e-12 of that scale.
      assert.ok(Math.abs(output - expected) <= 1e-12 * 100, `cluster ${c}, query ${n}: ${output} vs ${expected}`);
    }
  }
});

test('relevance is conserved exactly: Σ_i R_i = Σ_k R_k = f_c for small and large β', () => {
  const queries = gaussianPoints(10, 7, 3, 4);
  for (const beta of [1e-4, 0.05, 50]) {
    for (let n = 0; n < queries.count; n++) {
      const x = queries.values.subarray(n * 7, n * 7 + 7);
      for (const cluster of [0, 3]) {
        const result = explainClusterMembership(centroids, x, { cluster, beta });
        assert.ok(result.layerRelevance[cluster] === 0, 'the explained cluster is no competitor');
        const scale = Math.max(1, Math.abs(result.output));
        assert.ok(Math.abs(sum(result.layerRelevance) - result.output) <= 1e-12 * scale, `β ${beta}: Σ R_k ${sum(result.layerRelevance)} vs f_c ${result.output}`);
        assert.ok(Math.abs(sum(result.relevance) - result.output) <= 1e-12 * scale, `β ${beta}: Σ R_i ${sum(result.relevance)} vs f_c ${result.output}`);
      }
    }
  }
});

test('large β sends the relevance to the nearest competitor, small β spreads it evenly', () => {
  const x = gaussianPoints(1, 7, 4, 4).values;
  const cluster = 1;
  const { h } = clusterForward(neuraliseClusterMembership(centroids, cluster), x);
  let nearest = -1;
  for (let k = 0; k < 5; k++) if (k !== cluster && (nearest < 0 || h[k]! < h[nearest]!)) nearest = k;
  const hard = explainClusterMembership(centroids, x, { cluster, beta: 1e3 });
  assert.ok(Math.abs(hard.layerRelevance[nearest]! - hard.output) <= 1e-9 * Math.abs(hard.output));
  const flat = explainClusterMembership(centroids, x, { cluster, beta: 1e-9 });
  for (let k = 0; k < 5; k++) if (k !== cluster) assert.ok(Math.abs(flat.layerRelevance[k]! - flat.output / 4) <= 1e-6 * Math.abs(flat.output));
});

test('on the axis through two centroids all relevance lies on the coordinates where they differ, in proportion Δ_i²', () => {
  const mu0 = [1, 2, 0, -1, 3];
  const delta = [0, 3, 0, 4, 0]; // ‖Δ‖² = 25
  const two: Points = { values: Float64Array.from([...mu0, ...mu0.map((m, i) => m + delta[i]!)]), count: 2, dim: 5 };
  for (const t of [-0.5, 0.2, 0.5, 0.8, 1.3]) {
    const x = mu0.map((m, i) => m + t * delta[i]!);
    // d_1² − d_0² = ((1 − t)² − t²) ‖Δ‖² = (1 − 2t) 25.
    const f = (1 - 2 * t) * 25;
    const expected = [0, (9 / 25) * f, 0, (16 / 25) * f, 0];
    for (const beta of [1e-3, 10]) {
      const result = explainClusterMembership(two, x, { cluster: 0, beta });
      assert.ok(Math.abs(result.output - f) <= 1e-12 * 25, `t ${t}: f_0 ${result.output} vs ${f}`);
      expectArraysClose(result.relevance, expected, 0, 1e-12 * 25, `relevance at t = ${t}`);
    }
    // Moving off the axis along coordinates where the centroids agree changes nothing.
    const shifted = x.map((v, i) => v + [5, 0, -7, 0, 2][i]!);
    expectArraysClose(explainClusterMembership(two, shifted, { cluster: 0 }).relevance, expected, 0, 1e-12 * 25, `shifted relevance at t = ${t}`);
  }
});

test('the default cluster is the assigned one, whose evidence is positive', () => {
  const queries = gaussianPoints(10, 7, 5, 4);
  for (let n = 0; n < queries.count; n++) {
    const x = queries.values.subarray(n * 7, n * 7 + 7);
    const result = explainClusterMembership(centroids, x);
    assert.ok(result.output >= 0, `query ${n}: assigned cluster ${result.cluster} has negative evidence ${result.output}`);
    assert.ok(result.beta > 0);
  }
});

test('bad inputs are rejected with the argument named', () => {
  assert.throws(() => neuraliseClusterMembership(centroids, 5), /cluster must be an integer in \[0, 4\]/);
  assert.throws(() => neuraliseClusterMembership({ values: new Float64Array(3), count: 1, dim: 3 }, 0), /at least 2 clusters/);
  assert.throws(() => neuraliseClusterMembership({ values: Float64Array.from([1, 2, 1, 2]), count: 2, dim: 2 }, 0), /centroids 0 and 1 coincide/);
  assert.throws(() => explainClusterMembership(centroids, [1, 2]), /x has 2 values/);
  assert.throws(() => explainClusterMembership(centroids, new Float64Array(7), { beta: 0 }), /beta must be a finite positive number/);
  assert.throws(() => explainClusterMembership(centroids, new Float64Array(7).fill(Infinity)), /x holds a non-finite value/);
});
