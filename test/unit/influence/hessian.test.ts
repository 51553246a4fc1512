import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { hessianOperator } from '../../../src/engine/influence/hessian';
import { expectArraysClose, expectNoLeak } from './closeTo';
import { denseModel, matVec, mseHessian, randomMatrix, softmaxHessian, weightsOf } from './hessianOracle';

const D = 3;
const x = randomMatrix(8, D, 5);
const train = { values: Float32Array.from(x.flat()), count: x.length, exampleShape: [D] };

for (const hvp of ['auto', 'finiteDifferences'] as const) {
  const expectedMode = hvp === 'auto' ? 'doubleBackprop' : 'finiteDifferences';

  test(`HVP (${hvp}) of the reconstruction loss of a linear layer equals 2 X̃ᵀX̃/N ⊗ I times v`, async () => {
    await tf.setBackend('cpu');
    const model = denseModel(D, D, 'linear', 1);
    const op = hessianOperator(model, { kind: 'reconstruction' }, train, { batchSize: 3, hvp });
    assert.equal(op.mode, expectedMode, op.modeReason);
    assert.equal(op.parameterCount, D * D + D);
    const v = Float32Array.from(randomMatrix(1, op.parameterCount, 9)[0]!);
    const hv = await expectNoLeak(() => op.hvp(v));
    expectArraysClose(hv, matVec(mseHessian(x), v), 2e-3, 2e-3, 'Hv');
    const subset = op.hvp(v, [1, 4]);
    expectArraysClose(subset, matVec(mseHessian([x[1]!, x[4]!]), v), 2e-3, 2e-3, 'Hv on a subset');
    model.dispose();
  });

  test(`HVP (${hvp}) of the cross-entropy of a softmax layer equals mean x̃x̃ᵀ ⊗ (diag p − ppᵀ) times v`, async () => {
    const model = denseModel(D, 4, 'softmax', 2);
    const labels = Int32Array.from([0, 1, 2, 3, 0, 1, 2, 3]);
    const op = hessianOperator(model, { kind: 'crossEntropy' }, { ...train, labels }, { hvp });
    assert.equal(op.mode, expectedMode, op.modeReason);
    const v = Float32Array.from(randomMatrix(1, op.parameterCount, 3)[0]!);
    const { k, b } = weightsOf(model);
    expectArraysClose(await expectNoLeak(() => op.hvp(v)), matVec(softmaxHessian(x, k, b), v), 5e-3, 5e-3, 'Hv');
    model.dispose();
  });
}

test('the weights are restored after each product and bad inputs name the argument', async () => {
  const model = denseModel(D, D, 'linear', 1);
  const before = weightsOf(model);
  const op = hessianOperator(model, { kind: 'reconstruction' }, train, { hvp: 'finiteDifferences' });
  op.hvp(new Float32Array(op.parameterCount).fill(1));
  assert.deepEqual(weightsOf(model), before);
  assert.throws(() => op.hvp(new Float32Array(3)), /v must be a Float32Array of 12/);
  assert.throws(() => op.hvp(new Float32Array(12), [8]), /indices\[0\] = 8/);
  assert.throws(() => hessianOperator(model, { kind: 'reconstruction' }, { ...train, count: 7 }), /train.values has 24 numbers/);
  assert.throws(() => hessianOperator(model, { kind: 'crossEntropy' }, train), /train.labels/);
  model.dispose();
});
