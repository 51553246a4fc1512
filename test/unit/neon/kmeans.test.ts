import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRandom } from '../../../src/engine/attribution/random';
import { fitKMeans, nearestCentroid } from '../../../src/engine/neon/kmeans';
import type { Points } from '../../../src/engine/neon/points';
import { blobs } from './data';

function objectiveOf(data: Points, centroids: Points): number {
  let total = 0;
  for (let n = 0; n < data.count; n++) {
    let best = Infinity;
    for (let c = 0; c < centroids.count; c++) {
      let d = 0;
      for (let i = 0; i < data.dim; i++) d += (data.values[n * data.dim + i]! - centroids.values[c * data.dim + i]!) ** 2;
      best = Math.min(best, d);
    }
    total += best;
  }
  return total;
}

test('k-means++ recovers well-separated blobs: centroids near the true centres, one cluster per blob', () => {
  const centres = [
    [10, 10, 0],
    [-10, 10, 0],
    [10, -10, 0],
    [-10, -10, 5],
  ];
  const { points, labels } = blobs(centres, 60, 0.5, 11);
  const model = fitKMeans(points, { k: 4, nInit: 3, seed: 5 });
  const blobToCluster = new Map<number, number>();
  for (let n = 0; n < points.count; n++) {
    const seen = blobToCluster.get(labels[n]!);
    if (seen === undefined) blobToCluster.set(labels[n]!, model.assignments[n]!);
    else assert.equal(model.assignments[n], seen, `point ${n} of blob ${labels[n]} left its cluster`);
  }
  assert.equal(new Set(blobToCluster.values()).size, 4, 'two blobs share a cluster');
  for (const [blob, cluster] of blobToCluster) {
    for (let i = 0; i < 3; i++) {
      // The mean of 60 points with sigma 0.5 is within 0.5 of the centre with overwhelming probability.
      assert.ok(Math.abs(model.centroids.values[cluster * 3 + i]! - centres[blob]![i]!) < 0.5, `centroid of blob ${blob}, coordinate ${i}`);
    }
  }
  for (let n = 0; n < points.count; n++) assert.equal(nearestCentroid(model.centroids, points.values.subarray(n * 3, n * 3 + 3)), model.assignments[n]);
  assert.ok(Math.abs(model.objective - objectiveOf(points, model.centroids)) <= 1e-9 * model.objective, 'objective disagrees with the centroids');
});

test('nInit keeps the restart with the lowest objective, and restart 0 is the single run', () => {
  // Twelve random blobs for ten clusters: restarts land in different local minima.
  const random = createRandom(3);
  const centres = Array.from({ length: 12 }, () => [20 * random.next(), 20 * random.next()]);
  const { points } = blobs(centres, 15, 1, 4);
  let sawDifferentRestarts = false;
  for (const seed of [1, 2, 3]) {
    const many = fitKMeans(points, { k: 10, nInit: 8, seed });
    const single = fitKMeans(points, { k: 10, nInit: 1, seed });
    assert.equal(many.restartObjectives.length, 8);
    assert.equal(many.objective, Math.min(...many.restartObjectives));
    assert.equal(many.restartObjectives[0], single.objective);
    assert.ok(many.objective <= single.objective);
    assert.ok(Math.abs(many.objective - objectiveOf(points, many.centroids)) <= 1e-9 * many.objective, 'kept centroids do not give the kept objective');
    // The kept restart must be strictly better than the first and the last, or keeping either would pass.
    if (many.objective < many.restartObjectives[0]! && many.objective < many.restartObjectives[7]!) sawDifferentRestarts = true;
  }
  assert.ok(sawDifferentRestarts, 'the best restart was always the first or the last; the test cannot tell the best from them');
});

test('the same seed gives the same clustering', () => {
  const { points } = blobs([[0, 0], [5, 5], [0, 5]], 20, 1, 9);
  const a = fitKMeans(points, { k: 3, seed: 42 });
  const b = fitKMeans(points, { k: 3, seed: 42 });
  assert.deepEqual(Array.from(a.centroids.values), Array.from(b.centroids.values));
  assert.deepEqual(a.restartObjectives, b.restartObjectives);
});

test('k equal to the number of distinct points still yields k centroids', () => {
  const points = { values: Float64Array.from([0, 0, 0, 1, 1, 1]), count: 6, dim: 1 };
  const model = fitKMeans(points, { k: 2, nInit: 2 });
  assert.equal(model.objective, 0);
  assert.deepEqual(Array.from(model.centroids.values).sort(), [0, 1]);
});

test('bad inputs are rejected with the argument named', () => {
  const points = { values: new Float64Array(6), count: 3, dim: 2 };
  assert.throws(() => fitKMeans(points, { k: 4 }), /k must be an integer in \[1, 3\]/);
  assert.throws(() => fitKMeans(points, { k: 2, nInit: 0 }), /nInit must be a positive integer/);
  assert.throws(() => fitKMeans(points, { k: 2, seed: 0.5 }), /seed must be an integer/);
  assert.throws(() => fitKMeans({ values: new Float64Array(5), count: 3, dim: 2 }, { k: 2 }), /data.values has 5 numbers/);
  assert.throws(() => fitKMeans({ values: Float64Array.from([0, NaN]), count: 1, dim: 2 }, { k: 1 }), /data.values holds a non-finite value/);
});
