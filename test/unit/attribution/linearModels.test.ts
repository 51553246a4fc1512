import { test } from 'node:test';
import assert from 'node:assert/strict';
import { weightedLasso, weightedLeastSquares, type Design } from '../../../src/engine/attribution/linearModels';
import { expectClose, seededValues } from '../metrics/testUtils';

function randomProblem(rows: number, columns: number, seed: number): { design: Design; y: Float64Array; weights: Float64Array } {
  const values = Float64Array.from(seededValues(rows * columns, seed, -1, 1));
  const y = Float64Array.from(seededValues(rows, seed + 1, -2, 2));
  const weights = Float64Array.from(seededValues(rows, seed + 2, 0.1, 2));
  return { design: { values, rows, columns }, y, weights };
}

function residuals(design: Design, y: Float64Array, coefficients: Float64Array, intercept: number): Float64Array {
  return y.map((v, r) => v - intercept - coefficients.reduce((s, b, c) => s + b * design.values[r * design.columns + c]!, 0));
}

test('weighted least squares satisfies its normal equations: weighted residuals are orthogonal to 1 and every column', () => {
  const { design, y, weights } = randomProblem(40, 6, 1);
  const fit = weightedLeastSquares(design, y, weights);
  const r = residuals(design, y, fit.coefficients, fit.intercept);
  expectClose(r.reduce((s, v, i) => s + weights[i]! * v, 0), 0, 1e-10, 0);
  for (let c = 0; c < 6; c++) expectClose(r.reduce((s, v, i) => s + weights[i]! * v * design.values[i * 6 + c]!, 0), 0, 1e-10, 0);
});

test('weighted least squares recovers a noiseless linear relation, with or without intercept', () => {
  const { design, weights } = randomProblem(30, 4, 2);
  const beta = [0.5, -1, 2, 0.25];
  const y = Float64Array.from({ length: 30 }, (_, r) => 3 + beta.reduce((s, b, c) => s + b * design.values[r * 4 + c]!, 0));
  const fit = weightedLeastSquares(design, y, weights);
  expectClose(fit.coefficients, beta, 1e-10, 1e-10);
  expectClose(fit.intercept, 3, 1e-10, 0);
  const noIntercept = weightedLeastSquares(design, y.map((v) => v - 3), weights, false);
  expectClose(noIntercept.coefficients, beta, 1e-10, 1e-10);
  assert.equal(noIntercept.intercept, 0);
});

test('the weighted Lasso satisfies its KKT conditions', () => {
  const { design, y, weights } = randomProblem(60, 8, 3);
  const total = weights.reduce((a, b) => a + b, 0);
  for (const alpha of [0.01, 0.1, 0.3]) {
    const fit = weightedLasso(design, y, weights, alpha, { tolerance: 1e-12 });
    const r = residuals(design, y, fit.coefficients, fit.intercept);
    expectClose(r.reduce((s, v, i) => s + weights[i]! * v, 0) / total, 0, 1e-9, 0);
    let zeros = 0;
    for (let c = 0; c < 8; c++) {
      const gradient = r.reduce((s, v, i) => s + weights[i]! * v * design.values[i * 8 + c]!, 0) / total;
      const b = fit.coefficients[c]!;
      if (b === 0) {
        zeros++;
        assert.ok(Math.abs(gradient) <= alpha + 1e-9, `alpha ${alpha}, column ${c}: |${gradient}| > alpha at a zero coefficient`);
      } else {
        expectClose(gradient, alpha * Math.sign(b), 1e-8, 0);
      }
    }
    if (alpha === 0.3) assert.ok(zeros > 0, 'a large penalty should zero some coefficients');
  }
});

test('the weighted Lasso with alpha 0 equals least squares, and a huge alpha gives all zeros and the weighted mean', () => {
  const { design, y, weights } = randomProblem(50, 5, 4);
  const ls = weightedLeastSquares(design, y, weights);
  const lasso = weightedLasso(design, y, weights, 0, { tolerance: 1e-13, maxIterations: 100_000 });
  expectClose(lasso.coefficients, ls.coefficients, 1e-8, 1e-8);
  const flat = weightedLasso(design, y, weights, 1e6);
  assert.deepEqual(Array.from(flat.coefficients), [0, 0, 0, 0, 0]);
  const mean = y.reduce((s, v, i) => s + weights[i]! * v, 0) / weights.reduce((a, b) => a + b, 0);
  expectClose(flat.intercept, mean, 1e-12, 1e-12);
});

test('the regressions reject inconsistent sizes and bad weights', () => {
  const { design, y, weights } = randomProblem(10, 2, 5);
  assert.throws(() => weightedLeastSquares(design, y.subarray(1), weights), /targets have 9 entries but the design has 10 rows/);
  assert.throws(() => weightedLeastSquares(design, y, weights.map(() => 0)), /weights must not all be zero/);
  assert.throws(() => weightedLasso(design, y, weights.map((v, i) => (i === 3 ? -1 : v)), 0.1), /weights must be finite and non-negative, got -1 at 3/);
  assert.throws(() => weightedLasso(design, y, weights, -1), /alpha must be a finite number >= 0/);
});
