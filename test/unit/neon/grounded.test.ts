import { test } from 'node:test';
import assert from 'node:assert/strict';
import '@tensorflow/tfjs-backend-cpu';
import { groundedClusterRelevance, groundedInlierRelevance, groundedOutlierRelevance } from '../../../src/engine/neon/grounded';
import { inlierForward } from '../../../src/engine/neon/inlierness';
import { fitKde } from '../../../src/engine/neon/kde';
import { drawRandomFeatures } from '../../../src/engine/neon/randomFeatures';
import { logMeanExp, softArgmin } from '../../../src/engine/neon/pooling';
import { gaussianPoints, sum } from './data';

// Non-negative activations with two deactivated units, as after a ReLU.
const a = [0.8, 0, 1.3, 0.4, 0, 2.1];
const zeroUnits = [1, 4];
const dim = a.length;
const data = gaussianPoints(40, dim, 41);
data.values.forEach((v, i) => (data.values[i] = Math.abs(v)));

function dot(x: ArrayLike<number>, y: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i]! * y[i]!;
  return s;
}

function rowOf(values: ArrayLike<number>, k: number): number[] {
  return Array.from({ length: dim }, (_, i) => values[k * dim + i]!);
}

test('outlierness (A.1): relevance sits on activated units and the residual is Σ_k p_k (u_kᵀ(u_k − a) + LME{h − h_k})', () => {
  const gamma = 0.4;
  const beta = 0.9;
  const result = groundedOutlierRelevance(fitKde(data, gamma), a, { beta });
  const h = Array.from({ length: data.count }, (_, k) => rowOf(data.values, k).reduce((s, u, i) => s + (a[i]! - u) ** 2, 0));
  const p = softArgmin(h, beta);
  const lme = logMeanExp(h, -gamma);
  let dotPart = 0;
  let residual = 0;
  for (let k = 0; k < data.count; k++) {
    const u = rowOf(data.values, k);
    dotPart += p[k]! * dot(a, a.map((ai, i) => ai - u[i]!));
    residual += p[k]! * (dot(u, u.map((ui, i) => ui - a[i]!)) + logMeanExp(h.map((hk) => hk - h[k]!), -gamma));
  }
  assert.ok(Math.abs(result.output - lme) <= 1e-12 * lme);
  assert.ok(Math.abs(result.propagated - dotPart) <= 1e-12 * Math.abs(lme), `propagated ${result.propagated} vs Σ R_k^dot ${dotPart}`);
  assert.ok(Math.abs(result.residual - residual) <= 1e-11 * Math.abs(lme), `residual ${result.residual} vs Σ R_k^res ${residual}`);
  assert.ok(Math.abs(sum(result.relevance) - result.propagated) <= 1e-12);
  for (const i of zeroUnits) assert.ok(result.relevance[i] === 0, `deactivated unit ${i} got relevance ${result.relevance[i]}`);
  assert.ok(result.relevance.some((r, i) => r !== 0 && a[i]! > 0));
});

test('cluster membership (A.3): R_i = a_i Σ_k p_k w_ik, residual Σ_k p_k (b_k + f_c − h_k)', () => {
  const centroids = { values: Float64Array.from({ length: 4 * dim }, (_, i) => Math.abs(Math.sin(i + 1)) * 2), count: 4, dim };
  const cluster = 2;
  const beta = 0.3;
  const result = groundedClusterRelevance(centroids, a, { cluster, beta });
  const mu = (k: number): number[] => rowOf(centroids.values, k);
  const w = (k: number): number[] => mu(cluster).map((m, i) => 2 * (m - mu(k)[i]!));
  const b = (k: number): number => dot(mu(k), mu(k)) - dot(mu(cluster), mu(cluster));
  const h = [0, 1, 2, 3].map((k) => (k === cluster ? 0 : dot(w(k), a) + b(k)));
  const f = Math.min(...h.filter((_, k) => k !== cluster));
  const p = softArgmin(h, beta, cluster);
  let dotPart = 0;
  let residual = 0;
  const expected = new Array<number>(dim).fill(0);
  for (let k = 0; k < 4; k++) {
    if (k === cluster) continue;
    dotPart += p[k]! * dot(a, w(k));
    residual += p[k]! * (b(k) + f - h[k]!);
    for (let i = 0; i < dim; i++) expected[i]! += p[k]! * a[i]! * w(k)[i]!;
  }
  assert.ok(Math.abs(result.output - f) <= 1e-12 * Math.abs(f));
  assert.ok(Math.abs(result.propagated - dotPart) <= 1e-12 * Math.abs(f));
  assert.ok(Math.abs(result.residual - residual) <= 1e-12 * Math.max(1, Math.abs(f)));
  result.relevance.forEach((r, i) => assert.ok(Math.abs(r - expected[i]!) <= 1e-12 * Math.abs(f), `unit ${i}`));
  for (const i of zeroUnits) assert.ok(result.relevance[i] === 0, `deactivated unit ${i} got relevance ${result.relevance[i]}`);
});

test('inlierness (A.2): the sine part is conserved, the cosine part dissipates Σ_j R_j^cos ε_j / (z_j + ε_j)', async () => {
  const features = await drawRandomFeatures(fitKde(data, 0.3), { features: 400, seed: 5 });
  const { output } = inlierForward(features, a);
  for (const epsilon of [0, 0.1, 1]) {
    const result = groundedInlierRelevance(features, a, { epsilon });
    let expectedResidual = 0;
    for (let j = 0; j < features.count; j++) {
      const z = dot(rowOf(features.omega, j), a);
      const c = (Math.SQRT2 * features.mu[j]!) / features.count;
      const eps = z >= 0 ? epsilon : -epsilon;
      expectedResidual += (c * Math.cos(z) * Math.cos(features.phase[j]!) * eps) / (z + eps);
    }
    assert.ok(Math.abs(result.output - output) <= 1e-14);
    assert.ok(Math.abs(result.residual - expectedResidual) <= 1e-9 * Math.abs(output), `ε ${epsilon}: residual ${result.residual} vs ${expectedResidual}`);
    if (epsilon === 0) assert.ok(Math.abs(result.residual) <= 1e-9 * Math.abs(output), 'ε = 0 should conserve everything');
    if (epsilon === 1) assert.ok(Math.abs(result.residual) > 1e-3 * Math.abs(output), 'ε = 1 dissipated nothing: the check cannot fail');
    for (const i of zeroUnits) assert.ok(result.relevance[i] === 0, `deactivated unit ${i} got relevance ${result.relevance[i]}`);
  }
});

test('bad inputs are rejected with the argument named', async () => {
  assert.throws(() => groundedOutlierRelevance(fitKde(data, 1), [1, 2]), /x has 2 values/);
  assert.throws(() => groundedClusterRelevance({ values: new Float64Array(2 * dim).map((_, i) => i), count: 2, dim }, a, { cluster: 2 }), /cluster must be an integer in \[0, 1\]/);
  const features = await drawRandomFeatures(fitKde(data, 1), { features: 5 });
  assert.throws(() => groundedInlierRelevance(features, a, { epsilon: -1 }), /epsilon must be a finite number >= 0/);
  assert.throws(() => groundedInlierRelevance(features, [1]), /a has 1 values/);
});
