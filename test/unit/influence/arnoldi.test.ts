import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { arnoldiInverse, symmetricEigen } from '../../../src/engine/influence/arnoldi';
import { hessianOperator } from '../../../src/engine/influence/hessian';
import { expectArraysClose, expectNoLeak } from './closeTo';
import { denseModel, matVec, mseHessian, randomMatrix, softmaxHessian, solve, weightsOf } from './hessianOracle';

const D = 3;
const x = randomMatrix(8, D, 5);
const train = { values: Float32Array.from(x.flat()), count: x.length, exampleShape: [D] };

test('symmetricEigen: A u = λ u for every pair of a random symmetric matrix', () => {
  const r = randomMatrix(5, 5, 4);
  const a = r.map((row, i) => row.map((v, j) => v + r[j]![i]!));
  const { values, vectors } = symmetricEigen(a);
  values.forEach((lambda, c) => {
    const u = vectors.map((row) => row[c]!);
    expectArraysClose(matVec(a, u), u.map((ui) => lambda * ui), 1e-9, 1e-9, `pair ${c}`);
  });
});

// The softmax Hessian has distinct eigenvalues, so the Krylov space of a random start spans every parameter.
test('with as many iterations as parameters, Arnoldi gives the exact (H + damping·I)⁻¹ v', async () => {
  await tf.setBackend('cpu');
  const model = denseModel(D, 4, 'softmax', 2);
  const labels = Int32Array.from([0, 1, 2, 3, 0, 1, 2, 3]);
  const op = hessianOperator(model, { kind: 'crossEntropy' }, { ...train, labels });
  const inverse = await expectNoLeak(() => arnoldiInverse(op, { iterations: op.parameterCount, damping: 0.1, seed: 2 }));
  const v = Float32Array.from(randomMatrix(1, op.parameterCount, 9)[0]!);
  const { k, b } = weightsOf(model);
  expectArraysClose(inverse.inverseHvp(v), solve(softmaxHessian(x, k, b), v, 0.1), 1e-2, 1e-2, 'H⁻¹v');
  model.dispose();
});

test('a few iterations find the top eigenvalue of H', () => {
  const model = denseModel(D, D, 'linear', 1);
  const op = hessianOperator(model, { kind: 'reconstruction' }, train);
  const h = mseHessian(x);
  const top = Math.max(...symmetricEigen(h).values);
  const inverse = arnoldiInverse(op, { iterations: 6, rank: 1, seed: 1 });
  assert.equal(inverse.eigenvalues.length, 1);
  assert.ok(Math.abs(inverse.eigenvalues[0]! - top) < 1e-3 * top, `${inverse.eigenvalues[0]} vs ${top}`);
  assert.throws(() => arnoldiInverse(op, { iterations: 0 }), /options.iterations/);
  assert.throws(() => inverse.inverseHvp([1, 2]), /12 parameters/);
  model.dispose();
});
