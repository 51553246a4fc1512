import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { hessianOperator, type HessianOptions } from '../../../src/engine/influence/hessian';
import { twiceDifferentiableClip, twiceDifferentiableConv2d, twiceDifferentiableConv2dTranspose, twiceDifferentiableLogSoftmax, twiceDifferentiableSigmoid, twiceDifferentiableSoftmax, twiceDifferentiableTanh } from '../../../src/engine/influence/secondOrderOps';
import { startWasm } from '../backend/backendTestUtils';
import { expectArraysClose, expectNoLeak } from './closeTo';
import { denseModel, matVec, mseHessian, randomMatrix, softmaxHessian, weightsOf } from './hessianOracle';
import { convAutoencoder, convClassifier, randomizeWeights } from './models';

const D = 3;
const x = randomMatrix(8, D, 5);
const train = { values: Float32Array.from(x.flat()), count: x.length, exampleShape: [D] };
const labels = Int32Array.from([0, 1, 2, 3, 0, 1, 2, 3]);
const vector = (n: number, seed: number): Float32Array => Float32Array.from(randomMatrix(1, n, seed)[0]!);

/** d/dt of ⟨∇f(w + t·u), v⟩ by double backprop and by central differences of the first gradient, for f(w) = sum(op(xW)²). */
function secondDerivativeGap(op: (z: tf.Tensor) => tf.Tensor): number {
  return tf.tidy(() => {
    const a = tf.tensor2d(randomMatrix(5, 3, 11));
    const w = tf.tensor2d(randomMatrix(3, 4, 12));
    const v = tf.tensor2d(randomMatrix(3, 4, 13));
    const f = (k: tf.Tensor): tf.Scalar => tf.sum(tf.square(op(tf.matMul(a, k as tf.Tensor2D))));
    const hvp = tf.grad((k: tf.Tensor) => tf.sum(tf.mul(tf.grad(f)(k), v)))(w);
    const eps = 1e-2;
    const fd = tf.div(tf.sub(tf.grad(f)(tf.add(w, tf.mul(v, eps))), tf.grad(f)(tf.sub(w, tf.mul(v, eps)))), 2 * eps);
    return tf.norm(tf.sub(hvp, fd)).dataSync()[0]! / tf.norm(fd).dataSync()[0]!;
  });
}

test('the premise: stock Tanh, Sigmoid and Softmax have wrong second derivatives in tfjs, the twice-differentiable ops and Relu right ones', async () => {
  await tf.setBackend('cpu');
  // If the stock gaps close, tfjs fixed its tape and hessian.ts's header should say so.
  for (const [name, op] of [['tanh', tf.tanh], ['sigmoid', tf.sigmoid], ['softmax', (z: tf.Tensor) => tf.softmax(z)], ['logSoftmax', (z: tf.Tensor) => tf.logSoftmax(z)]] as const) {
    assert.ok(secondDerivativeGap(op) > 0.05, `stock ${name} now differentiates twice`);
  }
  for (const [name, op] of [['tanh', twiceDifferentiableTanh], ['sigmoid', twiceDifferentiableSigmoid], ['softmax', twiceDifferentiableSoftmax], ['logSoftmax', twiceDifferentiableLogSoftmax], ['relu', tf.relu], ['linear', (z: tf.Tensor) => z]] as const) {
    const gap = secondDerivativeGap(op);
    assert.ok(gap < 1e-2, `${name}: double backprop differs from finite differences by ${gap}`);
  }
});

test('the twice-differentiable ops have the stock values and first derivatives', async () => {
  await tf.setBackend('cpu');
  const z = tf.tensor2d(randomMatrix(4, 5, 21, 2));
  const dy = tf.tensor2d(randomMatrix(4, 5, 22));
  const pairs: Array<[string, (t: tf.Tensor) => tf.Tensor, (t: tf.Tensor) => tf.Tensor]> = [
    ['tanh', tf.tanh, twiceDifferentiableTanh],
    ['sigmoid', tf.sigmoid, twiceDifferentiableSigmoid],
    ['softmax', (t) => tf.softmax(t), twiceDifferentiableSoftmax],
    ['logSoftmax', (t) => tf.logSoftmax(t), twiceDifferentiableLogSoftmax],
    ['clip', (t) => tf.clipByValue(t, -0.5, 1), (t) => twiceDifferentiableClip(t, -0.5, 1)],
  ];
  for (const [name, stock, ours] of pairs) {
    expectArraysClose(ours(z).dataSync(), stock(z).dataSync(), 1e-5, 1e-6, `${name} value`);
    const g = (f: (t: tf.Tensor) => tf.Tensor): Float32Array => tf.grad((t: tf.Tensor) => tf.sum(tf.mul(f(t), dy)))(z).dataSync() as Float32Array;
    expectArraysClose(g(ours), g(stock), 1e-4, 1e-5, `${name} gradient`);
  }
  const geometry = { kernelSize: [3, 3] as [number, number], strides: [2, 2] as [number, number], padding: 'same' as const, dilations: [1, 1] as [number, number] };
  const a = tf.tensor4d(Float32Array.from(randomMatrix(1, 2 * 6 * 6 * 2, 23)[0]!), [2, 6, 6, 2]);
  const k = tf.tensor4d(Float32Array.from(randomMatrix(1, 3 * 3 * 2 * 4, 24)[0]!), [3, 3, 2, 4]);
  const dz = tf.tensor4d(Float32Array.from(randomMatrix(1, 2 * 3 * 3 * 4, 25)[0]!), [2, 3, 3, 4]);
  const conv = (f: (p: tf.Tensor, q: tf.Tensor) => tf.Tensor): Float32Array[] => tf.grads((p: tf.Tensor, q: tf.Tensor) => tf.sum(tf.mul(f(p, q), dz)))([a, k]).map((t) => t.dataSync() as Float32Array);
  const [sa, sk] = conv((p, q) => tf.conv2d(p as tf.Tensor4D, q as tf.Tensor4D, 2, 'same'));
  const [oa, ok] = conv((p, q) => twiceDifferentiableConv2d(p as tf.Tensor4D, q as tf.Tensor4D, geometry));
  expectArraysClose(oa!, sa!, 1e-4, 1e-5, 'conv2d input gradient');
  expectArraysClose(ok!, sk!, 1e-4, 1e-5, 'conv2d kernel gradient');
  // The transposed convolution maps dz-shaped inputs back to a's shape, with kernel [3, 3, 2, 4].
  const da = tf.tensor4d(Float32Array.from(randomMatrix(1, 2 * 6 * 6 * 2, 26)[0]!), [2, 6, 6, 2]);
  const deconv = (f: (p: tf.Tensor, q: tf.Tensor) => tf.Tensor): Float32Array[] => tf.grads((p: tf.Tensor, q: tf.Tensor) => tf.sum(tf.mul(f(p, q), da)))([dz, k]).map((t) => t.dataSync() as Float32Array);
  const [tz, tk] = deconv((p, q) => tf.conv2dTranspose(p as tf.Tensor4D, q as tf.Tensor4D, [2, 6, 6, 2], 2, 'same'));
  const [uz, uk] = deconv((p, q) => twiceDifferentiableConv2dTranspose(p as tf.Tensor4D, q as tf.Tensor4D, [2, 6, 6, 2], geometry));
  expectArraysClose(uz!, tz!, 1e-4, 1e-5, 'conv2dTranspose input gradient');
  expectArraysClose(uk!, tk!, 1e-4, 1e-5, 'conv2dTranspose kernel gradient');
  tf.dispose([z, dy, a, k, dz, da]);
});

test('double backprop equals the exact Hessian of a linear layer (squared error) and of a softmax layer (cross-entropy), and the probe picks it', async () => {
  await tf.setBackend('cpu');
  const linear = denseModel(D, D, 'linear', 1);
  const op = await expectNoLeak(() => hessianOperator(linear, { kind: 'reconstruction' }, train, { batchSize: 3 }));
  assert.equal(op.mode, 'doubleBackprop');
  assert.match(op.modeReason, /double backprop agreed with finite differences within [\d.e-]+% on a probe of 3 examples/);
  assert.ok(op.probeDifference! < 1e-2);
  const v = vector(op.parameterCount, 9);
  expectArraysClose(await expectNoLeak(() => op.hvp(v)), matVec(mseHessian(x), v), 1e-4, 1e-4, 'linear Hv');
  expectArraysClose(op.hvp(v, [1, 4]), matVec(mseHessian([x[1]!, x[4]!]), v), 1e-4, 1e-4, 'linear Hv on a subset');
  linear.dispose();

  const softmax = denseModel(D, 4, 'softmax', 2);
  const op2 = hessianOperator(softmax, { kind: 'crossEntropy' }, { ...train, labels });
  assert.equal(op2.mode, 'doubleBackprop', op2.modeReason);
  const u = vector(op2.parameterCount, 3);
  const { k, b } = weightsOf(softmax);
  expectArraysClose(await expectNoLeak(() => op2.hvp(u)), matVec(softmaxHessian(x, k, b), u), 1e-4, 1e-4, 'softmax Hv');
  softmax.dispose();
});

/** Dense(logits) -> a stand-alone Softmax layer: tfjs-layers runs the stock Softmax kernel, whose second derivative is wrong. */
function softmaxLayerModel(): tfl.Sequential {
  const model = tfl.sequential({ layers: [tfl.layers.dense({ name: 'd', inputShape: [D], units: 4 }), tfl.layers.softmax({ name: 'sm' })] });
  const source = denseModel(D, 4, 'softmax', 2);
  model.setWeights(source.getWeights());
  source.dispose();
  return model;
}

test('a kernel without a correct second derivative (a Softmax layer): the probe falls back to finite differences, which match the oracle', async () => {
  await tf.setBackend('cpu');
  const model = softmaxLayerModel();
  const op = await expectNoLeak(() => hessianOperator(model, { kind: 'crossEntropy' }, { ...train, labels }));
  assert.equal(op.mode, 'finiteDifferences');
  assert.match(op.modeReason, /double backprop disagreed with finite differences by [\d.]+% on a probe of 8 examples .*sm \(Softmax\)/);
  const v = vector(op.parameterCount, 3);
  const { k, b } = weightsOf(model);
  const exact = matVec(softmaxHessian(x, k, b), v);
  expectArraysClose(await expectNoLeak(() => op.hvp(v)), exact, 5e-3, 5e-3, 'Hv');
  // Forced double backprop runs and is wrong: what the probe guards against.
  const forced = hessianOperator(model, { kind: 'crossEntropy' }, { ...train, labels }, { hvp: 'doubleBackprop' });
  assert.equal(forced.mode, 'doubleBackprop');
  assert.equal(forced.modeReason, 'forced by options.hvp');
  const wrong = forced.hvp(v);
  assert.ok(wrong.some((h, i) => Math.abs(h - exact[i]!) > 1e-2), 'forced double backprop matched the oracle through a stock Softmax');
  model.dispose();
});

test('a kernel without any second derivative (elu) fails the probe without leaking; forcing finite differences skips the probe', async () => {
  await tf.setBackend('cpu');
  const model = tfl.sequential({ layers: [tfl.layers.dense({ inputShape: [D], units: 5, activation: 'elu' }), tfl.layers.dense({ units: 4 })] });
  randomizeWeights(model, 7);
  const op = await expectNoLeak(() => hessianOperator(model, { kind: 'crossEntropy' }, { ...train, labels }));
  assert.equal(op.mode, 'finiteDifferences');
  assert.match(op.modeReason, /double backprop failed on a probe of 8 examples: .*EluGrad/);
  const forcedDb = hessianOperator(model, { kind: 'crossEntropy' }, { ...train, labels }, { hvp: 'doubleBackprop' });
  await expectNoLeak(() => assert.throws(() => forcedDb.hvp(vector(forcedDb.parameterCount, 1)), /EluGrad/));
  const forcedFd = hessianOperator(model, { kind: 'crossEntropy' }, { ...train, labels }, { hvp: 'finiteDifferences' });
  assert.deepEqual([forcedFd.mode, forcedFd.modeReason], ['finiteDifferences', 'forced by options.hvp']);
  assert.throws(() => hessianOperator(model, { kind: 'crossEntropy' }, { ...train, labels }, { hvp: 'exact' } as unknown as HessianOptions), /options.hvp must be/);
  model.dispose();
});

test('a relevant layer without a functional rule: finite differences, and forcing double backprop names the layer', async () => {
  await tf.setBackend('cpu');
  const model = tfl.sequential({ layers: [tfl.layers.embedding({ name: 'emb', inputDim: 5, outputDim: 2, inputLength: 3 }), tfl.layers.flatten(), tfl.layers.dense({ units: 3 })] });
  const ids = { values: Float32Array.from([0, 1, 2, 3, 4, 0, 1, 2, 3]), count: 3, exampleShape: [3] };
  const op = hessianOperator(model, { kind: 'reconstruction' }, ids, { relevantLayers: ['emb'] });
  assert.equal(op.mode, 'finiteDifferences');
  assert.match(op.modeReason, /layer class Embedding \(relevant layer "emb"\) has no functional rule/);
  assert.throws(() => hessianOperator(model, { kind: 'reconstruction' }, ids, { relevantLayers: ['emb'], hvp: 'doubleBackprop' }), /options.hvp is "doubleBackprop" but layer class Embedding/);
  model.dispose();
});

const images = (n: number): Float32Array => Float32Array.from({ length: n * 72 }, (_, i) => Math.sin(i * 0.37));

test('conv, BatchNorm, tanh and relu models: the probe picks double backprop (relu smoothed) and it matches finite differences', async () => {
  await tf.setBackend('cpu');
  const convTrain = { values: images(6), count: 6, exampleShape: [6, 6, 2], labels: Int32Array.from([0, 1, 2, 3, 4, 0]) };
  for (const [model, loss] of [
    [convAutoencoder(), { kind: 'reconstruction' }],
    [convClassifier(), { kind: 'crossEntropy' }],
  ] as const) {
    const op = await expectNoLeak(() => hessianOperator(model, loss, convTrain));
    assert.equal(op.mode, 'doubleBackprop', op.modeReason);
    assert.match(op.modeReason, /relu smoothed to softplus/);
    const v = vector(op.parameterCount, 4);
    const hv = await expectNoLeak(() => op.hvp(v));
    // Finite differences straddle relu kinks; on these small models few units flip, so they still agree roughly.
    const fd = hessianOperator(model, loss, convTrain, { hvp: 'finiteDifferences' }).hvp(v);
    const gap = Math.hypot(...hv.map((h, i) => h - fd[i]!)) / Math.hypot(...fd);
    assert.ok(gap < 1e-2, `double backprop differs from finite differences by ${gap}`);
    model.dispose();
  }
});

test('cpu and wasm give the same double-backprop products', async () => {
  const model = convClassifier();
  const convTrain = { values: images(4), count: 4, exampleShape: [6, 6, 2], labels: Int32Array.from([0, 1, 2, 3]) };
  await tf.setBackend('cpu');
  const v = vector(hessianOperator(model, { kind: 'crossEntropy' }, convTrain, { hvp: 'finiteDifferences' }).parameterCount, 8);
  const onCpu = hessianOperator(model, { kind: 'crossEntropy' }, convTrain, { hvp: 'doubleBackprop' }).hvp(v);
  const weights = model.getWeights().map((w) => w.arraySync());
  await startWasm();
  try {
    // Variables live on the backend that created them; rebuild the model on wasm.
    const twin = convClassifier();
    twin.setWeights(weights.map((w) => tf.tensor(w as number[])));
    const op = await expectNoLeak(() => hessianOperator(twin, { kind: 'crossEntropy' }, convTrain));
    assert.equal(op.mode, 'doubleBackprop', op.modeReason);
    const onWasm = await expectNoLeak(() => op.hvp(v));
    const gap = Math.hypot(...onWasm.map((h, i) => h - onCpu[i]!)) / Math.hypot(...onCpu);
    assert.ok(gap < 1e-4, `wasm differs from cpu by ${gap}`);
    twin.dispose();
  } finally {
    await tf.setBackend('cpu');
    model.dispose();
  }
});
