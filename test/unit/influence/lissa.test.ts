import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { hessianOperator } from '../../../src/engine/influence/hessian';
import { LissaDivergenceError, lissaInverseHvp } from '../../../src/engine/influence/lissa';
import { expectArraysClose, expectNoLeak } from './closeTo';
import { denseModel, mseHessian, randomMatrix, solve } from './hessianOracle';

const D = 3;
const x = randomMatrix(8, D, 5);
const train = { values: Float32Array.from(x.flat()), count: x.length, exampleShape: [D] };

test('full-batch LiSSA converges to (H + damping·scale·I)⁻¹ v', async () => {
  await tf.setBackend('cpu');
  const model = denseModel(D, D, 'linear', 1);
  const op = hessianOperator(model, { kind: 'reconstruction' }, train);
  const v = Float32Array.from(randomMatrix(1, op.parameterCount, 9)[0]!);
  const options = { depth: 400, scale: 10, damping: 0.05, batchSize: x.length };
  const result = await expectNoLeak(() => lissaInverseHvp(op, v, options));
  expectArraysClose(result.inverseHvp, solve(mseHessian(x), v, 0.05 * 10), 1e-3, 1e-3, 'H⁻¹v');
  assert.equal(result.normTrace.length, 400);
  model.dispose();
});

test('minibatch LiSSA with repeats stays near the exact solve and is reproducible by seed', async () => {
  const model = denseModel(D, D, 'linear', 1);
  const op = hessianOperator(model, { kind: 'reconstruction' }, train);
  const v = Float32Array.from(randomMatrix(1, op.parameterCount, 9)[0]!);
  const options = { depth: 150, scale: 10, damping: 0.05, batchSize: 4, repeats: 4, seed: 3 };
  const a = lissaInverseHvp(op, v, options).inverseHvp;
  const b = lissaInverseHvp(op, v, options).inverseHvp;
  assert.deepEqual(a, b);
  const exact = solve(mseHessian(x), v, 0.5);
  const error = Math.hypot(...exact.map((e, i) => e - a[i]!));
  assert.ok(error < 0.35 * Math.hypot(...exact), `relative error ${error / Math.hypot(...exact)}`);
  model.dispose();
});

test('a scale below the largest eigenvalue is reported as divergence, not NaNs', () => {
  const model = denseModel(D, D, 'linear', 1);
  const op = hessianOperator(model, { kind: 'reconstruction' }, train);
  const v = Float32Array.from(randomMatrix(1, op.parameterCount, 9)[0]!);
  assert.throws(
    () => lissaInverseHvp(op, v, { depth: 200, scale: 0.1, damping: 0, batchSize: x.length }),
    (e: unknown) => e instanceof LissaDivergenceError && e.step > 0 && /increase scale/.test(e.message),
  );
  assert.throws(() => lissaInverseHvp(op, v, { damping: 1 }), /options.damping/);
  assert.throws(() => lissaInverseHvp(op, v, { depth: 0 }), /options.depth/);
  model.dispose();
});

test('an aborted signal stops the recursion', () => {
  const model = denseModel(D, D, 'linear', 1);
  const op = hessianOperator(model, { kind: 'reconstruction' }, train);
  const controller = new AbortController();
  controller.abort();
  assert.throws(() => lissaInverseHvp(op, new Float32Array(op.parameterCount).fill(1), {}, controller.signal), { name: 'AbortError' });
  model.dispose();
});
