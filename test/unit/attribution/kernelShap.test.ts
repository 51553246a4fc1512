import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { kernelShap, kernelShapCoalitions, shapleyKernel } from '../../../src/engine/attribution/kernelShap';
import type { ScalarFunction } from '../../../src/engine/attribution/types';
import { expectClose, expectNoLeak, seededValues } from '../metrics/testUtils';
import { useCpu, valuesOf } from './attributionTestUtils';

before(useCpu);

/** A game with interactions of order 2 and 3 and a non-polynomial term, over group sums s_g. */
interface Game {
  js: (values: ArrayLike<number>) => number;
  tf: ScalarFunction;
}

function interactionGame(d: number, groupOf: (i: number) => number, groups: number, seed: number): Game {
  const a = seededValues(d, seed, -1, 1);
  const pairs = seededValues(groups * groups, seed + 1, -1.5, 1.5);
  const sums = (v: ArrayLike<number>) => {
    const s = new Array<number>(groups).fill(0);
    for (let i = 0; i < d; i++) s[groupOf(i)] += v[i]!;
    return s;
  };
  const js = (v: ArrayLike<number>) => {
    const s = sums(v);
    let out = 0;
    for (let i = 0; i < d; i++) out += a[i]! * v[i]!;
    for (let g = 0; g + 1 < groups; g++) out += pairs[g * groups + g + 1]! * s[g]! * s[g + 1]!;
    out += -2 * s[0]! * s[1]! * s[groups - 1]! + Math.sin(s[0]! + s[groups - 2]!);
    return out;
  };
  const membership = new Float32Array(d * groups);
  for (let i = 0; i < d; i++) membership[i * groups + groupOf(i)] = 1;
  const tfFn: ScalarFunction = (x) =>
    tf.tidy(() => {
      const flat = tf.reshape(x, [x.shape[0]!, d]);
      const s = tf.matMul(flat, tf.tensor2d(membership, [d, groups]));
      const col = (g: number) => tf.reshape(tf.slice(s, [0, g], [-1, 1]), [-1]);
      let out = tf.sum(tf.mul(flat, tf.tensor1d(a)), 1);
      for (let g = 0; g + 1 < groups; g++) out = tf.add(out, tf.mul(pairs[g * groups + g + 1]!, tf.mul(col(g), col(g + 1))));
      out = tf.add(out, tf.mul(-2, tf.mul(tf.mul(col(0), col(1)), col(groups - 1))));
      return tf.add(out, tf.sin(tf.add(col(0), col(groups - 2)))) as tf.Tensor1D;
    });
  return { js, tf: tfFn };
}

/** Shapley values by enumerating every coalition: phi_i = sum_S |S|!(M-|S|-1)!/M! (v(S + i) - v(S)). */
function exactShapley(game: Game, x: Float32Array, baseline: Float32Array, groupOf: (i: number) => number, groups: number): Float64Array {
  const value = (bits: number) => game.js(Array.from(x, (v, i) => ((bits >> groupOf(i)) & 1 ? v : baseline[i]!)));
  const factorial = (n: number): number => (n <= 1 ? 1 : n * factorial(n - 1));
  const phi = new Float64Array(groups);
  for (let bits = 0; bits < 1 << groups; bits++) {
    let size = 0;
    for (let g = 0; g < groups; g++) size += (bits >> g) & 1;
    for (let g = 0; g < groups; g++) {
      if ((bits >> g) & 1) continue;
      phi[g] += ((factorial(size) * factorial(groups - size - 1)) / factorial(groups)) * (value(bits | (1 << g)) - value(bits));
    }
  }
  return phi;
}

test('the Shapley kernel has its closed form and enumeration covers all proper coalitions', () => {
  expectClose(shapleyKernel(4, 1), 3 / (4 * 1 * 3), 1e-15, 0);
  expectClose(shapleyKernel(4, 2), 3 / (6 * 2 * 2), 1e-15, 0);
  const all = kernelShapCoalitions(5, 100, 0);
  assert.equal(all.count, 30);
  const sampled = kernelShapCoalitions(12, 100, 0);
  assert.ok(sampled.count <= 100);
  assert.equal(sampled.weights.reduce((a, b) => a + b, 0), 100);
});

for (const { groups, perGroup } of [
  { groups: 4, perGroup: 1 },
  { groups: 5, perGroup: 2 },
  { groups: 6, perGroup: 3 },
]) {
  test(`KernelSHAP with all coalitions equals exact Shapley values (M = ${groups}, ${perGroup} feature(s) per group)`, async () => {
    const d = groups * perGroup;
    const groupOf = (i: number) => Math.floor(i / perGroup);
    const game = interactionGame(d, groupOf, groups, 50 + groups);
    const xValues = seededValues(d, 60 + groups, -1, 1);
    const bValues = seededValues(d, 70 + groups, -0.5, 0.5);
    const expected = exactShapley(game, xValues, bValues, groupOf, groups);
    await expectNoLeak(async () => {
      const x = tf.tensor(xValues, [1, d]);
      const baseline = tf.tensor(bValues, [1, d]);
      const mask = Int32Array.from({ length: d }, (_, i) => groupOf(i));
      const result = await kernelShap(game.tf, x, { featureMask: mask, baseline, samples: 2 ** groups, batchSize: 16 });
      expectClose(result.featureValues, expected, 2e-5, 1e-4);
      expectClose(await valuesOf(result.attributions), Array.from(mask, (g) => result.featureValues[g]!), 1e-6, 1e-6);
      const delta = game.js(xValues) - game.js(bValues);
      expectClose(result.completeness!.expected, delta, 1e-5, 1e-5);
      expectClose(result.completeness!.sum, result.completeness!.expected, 1e-9, 1e-9);
      tf.dispose([x, baseline, result.attributions]);
    });
  });
}

test('sampled KernelSHAP (M = 10, 600 coalitions) is within 2% of exact Shapley values and efficient exactly', async () => {
  const groups = 10;
  const groupOf = (i: number) => i;
  const game = interactionGame(groups, groupOf, groups, 80);
  const xValues = seededValues(groups, 81, -1, 1);
  const bValues = new Float32Array(groups);
  const expected = exactShapley(game, xValues, bValues, groupOf, groups);
  const scale = expected.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  await expectNoLeak(async () => {
    const x = tf.tensor(xValues, [1, groups]);
    for (const seed of [1, 2]) {
      const result = await kernelShap(game.tf, x, { featureMask: Int32Array.from({ length: groups }, (_, i) => i), samples: 600, seed, batchSize: 128 });
      const error = result.featureValues.reduce((m, v, i) => Math.max(m, Math.abs(v - expected[i]!)), 0);
      assert.ok(error < 0.02 * scale, `seed ${seed}: max error ${error} vs scale ${scale}`);
      const sum = result.featureValues.reduce((a, b) => a + b, 0);
      expectClose(sum, game.js(xValues) - game.js(bValues), 1e-5, 1e-5);
      result.attributions.dispose();
    }
    x.dispose();
  });
});

test('sampled KernelSHAP is reproducible under a seed and differs across seeds', async () => {
  const groups = 12;
  const game = interactionGame(groups, (i) => i, groups, 90);
  await expectNoLeak(async () => {
    const x = tf.tensor(seededValues(groups, 91, -1, 1), [1, groups]);
    const mask = Int32Array.from({ length: groups }, (_, i) => i);
    const a = await kernelShap(game.tf, x, { featureMask: mask, samples: 200, seed: 3 });
    const b = await kernelShap(game.tf, x, { featureMask: mask, samples: 200, seed: 3, batchSize: 5 });
    const c = await kernelShap(game.tf, x, { featureMask: mask, samples: 200, seed: 4 });
    expectClose(a.featureValues, b.featureValues, 1e-9, 1e-9);
    assert.notDeepEqual(Array.from(a.featureValues), Array.from(c.featureValues));
    tf.dispose([x, a.attributions, b.attributions, c.attributions]);
  });
});

test('KernelSHAP with one feature group gives it the whole difference', async () => {
  const game = interactionGame(4, (i) => i, 4, 95);
  await expectNoLeak(async () => {
    const x = tf.tensor(seededValues(4, 96, -1, 1), [1, 4]);
    const result = await kernelShap(game.tf, x, { featureMask: [7, 7, 7, 7] });
    expectClose(result.featureValues, [game.js(await valuesOf(x)) - game.js([0, 0, 0, 0])], 1e-5, 1e-5);
    tf.dispose([x, result.attributions]);
  });
});

test('KernelSHAP with fewer coalitions than features still returns finite, efficient values', async () => {
  const groups = 12;
  const game = interactionGame(groups, (i) => i, groups, 97);
  await expectNoLeak(async () => {
    const xValues = seededValues(groups, 98, -1, 1);
    const x = tf.tensor(xValues, [1, groups]);
    const result = await kernelShap(game.tf, x, { featureMask: Int32Array.from({ length: groups }, (_, i) => i), samples: 4, seed: 1 });
    assert.ok(result.featureValues.every(Number.isFinite));
    expectClose(result.featureValues.reduce((a, b) => a + b, 0), game.js(xValues) - game.js(new Float32Array(groups)), 1e-5, 1e-5);
    tf.dispose([x, result.attributions]);
  });
});
