import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fitKde, kdeDensity } from '../../../src/engine/neon/kde';
import { explainOutlierness, outlierForward } from '../../../src/engine/neon/outlierness';
import { squaredDistances } from '../../../src/engine/neon/points';
import { expectArraysClose } from '../influence/closeTo';
import { gaussianPoints, sum } from './data';

const data = gaussianPoints(60, 4, 21);

test('the neuralised network reproduces o(x) = −(1/γ) log p̃(x) computed directly', () => {
  const queries = gaussianPoints(30, 4, 22, 2);
  for (const gamma of [0.1, 1, 3]) {
    const model = fitKde(data, gamma);
    for (let n = 0; n < queries.count; n++) {
      const x = queries.values.subarray(n * 4, n * 4 + 4);
      let direct = 0;
      for (let k = 0; k < data.count; k++) {
        let d = 0;
        for (let i = 0; i < 4; i++) d += (x[i]! - data.values[k * 4 + i]!) ** 2;
        direct += Math.exp(-gamma * d);
      }
      const expected = (-1 / gamma) * Math.log(direct / data.count);
      assert.ok(Number.isFinite(expected), 'the direct reference underflowed; pick nearer queries');
      const { output } = outlierForward(model, x);
      assert.ok(Math.abs(output - expected) <= 1e-12 * Math.max(1, Math.abs(expected)), `γ ${gamma}, query ${n}: ${output} vs ${expected}`);
      assert.ok(Math.abs(kdeDensity(model, x) - direct / data.count) <= 1e-15, 'kdeDensity disagrees with the direct sum');
    }
  }
});

test('far from the data, where p̃ underflows to 0, o(x) is still exact: one point gives o = ‖x − u‖²', () => {
  const model = fitKde({ values: Float64Array.from([1, -2]), count: 1, dim: 2 }, 1);
  const x = [61, 78]; // ‖x − u‖² = 3600 + 6400 = 10000, p̃ = e^−10000 = 0 in float64
  assert.equal(kdeDensity(model, x), 0);
  assert.equal(outlierForward(model, x).output, 10000);
  const result = explainOutlierness(model, x, { epsilon: 1e-6 });
  // R_i = Δ_i² / (ε + ‖Δ‖²) · ‖Δ‖².
  expectArraysClose(result.relevance, [(3600 / (1e-6 + 10000)) * 10000, (6400 / (1e-6 + 10000)) * 10000], 1e-14, 0, 'single-point relevance');
});

test('relevance is conserved up to the ε dissipation Σ_k R_k ε / (ε + h_k), for small and large β', () => {
  const model = fitKde(data, 0.5);
  const queries = gaussianPoints(8, 4, 23, 2);
  for (const beta of [1e-3, 0.5, 100]) {
    for (const epsilon of [1e-9, 0.1, 10]) {
      for (let n = 0; n < queries.count; n++) {
        const x = queries.values.subarray(n * 4, n * 4 + 4);
        const result = explainOutlierness(model, x, { beta, epsilon });
        const h = squaredDistances(data, x);
        let expectedLoss = 0;
        for (let k = 0; k < h.length; k++) expectedLoss += (result.layerRelevance[k]! * epsilon) / (epsilon + h[k]!);
        const scale = Math.max(1, result.output);
        assert.ok(Math.abs(sum(result.layerRelevance) - result.output) <= 1e-12 * scale, 'Σ R_k differs from o(x)');
        assert.ok(Math.abs(result.dissipated - expectedLoss) <= 1e-12 * scale, `dissipated ${result.dissipated} vs ${expectedLoss}`);
        assert.ok(Math.abs(sum(result.relevance) + expectedLoss - result.output) <= 1e-12 * scale, `β ${beta}, ε ${epsilon}: Σ R_i + loss vs o(x)`);
        if (epsilon === 1e-9) assert.ok(result.dissipated <= 1e-6 * result.output, 'tiny ε dissipated a visible share');
        if (epsilon === 10) assert.ok(result.dissipated > 0.1 * result.output, 'large ε dissipated almost nothing: the check cannot fail');
      }
    }
  }
});

test('the default β = γ gives the KDE responsibilities; large β concentrates on the nearest point', () => {
  const gamma = 0.7;
  const model = fitKde(data, gamma);
  const x = [0.3, -0.2, 1.1, 0.4];
  const h = squaredDistances(data, x);
  const weights = Array.from(h, (d) => Math.exp(-gamma * d));
  const total = weights.reduce((a, b) => a + b, 0);
  const result = explainOutlierness(model, x);
  assert.equal(result.beta, gamma);
  expectArraysClose(result.layerRelevance, weights.map((w) => (w / total) * result.output), 1e-12, 1e-15, 'R_k');
  const nearest = h.indexOf(Math.min(...h));
  const hard = explainOutlierness(model, x, { beta: 1e4 });
  assert.ok(Math.abs(hard.layerRelevance[nearest]! - hard.output) <= 1e-9 * hard.output);
});

test('a query on a data point dissipates that point’s relevance instead of dividing by zero', () => {
  const model = fitKde(data, 1);
  const x = data.values.slice(4 * 7, 4 * 8);
  const result = explainOutlierness(model, x, { beta: 1e4 });
  assert.ok(result.relevance.every(Number.isFinite));
  assert.ok(Math.abs(result.dissipated - result.output) <= 1e-9 * Math.max(1, result.output), 'the coinciding point should keep (dissipate) all relevance');
});

test('bad inputs are rejected with the argument named', () => {
  assert.throws(() => fitKde(data, 0), /gamma must be a finite positive number/);
  assert.throws(() => fitKde({ values: new Float64Array(3), count: 2, dim: 2 }, 1), /data.values has 3 numbers/);
  const model = fitKde(data, 1);
  assert.throws(() => explainOutlierness(model, [1, 2, 3]), /x has 3 values/);
  assert.throws(() => explainOutlierness(model, [0, 0, 0, 0], { epsilon: -1 }), /epsilon must be a finite positive number/);
  assert.throws(() => explainOutlierness(model, [0, 0, 0, 0], { beta: NaN }), /beta must be a finite number/);
});
