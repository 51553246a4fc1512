import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { globalSemanticShapley, semanticCoalitionValues, semanticShapley } from '../../../src/engine/semantic/semanticShapley';
import type { ScoreFunction, SemanticRepresentation } from '../../../src/engine/semantic/types';
import { useCpu } from '../attribution/attributionTestUtils';
import { expectClose, expectNoLeak, seededValues } from '../metrics/testUtils';
import { bruteForceShapley, identityRepresentation, jsSemanticValue, maxAbs, nonlinearGame, rows, sum } from './semanticTestUtils';

before(useCpu);

function linearScore(weights: number[]): ScoreFunction {
  return (x) => tf.tidy(() => tf.sum(tf.mul(tf.reshape(x, [x.shape[0]!, -1]), tf.tensor1d(weights)), 1) as tf.Tensor1D);
}

test('identity representation, linear f: phi_j = w_j (z_j(x) - mean background z_j) exactly; equal weights give equal values, zero weight gives zero', async () => {
  const w = [0.7, 0.7, 0, -1.3, 2];
  const x = [0.5, 0.5, 3, -1, 0.25];
  const bg = [
    [0.1, 0.1, -2, 0.5, 1],
    [-0.4, -0.4, 5, 0.2, -1],
    [0.3, 0.3, 1, -0.6, 0.5],
  ];
  await expectNoLeak(async () => {
    const input = tf.tensor2d([x]);
    const background = tf.tensor2d(bg);
    const result = await semanticShapley(identityRepresentation, linearScore(w), input, background, { batchSize: 7 });
    const expected = w.map((wj, j) => wj * (x[j]! - (bg[0]![j]! + bg[1]![j]! + bg[2]![j]!) / 3));
    expectClose(result.values, expected, 1e-6, 1e-5);
    assert.equal(result.values[0], result.values[1], 'symmetric features get equal values');
    assert.equal(result.values[2], 0, 'the dummy feature gets exactly 0');
    assert.equal(result.method, 'exact');
    assert.equal(result.evaluations, 2 ** 5 * 3);
    assert.deepEqual(result.featureIds, [0, 1, 2, 3, 4]);
    // Linear game: every background's Shapley values agree in features 0, 1, 2 but feature 3's vary.
    assert.equal(result.standardErrors[2], 0);
    assert.ok(result.standardErrors[3]! > 0);
    tf.dispose([input, background]);
  });
});

test('symmetry and dummy in a nonlinear game: interchangeable latents get equal values, an unused latent gets 0, and values are efficient', async () => {
  // f = tanh(z0 + z1) * z3 + z3^2, z2 unused; x and every background have z0 = z1.
  const score: ScoreFunction = (x) =>
    tf.tidy(() => {
      const col = (i: number) => tf.reshape(tf.slice(x, [0, i], [-1, 1]), [-1]);
      return tf.add(tf.mul(tf.tanh(tf.add(col(0), col(1))), col(3)), tf.square(col(3))) as tf.Tensor1D;
    });
  await expectNoLeak(async () => {
    const input = tf.tensor2d([[0.8, 0.8, -3, 1.5]]);
    const background = tf.tensor2d([
      [-0.2, -0.2, 1, 0.3],
      [0.5, 0.5, 2, -1],
    ]);
    const result = await semanticShapley(identityRepresentation, score, input, background);
    expectClose(result.values[0]!, result.values[1]!, 1e-7, 1e-6);
    assert.ok(Math.abs(result.values[0]!) > 0.05);
    assert.equal(result.values[2], 0);
    expectClose(sum(result.values), result.fullValue - result.emptyValue, 1e-9, 1e-9);
    const tanh = Math.tanh;
    expectClose(result.fullValue, tanh(1.6) * 1.5 + 2.25, 1e-6, 1e-6);
    expectClose(result.emptyValue, (tanh(-0.4) * 0.3 + 0.09 + tanh(1) * -1 + 1) / 2, 1e-6, 1e-6);
    tf.dispose([input, background]);
  });
});

/** A nonlinear encoder/decoder pair (not inverse to each other) with latents grouped into 5 features of non-contiguous ids. */
function mixingRepresentation(): { representation: SemanticRepresentation; encodeJs: (x: ArrayLike<number>) => Float64Array; decodeJs: (z: Float64Array) => Float64Array; featureOf: number[] } {
  const a = seededValues(8 * 6, 21, -0.6, 0.6);
  const b = seededValues(6 * 8, 22, -0.6, 0.6);
  const ids = [3, 3, 7, 1, 0, 0, 9, 1];
  const encodeJs = (x: ArrayLike<number>) => Float64Array.from({ length: 8 }, (_, r) => Math.tanh(Array.from({ length: 6 }, (_, c) => a[r * 6 + c]! * x[c]!).reduce((s, v) => s + v, 0)));
  const decodeJs = (z: Float64Array) => Float64Array.from({ length: 6 }, (_, r) => Array.from({ length: 8 }, (_, c) => b[r * 8 + c]! * z[c]!).reduce((s, v) => s + v, 0) + Math.sin(z[r]!));
  const representation: SemanticRepresentation = {
    encode: (x) => tf.tidy(() => tf.tanh(tf.matMul(x as tf.Tensor2D, tf.tensor2d(a, [8, 6]), false, true))),
    decode: (z) => tf.tidy(() => tf.add(tf.matMul(z as tf.Tensor2D, tf.tensor2d(b, [6, 8]), false, true), tf.sin(tf.slice(z, [0, 0], [-1, 6])))),
    features: ids,
    featureNames: ['f0', 'f1', 'f3', 'f7', 'f9'],
  };
  const contiguous = new Map([0, 1, 3, 7, 9].map((id, k) => [id, k]));
  return { representation, encodeJs, decodeJs, featureOf: ids.map((id) => contiguous.get(id)!) };
}

test('batched exact values equal the brute-force definition for a nonlinear encoder, decoder and model with grouped latents', async () => {
  const { representation, encodeJs, decodeJs, featureOf } = mixingRepresentation();
  const game = nonlinearGame(6, 30);
  const xValues = seededValues(6, 31, -1.5, 1.5);
  const bValues = seededValues(4 * 6, 32, -1.5, 1.5);
  const value = jsSemanticValue(encodeJs(xValues), rows(bValues, 6).map(encodeJs), featureOf, decodeJs, game.js);
  const expected = bruteForceShapley(value, 5);
  await expectNoLeak(async () => {
    const input = tf.tensor2d(xValues, [1, 6]);
    const background = tf.tensor2d(bValues, [4, 6]);
    for (const batchSize of [1, 5, 13, 1000]) {
      const result = await semanticShapley(representation, game.tf, input, background, { batchSize });
      expectClose(result.values, expected, 5e-5, 1e-4);
      expectClose(sum(result.values), result.fullValue - result.emptyValue, 1e-9, 1e-9);
      expectClose(result.fullValue, value(() => true), 5e-5, 1e-4);
      expectClose(result.emptyValue, value(() => false), 5e-5, 1e-4);
      assert.deepEqual(result.featureIds, [0, 1, 3, 7, 9]);
      assert.deepEqual(result.featureNames, ['f0', 'f1', 'f3', 'f7', 'f9']);
    }
    // The value function itself, for a few coalitions.
    const present = Uint8Array.from([0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 0, 1, 0, 0, 0, 1, 1, 0, 1]);
    const values = await semanticCoalitionValues(representation, game.tf, input, background, { present, count: 4, features: 5 }, { batchSize: 3 });
    expectClose(values, [0, 1, 2, 3].map((k) => value((j) => present[k * 5 + j] === 1)), 5e-5, 1e-4);
    tf.dispose([input, background]);
  });
});

for (const d of [6, 7, 8]) {
  test(`permutation sampling agrees with exact values within 3 standard errors (d = ${d}), and is efficient exactly`, async () => {
    const game = nonlinearGame(d, 40 + d);
    await expectNoLeak(async () => {
      const input = tf.tensor2d(seededValues(d, 50 + d, -1.5, 1.5), [1, d]);
      const background = tf.tensor2d(seededValues(4 * d, 60 + d, -1.5, 1.5), [4, d]);
      const exact = await semanticShapley(identityRepresentation, game.tf, input, background, { method: 'exact' });
      const scale = maxAbs(exact.values);
      for (const antithetic of [true, false]) {
        const sampled = await semanticShapley(identityRepresentation, game.tf, input, background, { method: 'permutation', samples: 400, antithetic, seed: d, batchSize: 256 });
        assert.equal(sampled.method, 'permutation');
        assert.equal(sampled.evaluations, 4 + 1 + 400 * (d - 1));
        for (let j = 0; j < d; j++) {
          const se = sampled.standardErrors[j]!;
          assert.ok(se > 0 && se < 0.25 * scale, `feature ${j}: standard error ${se} vs scale ${scale}`);
          const error = Math.abs(sampled.values[j]! - exact.values[j]!);
          assert.ok(error <= 3 * se, `antithetic ${antithetic}, feature ${j}: |${sampled.values[j]} - ${exact.values[j]}| = ${error} > 3 x ${se}`);
        }
        expectClose(sum(sampled.values), sampled.fullValue - sampled.emptyValue, 1e-9, 1e-9);
        // Units cycle evenly through the 4 backgrounds, so v(empty) is the full background mean.
        expectClose(sampled.emptyValue, exact.emptyValue, 1e-9, 1e-9);
        expectClose(sampled.fullValue, exact.fullValue, 1e-9, 1e-9);
      }
      tf.dispose([input, background]);
    });
  });
}

test('permutation standard errors are calibrated: over seeds and features, (sampled - exact) / SE has an RMS near 1', async () => {
  const z: number[] = [];
  await expectNoLeak(async () => {
    for (const d of [6, 8]) {
      const game = nonlinearGame(d, 40 + d);
      const input = tf.tensor2d(seededValues(d, 50 + d, -1.5, 1.5), [1, d]);
      const background = tf.tensor2d(seededValues(4 * d, 60 + d, -1.5, 1.5), [4, d]);
      const exact = await semanticShapley(identityRepresentation, game.tf, input, background, { method: 'exact' });
      for (const antithetic of [true, false]) {
        for (const seed of [101, 102, 103, 104]) {
          const sampled = await semanticShapley(identityRepresentation, game.tf, input, background, { method: 'permutation', samples: 200, antithetic, seed, batchSize: 256 });
          for (let j = 0; j < d; j++) z.push((sampled.values[j]! - exact.values[j]!) / sampled.standardErrors[j]!);
        }
      }
      tf.dispose([input, background]);
    }
  });
  const rms = Math.sqrt(z.reduce((a, b) => a + b * b, 0) / z.length);
  // 112 z-scores: an RMS of 1 +- 0.07 if calibrated; far below 1 means inflated errors, far above means understated ones.
  assert.ok(rms > 0.7 && rms < 1.4, `RMS of ${z.length} z-scores is ${rms}`);
  assert.ok(Math.max(...z.map(Math.abs)) < 4.5, `largest |z| ${Math.max(...z.map(Math.abs))}`);
});

test('auto picks exact up to 12 features and permutation sampling above; sampling is reproducible under a seed', async () => {
  await expectNoLeak(async () => {
    const game13 = nonlinearGame(13, 70);
    const input = tf.tensor2d(seededValues(13, 71), [1, 13]);
    const background = tf.tensor2d(seededValues(2 * 13, 72), [2, 13]);
    const a = await semanticShapley(identityRepresentation, game13.tf, input, background, { samples: 20, seed: 3 });
    const b = await semanticShapley(identityRepresentation, game13.tf, input, background, { samples: 20, seed: 3, batchSize: 7 });
    const c = await semanticShapley(identityRepresentation, game13.tf, input, background, { samples: 20, seed: 4 });
    assert.equal(a.method, 'permutation');
    expectClose(a.values, b.values, 1e-12, 0);
    assert.notDeepEqual(Array.from(a.values), Array.from(c.values));
    await assert.rejects(semanticShapley(identityRepresentation, game13.tf, input, background, { method: 'exact' }), /method 'exact' supports up to 12 features, the representation has 13/);
    const grouped: SemanticRepresentation = { ...identityRepresentation, features: [0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6] };
    const exact = await semanticShapley(grouped, game13.tf, input, background);
    assert.equal(exact.method, 'exact');
    assert.equal(exact.values.length, 7);
    tf.dispose([input, background]);
  });
});

test('global values are the mean and mean absolute local values, with standard errors over examples; the sum rule holds', async () => {
  const d = 4;
  const game = nonlinearGame(d, 80);
  await expectNoLeak(async () => {
    const inputs = tf.tensor2d(seededValues(5 * d, 81, -1, 1), [5, d]);
    const background = tf.tensor2d(seededValues(3 * d, 82, -1, 1), [3, d]);
    // Per-example score: f for even examples, -2 f for odd ones (a label-dependent target).
    const scoreOf = (x: tf.Tensor, example: number) => tf.tidy(() => tf.mul(game.tf(x), example % 2 === 0 ? 1 : -2) as tf.Tensor1D);
    const seen = new Set<number>();
    const global = await globalSemanticShapley(
      identityRepresentation,
      (x, example) => {
        seen.add(example);
        return scoreOf(x, example);
      },
      inputs,
      background,
      { batchSize: 10 },
    );
    assert.deepEqual([...seen].sort(), [0, 1, 2, 3, 4]);
    const locals: Float64Array[] = [];
    for (let i = 0; i < 5; i++) {
      const one = tf.slice(inputs, i, 1);
      const local = await semanticShapley(identityRepresentation, (x) => scoreOf(x, i), one, background);
      locals.push(local.values);
      expectClose(global.local.subarray(i * d, (i + 1) * d), local.values, 1e-9, 1e-9);
      one.dispose();
    }
    for (let j = 0; j < d; j++) {
      const column = locals.map((v) => v[j]!);
      const mean = sum(column) / 5;
      const absMean = sum(column.map(Math.abs)) / 5;
      const sd = Math.sqrt(column.reduce((s, v) => s + (v - mean) ** 2, 0) / 4);
      const absSd = Math.sqrt(column.reduce((s, v) => s + (Math.abs(v) - absMean) ** 2, 0) / 4);
      expectClose(global.mean[j]!, mean, 1e-9, 1e-9);
      expectClose(global.meanAbsolute[j]!, absMean, 1e-9, 1e-9);
      expectClose(global.meanStandardErrors[j]!, sd / Math.sqrt(5), 1e-9, 1e-9);
      expectClose(global.meanAbsoluteStandardErrors[j]!, absSd / Math.sqrt(5), 1e-9, 1e-9);
    }
    expectClose(sum(global.mean), global.fullValue - global.emptyValue, 1e-9, 1e-9);
    assert.equal(global.examples, 5);
    assert.equal(global.evaluations, 5 * 16 * 3);
    tf.dispose([inputs, background]);
  });
});

test('works with tfjs-layers models as encoder, decoder and score', async () => {
  const encoder = tfl.sequential({ layers: [tfl.layers.dense({ inputShape: [6], units: 3, activation: 'tanh', kernelInitializer: tfl.initializers.randomNormal({ seed: 1 }) })] });
  const decoder = tfl.sequential({ layers: [tfl.layers.dense({ inputShape: [3], units: 6, kernelInitializer: tfl.initializers.randomNormal({ seed: 2 }) })] });
  const classifier = tfl.sequential({ layers: [tfl.layers.dense({ inputShape: [6], units: 4, activation: 'softmax', kernelInitializer: tfl.initializers.randomNormal({ seed: 3 }) })] });
  const representation: SemanticRepresentation = { encode: (x) => encoder.predict(x) as tf.Tensor, decode: (z) => decoder.predict(z) as tf.Tensor };
  const classY = 2;
  const score: ScoreFunction = (x) => tf.tidy(() => tf.reshape(tf.slice(classifier.predict(x) as tf.Tensor, [0, classY], [-1, 1]), [-1]) as tf.Tensor1D);
  await expectNoLeak(async () => {
    const input = tf.tensor2d(seededValues(6, 91, -1, 1), [1, 6]);
    const background = tf.tensor2d(seededValues(5 * 6, 92, -1, 1), [5, 6]);
    const result = await semanticShapley(representation, score, input, background, { batchSize: 8 });
    assert.equal(result.values.length, 3);
    expectClose(sum(result.values), result.fullValue - result.emptyValue, 1e-9, 1e-9);
    const full = tf.tidy(() => score(decoder.predict(encoder.predict(input) as tf.Tensor) as tf.Tensor));
    expectClose(result.fullValue, (await full.data())[0]!, 1e-6, 1e-5);
    tf.dispose([input, background, full]);
  });
  tf.dispose([encoder, decoder, classifier].flatMap((m) => m.getWeights()));
});

test('progress reaches 1 with messages, and an abort between batches rejects with AbortError and leaks nothing', async () => {
  const game = nonlinearGame(6, 100);
  await expectNoLeak(async () => {
    const input = tf.tensor2d(seededValues(6, 101), [1, 6]);
    const background = tf.tensor2d(seededValues(4 * 6, 102), [4, 6]);
    const reports: [number, string][] = [];
    await semanticShapley(identityRepresentation, game.tf, input, background, { batchSize: 64, onProgress: (f, m) => reports.push([f, m]) });
    assert.equal(reports.length, 4);
    assert.deepEqual(
      reports.map(([f]) => f),
      [0.25, 0.5, 0.75, 1],
    );
    assert.match(reports[0]![1], /exact semantic Shapley \(6 features, 64 coalitions x 4 background\): 64 of 256 hybrids scored/);
    const controller = new AbortController();
    let calls = 0;
    const counting: ScoreFunction = (x) => {
      calls++;
      return game.tf(x);
    };
    await assert.rejects(
      semanticShapley(identityRepresentation, counting, input, background, { batchSize: 16, signal: controller.signal, onProgress: () => controller.abort() }),
      (error: Error) => error.name === 'AbortError',
    );
    assert.equal(calls, 1, 'no batch runs after the abort');
    const aborted = new AbortController();
    aborted.abort();
    await assert.rejects(globalSemanticShapley(identityRepresentation, game.tf, input, background, { signal: aborted.signal }), (error: Error) => error.name === 'AbortError');
    tf.dispose([input, background]);
  });
});

test('invalid arguments are rejected with messages that name them, leaking nothing', async () => {
  const game = nonlinearGame(4, 110);
  await expectNoLeak(async () => {
    const input = tf.tensor2d([[1, 2, 3, 4]]);
    const two = tf.tensor2d([
      [1, 2, 3, 4],
      [1, 2, 3, 4],
    ]);
    const background = tf.tensor2d([[0, 0, 0]]);
    const ok = tf.tensor2d([[0, 0, 0, 0]]);
    const empty = tf.zeros([0, 4]);
    const cases: [Promise<unknown>, RegExp][] = [
      [semanticShapley(identityRepresentation, game.tf, two, ok), /input must hold one example/],
      [semanticShapley(identityRepresentation, game.tf, input, background), /background examples have shape \[3\] but input examples have shape \[4\]/],
      [semanticShapley(identityRepresentation, game.tf, input, ok, { batchSize: 0 }), /batchSize must be an integer/],
      [semanticShapley(identityRepresentation, game.tf, input, ok, { method: 'permutation', samples: 3 }), /samples must be even when antithetic/],
      [semanticShapley(identityRepresentation, game.tf, input, ok, { method: 'nope' as 'exact' }), /method must be/],
      [semanticShapley({ ...identityRepresentation, features: [0, 1] }, game.tf, input, ok), /representation.features has 2 entries/],
      [semanticShapley({ ...identityRepresentation, featureNames: ['a'] }, game.tf, input, ok), /representation.featureNames must hold one name per feature \(4\)/],
      [semanticShapley({ ...identityRepresentation, decode: (z) => tf.slice(z, 0, 1) }, game.tf, input, ok, { batchSize: 4 }), /representation.decode must keep the batch dimension 4/],
      [semanticShapley({ ...identityRepresentation, encode: (x) => tf.cast(x, 'int32') }, game.tf, input, ok), /representation.encode must return float32/],
      [semanticShapley(identityRepresentation, (x) => tf.sum(x) as unknown as tf.Tensor1D, input, ok), /score must map a batch of \d+ to shape/],
      [semanticShapley(identityRepresentation, (x) => tf.tidy(() => tf.div(game.tf(x), 0) as tf.Tensor1D), input, ok), /score returned (Infinity|-Infinity|NaN) for hybrid/],
      [semanticShapley(identityRepresentation, game.tf, input, empty), /background holds no example/],
      [semanticCoalitionValues(identityRepresentation, game.tf, input, ok, { present: new Uint8Array(3), count: 1, features: 3 }), /coalitions.present has 3 entries, expected count x features = 3|coalitions.features is 3/],
    ];
    for (const [promise, pattern] of cases) await assert.rejects(promise, pattern);
    tf.dispose([input, two, background, ok, empty]);
  });
});
