import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_EXACT_FEATURES, meanAndStandardError, samplePermutations, shapleyFromCoalitionValues, shapleyWeights } from '../../../src/engine/semantic/shapleyMath';
import { expectClose, seededValues } from '../metrics/testUtils';
import { bruteForceShapley, factorial } from './semanticTestUtils';

test('Shapley weights equal s!(d-s-1)!/d! and the weights of the subsets of the others sum to 1', () => {
  for (const d of [1, 2, 5, MAX_EXACT_FEATURES]) {
    const w = shapleyWeights(d);
    let total = 0;
    for (let s = 0; s < d; s++) {
      expectClose(w[s]!, (factorial(s) * factorial(d - s - 1)) / factorial(d), 0, 1e-12);
      total += w[s]! * (factorial(d - 1) / (factorial(s) * factorial(d - 1 - s)));
    }
    expectClose(total, 1, 1e-12, 0);
  }
  assert.throws(() => shapleyWeights(0), /features must be an integer/);
});

test('Shapley values from all coalition values match the definition on a random game, with strides and offsets', () => {
  const d = 7;
  const table = seededValues(2 ** d, 11, -2, 2);
  const expected = bruteForceShapley((has) => {
    let bits = 0;
    for (let j = 0; j < d; j++) if (has(j)) bits |= 1 << j;
    return table[bits]!;
  }, d);
  expectClose(shapleyFromCoalitionValues(table, d), expected, 1e-12, 1e-9);
  // The same table interleaved with a second game, read at stride 2, offset 1.
  const interleaved = new Float64Array(2 * 2 ** d);
  table.forEach((v, s) => {
    interleaved[2 * s] = 99;
    interleaved[2 * s + 1] = v;
  });
  expectClose(shapleyFromCoalitionValues(interleaved, d, 2, 1), expected, 1e-12, 1e-9);
  const phi = shapleyFromCoalitionValues(table, d);
  expectClose(phi.reduce((a, b) => a + b, 0), table[2 ** d - 1]! - table[0]!, 1e-12, 1e-9);
  assert.throws(() => shapleyFromCoalitionValues(table.subarray(1), d), /values must hold all 2\^7 coalition values/);
});

test('sampled permutations are permutations, reproducible under a seed, and antithetic rows are reversed', () => {
  const d = 9;
  const a = samplePermutations(d, 40, true, 5);
  const b = samplePermutations(d, 40, true, 5);
  const c = samplePermutations(d, 40, true, 6);
  assert.deepEqual(a, b);
  assert.notDeepEqual(a, c);
  for (let s = 0; s < 40; s++) {
    const row = Array.from(a.subarray(s * d, (s + 1) * d));
    assert.deepEqual([...row].sort((x, y) => x - y), Array.from({ length: d }, (_, j) => j));
    if (s % 2 === 1) assert.deepEqual(row, Array.from(a.subarray((s - 1) * d, s * d)).reverse());
  }
  // Plain sampling: position of feature 0 is roughly uniform over 2000 draws.
  const plain = samplePermutations(d, 2000, false, 1);
  const counts = new Array<number>(d).fill(0);
  for (let s = 0; s < 2000; s++) counts[plain.subarray(s * d, (s + 1) * d).indexOf(0)]++;
  for (const count of counts) assert.ok(Math.abs(count - 2000 / d) < 5 * Math.sqrt(2000 / d), `counts ${counts.join(', ')}`);
  assert.throws(() => samplePermutations(d, 3, true, 0), /samples must be even when antithetic/);
});

test('column means and standard errors match the textbook formula; one row gives NaN errors', () => {
  const { mean, standardError } = meanAndStandardError([1, 10, 2, 20, 6, 60], 3, 2);
  expectClose(mean, [3, 30], 1e-12, 0);
  const sd = Math.sqrt(((1 - 3) ** 2 + (2 - 3) ** 2 + (6 - 3) ** 2) / 2);
  expectClose(standardError, [sd / Math.sqrt(3), (10 * sd) / Math.sqrt(3)], 1e-12, 1e-12);
  assert.ok(meanAndStandardError([1, 2], 1, 2).standardError.every(Number.isNaN));
});
