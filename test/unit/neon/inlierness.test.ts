import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { explainInlierness, explainInliernessWithErrorBars, inlierForward } from '../../../src/engine/neon/inlierness';
import { fitKde, kdeDensity } from '../../../src/engine/neon/kde';
import { drawRandomFeatures } from '../../../src/engine/neon/randomFeatures';
import { gaussianPoints, sum } from './data';

const data = gaussianPoints(80, 4, 31);
const model = fitKde(data, 0.5);
const x = [0.2, -0.4, 0.1, 0.6];

function mean(values: ArrayLike<number>): number {
  return sum(values) / values.length;
}

test('the random-feature network is (1/H) Σ_j 2 cos(ω_j·x + b_j) mean_k cos(ω_j·u_k + b_j)', async () => {
  const features = await drawRandomFeatures(model, { features: 300, seed: 1 });
  let expected = 0;
  for (let j = 0; j < 300; j++) {
    const w = features.omega.subarray(j * 4, j * 4 + 4);
    let meanCos = 0;
    for (let k = 0; k < data.count; k++) {
      let z = features.phase[j]!;
      for (let i = 0; i < 4; i++) z += w[i]! * data.values[k * 4 + i]!;
      meanCos += Math.cos(z) / data.count;
    }
    let z = features.phase[j]!;
    for (let i = 0; i < 4; i++) z += w[i]! * x[i]!;
    expected += (2 * Math.cos(z) * meanCos) / 300;
  }
  // μ_j comes from a float32 matMul and cos on the backend.
  assert.ok(Math.abs(inlierForward(features, x).output - expected) <= 1e-5, `${inlierForward(features, x).output} vs ${expected}`);
});

test('ω is drawn from N(0, 2γ I): the sample variance matches 2γ', async () => {
  const features = await drawRandomFeatures(model, { features: 4000, seed: 2 });
  const variance = sum(features.omega.map((w) => w * w)) / features.omega.length;
  assert.ok(Math.abs(variance - 2 * model.gamma) < 0.05 * 2 * model.gamma, `variance ${variance}`);
  assert.ok(features.phase.every((b) => b >= 0 && b < 2 * Math.PI));
});

test('relevance is conserved exactly: Σ_i R_i = Σ_j R_j = î(x)', async () => {
  const features = await drawRandomFeatures(model, { features: 500, seed: 3 });
  const result = explainInlierness(features, x);
  assert.ok(Math.abs(sum(result.layerRelevance) - result.output) <= 1e-14);
  assert.ok(Math.abs(sum(result.relevance) - result.output) <= 1e-14);
  assert.ok(result.output > 0.01, 'x should be an inlier for this check to mean anything');
});

test('î(x) approaches p̃(x) and the error bars shrink roughly as 1/√H', async () => {
  const exact = kdeDensity(model, x);
  const small = await explainInliernessWithErrorBars(model, x, { features: 50, draws: 8, seed: 4 });
  const large = await explainInliernessWithErrorBars(model, x, { features: 3200, draws: 8, seed: 4 });
  assert.equal(large.exact, exact);
  assert.equal(large.features, 3200);
  // √(3200 / 50) = 8: the spread must drop several-fold, per feature and on average.
  assert.ok(mean(large.std) < mean(small.std) / 3, `std ${mean(large.std)} at H = 3200 vs ${mean(small.std)} at H = 50`);
  for (let i = 0; i < 4; i++) assert.ok(large.std[i]! < small.std[i]!, `feature ${i}: std did not shrink`);
  assert.ok(large.outputStd < small.outputStd / 3);
  // The mean over 8 draws is within 5 standard errors of the exact density.
  assert.ok(Math.abs(large.outputMean - exact) <= (5 * large.outputStd) / Math.sqrt(8) + 1e-6, `î ${large.outputMean} ± ${large.outputStd} vs p̃ ${exact}`);
  assert.ok(Math.abs(sum(large.mean) - large.outputMean) <= 1e-12, 'the mean relevance is not conserved');
  assert.ok(large.mean.every((r) => r > 0), 'an inlier near the data centre should get positive relevance on every feature');
});

test('draws are reproducible from the seed and differ between seeds', async () => {
  const a = await drawRandomFeatures(model, { features: 20, seed: 7 });
  const b = await drawRandomFeatures(model, { features: 20, seed: 7 });
  const c = await drawRandomFeatures(model, { features: 20, seed: 8 });
  assert.deepEqual(Array.from(a.omega), Array.from(b.omega));
  assert.deepEqual(Array.from(a.mu), Array.from(b.mu));
  assert.notDeepEqual(Array.from(a.omega), Array.from(c.omega));
});

test('no tensors leak, including when the data is split into several chunks', async () => {
  const before = tf.memory().numTensors;
  // 2^22 / 5000 = 838 rows per chunk: 2000 rows take three chunks.
  const big = fitKde(gaussianPoints(2000, 3, 5), 1);
  const chunked = await drawRandomFeatures(big, { features: 5000, seed: 1 });
  const whole = await drawRandomFeatures(fitKde({ values: big.data.values.slice(0, 3 * 800), count: 800, dim: 3 }, 1), { features: 5000, seed: 1 });
  assert.notDeepEqual(Array.from(chunked.mu.slice(0, 5)), Array.from(whole.mu.slice(0, 5)));
  await explainInliernessWithErrorBars(model, x, { features: 100, draws: 3, seed: 1 });
  assert.equal(tf.memory().numTensors, before, 'tensors leaked');
});

test('cancellation stops the error bars between draws', async () => {
  const controller = new AbortController();
  controller.abort();
  await assert.rejects(explainInliernessWithErrorBars(model, x, { features: 10, draws: 3, signal: controller.signal }), { name: 'AbortError' });
});

test('bad inputs are rejected with the argument named', async () => {
  await assert.rejects(drawRandomFeatures(model, { features: 0 }), /features must be a positive integer/);
  await assert.rejects(explainInliernessWithErrorBars(model, x, { draws: 1 }), /draws must be at least 2/);
  await assert.rejects(explainInliernessWithErrorBars(model, [1, 2]), /x has 2 values/);
  const features = await drawRandomFeatures(model, { features: 5 });
  assert.throws(() => explainInlierness({ ...features, mu: new Float64Array(4) }, x), /features.mu must be a Float64Array of 5 numbers/);
});
