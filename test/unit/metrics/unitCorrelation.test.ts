import { test } from 'node:test';
import assert from 'node:assert/strict';
import { averageUnitCorrelation, compareSaliencyMaps, unitCorrelation } from '../../../src/engine/metrics';
import { expectClose } from './testUtils';

test('unit correlation matrix on hand-made maps', () => {
  const a = [1, 2, 3, 4];
  const result = unitCorrelation([a, a.map((v) => 2 * v + 1), a.map((v) => -v), [2, 1, 4, 3]]);
  const r = (i: number, j: number): number => result.matrix[i * 4 + j]!;
  expectClose([r(0, 0), r(0, 1), r(0, 2), r(1, 2), r(0, 3), r(3, 2)], [1, 1, -1, -1, 0.6, -0.6], 1e-12, 0);
  // Off-diagonal pairs: (0,1)=1, (0,2)=-1, (0,3)=.6, (1,2)=-1, (1,3)=.6, (2,3)=-.6, each counted twice.
  expectClose(result.offDiagonalMean, (1 - 1 + 0.6 - 1 + 0.6 - 0.6) / 6, 1e-12, 0);
});

test('a unit with a constant map has undefined correlations that averages skip and count', () => {
  const result = unitCorrelation([
    [1, 2, 3],
    [0, 0, 0],
    [3, 2, 1],
  ]);
  assert.ok(Number.isNaN(result.matrix[1]!));
  assert.equal(result.counts[1], 0);
  expectClose(result.offDiagonalMean, -1, 1e-12, 0);
});

test('per-example averaging and pooling differ as defined', () => {
  const examples = [
    [
      [1, 2, 3],
      [1, 2, 3],
    ],
    [
      [1, 2, 3],
      [3, 2, 1],
    ],
    [
      [5, 5, 5],
      [1, 2, 3],
    ],
  ];
  const perExample = averageUnitCorrelation(examples);
  // r01 = 1, -1, undefined: mean over the two defined ones.
  expectClose(perExample.matrix[1]!, 0, 1e-12, 0);
  assert.equal(perExample.counts[1], 2);
  const pooled = averageUnitCorrelation(examples, 'pooled');
  // Pooled vectors (1,2,3,1,2,3,5,5,5) and (1,2,3,3,2,1,1,2,3), computed by hand: cov = -4/3... use the definition.
  const x = [1, 2, 3, 1, 2, 3, 5, 5, 5];
  const y = [1, 2, 3, 3, 2, 1, 1, 2, 3];
  const mx = x.reduce((s, v) => s + v, 0) / 9;
  const my = y.reduce((s, v) => s + v, 0) / 9;
  const cov = x.reduce((s, v, i) => s + (v - mx) * (y[i]! - my), 0);
  const vx = x.reduce((s, v) => s + (v - mx) ** 2, 0);
  const vy = y.reduce((s, v) => s + (v - my) ** 2, 0);
  expectClose(pooled.matrix[1]!, cov / Math.sqrt(vx * vy), 1e-12, 0);
  assert.throws(() => averageUnitCorrelation(examples, 'other' as 'pooled'), /mode must be/);
});

test('representation comparison: per-example mean +- std and pooled correlation', () => {
  const result = compareSaliencyMaps(
    [
      [1, 2, 3],
      [1, 2, 3],
      [4, 4, 4],
    ],
    [
      [2, 4, 6],
      [3, 2, 1],
      [1, 2, 3],
    ],
  );
  assert.deepEqual(result.perExample.slice(0, 2), [1, -1]);
  assert.ok(Number.isNaN(result.perExample[2]!));
  assert.equal(result.undefinedCount, 1);
  expectClose([result.mean, result.std], [0, 1], 1e-12, 0);
  assert.throws(() => compareSaliencyMaps([[1, 2]], []), /mapsA has 1 maps but mapsB has 0/);
  assert.throws(() => compareSaliencyMaps([[1, 2]], [[1, 2, 3]]), /mapsA\[0\] has 2 values but mapsB\[0\] has 3/);
});
