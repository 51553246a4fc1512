import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { conv2dBackpropFilterNHWC, installConvFilterGradient } from '../../../demo/template/convGradient';
import { seededRandom } from '../../../demo/template/data';

function expectArraysClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tolerance: number, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < actual.length; i++) {
    const diff = Math.abs(actual[i]! - expected[i]!);
    assert.ok(diff <= tolerance * (1 + Math.abs(expected[i]!)), `${what}[${i}]: ${actual[i]} vs ${expected[i]}`);
  }
}

function randomArray(n: number, seed: number): Float32Array {
  const random = seededRandom(seed);
  return Float32Array.from({ length: n }, () => random() * 2 - 1);
}

type Shape4 = [number, number, number, number];

interface Case {
  x: Shape4;
  filter: Shape4;
  strides: number;
  pad: 'same' | 'valid';
}

const CASES: Case[] = [
  { x: [2, 5, 5, 1], filter: [3, 3, 1, 2], strides: 1, pad: 'valid' },
  { x: [2, 6, 6, 2], filter: [3, 3, 2, 3], strides: 2, pad: 'same' },
  { x: [1, 7, 5, 3], filter: [3, 2, 3, 2], strides: 2, pad: 'valid' },
  { x: [3, 4, 4, 2], filter: [2, 2, 2, 4], strides: 1, pad: 'same' },
];

/**
 * sum(conv2d(x, w) * dy) is linear in w, so its derivative along filter entry k
 * is the same sum with w = e_k: an oracle built only from the forward kernel.
 */
function oracle(c: Case, x: Float32Array, dy: tf.Tensor4D): Float32Array {
  const size = c.filter.reduce((a, b) => a * b, 1);
  const out = new Float32Array(size);
  const xt = tf.tensor4d(x, c.x);
  for (let k = 0; k < size; k++) {
    const unit = new Float32Array(size);
    unit[k] = 1;
    out[k] = tf.tidy(() => tf.sum(tf.mul(tf.conv2d(xt, tf.tensor4d(unit, c.filter), c.strides, c.pad), dy)).dataSync()[0]!);
  }
  xt.dispose();
  return out;
}

function gradientThroughKernel(c: Case, x: Float32Array, dy: tf.Tensor4D): Float32Array {
  return tf.tidy(() => {
    const xt = tf.tensor4d(x, c.x);
    const w = tf.tensor4d(randomArray(c.filter.reduce((a, b) => a * b, 1), 99), c.filter);
    const g = tf.grad((filter: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(xt, filter as tf.Tensor4D, c.strides, c.pad), dy)))(w);
    return g.dataSync() as Float32Array;
  });
}

// Runs first, while the cpu backend still has its stock kernel (installation is process-wide).
test('the typed-array sum agrees with the stock cpu kernel it replaces', async () => {
  assert.ok(await tf.setBackend('cpu'));
  for (const [i, c] of CASES.entries()) {
    const x = randomArray(c.x.reduce((a, b) => a * b, 1), 30 + i);
    const convInfo = tf.backend_util.computeConv2DInfo(c.x, c.filter, c.strides, 1, c.pad);
    const dyShape: Shape4 = [c.x[0], convInfo.outHeight, convInfo.outWidth, c.filter[3]];
    const dy = randomArray(dyShape.reduce((a, b) => a * b, 1), 40 + i);
    const stock = tf.tidy(() => (tf.engine().runKernel('Conv2DBackpropFilter', { x: tf.tensor4d(x, c.x), dy: tf.tensor4d(dy, dyShape) }, { strides: c.strides, pad: c.pad, dataFormat: 'NHWC', filterShape: c.filter }) as tf.Tensor).dataSync());
    expectArraysClose(conv2dBackpropFilterNHWC(x, c.x, dy, convInfo), stock, 1e-5, `case ${i}`);
  }
});

for (const backend of ['cpu', 'wasm'] as const) {
  test(`the installed ${backend} filter gradient matches the forward-conv oracle`, async () => {
    assert.ok(await tf.setBackend(backend), `backend ${backend} starts`);
    installConvFilterGradient(backend);
    for (const [i, c] of CASES.entries()) {
      const x = randomArray(c.x.reduce((a, b) => a * b, 1), 10 + i);
      const outShape = tf.tidy(() => tf.conv2d(tf.zeros(c.x) as tf.Tensor4D, tf.zeros(c.filter) as tf.Tensor4D, c.strides, c.pad).shape) as Shape4;
      const dy = tf.tensor4d(randomArray(outShape.reduce((a, b) => a * b, 1), 20 + i), outShape);
      const before = tf.memory().numTensors;
      const actual = gradientThroughKernel(c, x, dy);
      assert.equal(tf.memory().numTensors, before, 'no tensors leak');
      expectArraysClose(actual, oracle(c, x, dy), 1e-5, `${backend} case ${i}`);
      dy.dispose();
    }
  });
}

test('conv2dBackpropFilterNHWC rejects inputs that do not match the convolution', () => {
  const convInfo = tf.backend_util.computeConv2DInfo([1, 4, 4, 1], [3, 3, 1, 1], 1, 1, 'valid');
  assert.throws(() => conv2dBackpropFilterNHWC(new Float32Array(15), [1, 4, 4, 1], new Float32Array(4), convInfo), /x has the wrong length/);
  assert.throws(() => conv2dBackpropFilterNHWC(new Float32Array(16), [1, 4, 4, 1], new Float32Array(5), convInfo), /dy has the wrong length/);
  assert.throws(() => conv2dBackpropFilterNHWC(new Float32Array(16), [1, 4, 4, 2], new Float32Array(4), convInfo), /does not match/);
});

test('installConvFilterGradient names a bad backend', () => {
  assert.throws(() => installConvFilterGradient('webgl' as 'cpu'), /backendName must be 'cpu' or 'wasm'/);
});
