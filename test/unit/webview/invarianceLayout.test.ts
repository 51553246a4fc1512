import { test } from 'node:test';
import assert from 'node:assert/strict';
import { className, counterfactualText, curveGeometry, curveSummary } from '../../../webview/invarianceLayout';

const points = [
  { sigma: 2, nuisance: 0.8, classUnits: 0.3, total: 10 },
  { sigma: 1, nuisance: 0.9, classUnits: 0.6, total: 10 },
];

test('the curve starts at σ = 0 with the reconstructions, sorted by σ, 100% at the top and 0% at the bottom', () => {
  const g = curveGeometry(points, 1, { width: 100, height: 50 });
  assert.deepEqual(g.sigmas, [0, 1, 2]);
  assert.deepEqual(g.nuisance.values, [1, 0.9, 0.8]);
  assert.deepEqual(g.control.values, [1, 0.6, 0.3]);
  assert.equal(g.xs[0], 0);
  assert.equal(g.nuisance.ys[0], 0);
  assert.equal(g.yTicks[0]!.y, 50);
  assert.match(g.nuisance.path, /^M0,0 L/);
  assert.ok(g.xTicks.length >= 2);
  assert.equal(curveSummary(points, 1), 'At σ = 2: resampling z2 keeps the class 80% of the time, resampling z1 (control) 30%; reconstructions 100%.');
});

test('counterfactual captions say where each went and whether it got there', () => {
  const names = ['T-shirt', 'Trouser'];
  assert.equal(className(1, names), 'Trouser');
  assert.equal(className(5, names), 'class 5');
  assert.equal(counterfactualText({ classIndex: 0, available: true, reached: true, step: 0.45000000001, probability: 0.7 }, 1, names), 'T-shirt: reached at t = 0.45, p = 70%');
  assert.equal(counterfactualText({ classIndex: 0, available: true, reached: false, step: 2, probability: 0.2 }, 1, names), 'T-shirt: not reached by t = 2, p = 20%');
  assert.equal(counterfactualText({ classIndex: 1, available: true, reached: true, step: 0, probability: 0.9 }, 1, names), 'Trouser (predicted): the reconstruction');
  assert.match(counterfactualText({ classIndex: 3, available: false, reached: false, step: 0, probability: 0 }, 1, names), /no training example/);
});
