/**
 * The Fourier representation on the wasm backend, which has no Complex/FFT
 * kernels (so tf.spectral.fft cannot run there; dft2 uses real matrix products).
 */
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { dft2, fourierRepresentation, inverseDft2 } from '../../../src/engine/semantic/fourier';
import { semanticShapley } from '../../../src/engine/semantic/semanticShapley';
import type { ScoreFunction } from '../../../src/engine/semantic/types';
import { startWasm } from '../backend/backendTestUtils';
import { expectClose, expectNoLeak, seededValues } from '../metrics/testUtils';
import { bandPass, channelPlane, naiveDft2 } from './fourierOracle';
import { rows, sum } from './semanticTestUtils';

before(startWasm);

test('on wasm, dft2 equals the definition and the round trip reproduces the image', async () => {
  const [h, w, c] = [6, 7, 3];
  const values = seededValues(h * w * c, 201, 0, 1);
  await expectNoLeak(async () => {
    const x = tf.tensor(values, [1, h, w, c]);
    const z = dft2(x);
    const got = await z.data();
    for (let ch = 0; ch < c; ch++) {
      const { re, im } = naiveDft2(channelPlane(values, h, w, c, ch), h, w);
      expectClose(Array.from({ length: h * w }, (_, p) => got[(p * c + ch) * 2]!), re, 2e-5, 1e-5);
      expectClose(Array.from({ length: h * w }, (_, p) => got[(p * c + ch) * 2 + 1]!), im, 2e-5, 1e-5);
    }
    const back = inverseDft2(z);
    expectClose(await back.data(), values, 2e-6, 0);
    tf.dispose([x, z, back]);
  });
});

test('on wasm, exact Fourier Shapley values of a linear model match the band-pass oracle and are efficient', async () => {
  const [h, w, c] = [6, 6, 1];
  const size = h * w * c;
  const weights = seededValues(size, 202, -1, 1);
  const score: ScoreFunction = (x) => tf.tidy(() => tf.sum(tf.mul(tf.reshape(x, [x.shape[0]!, -1]), tf.tensor1d(weights)), 1) as tf.Tensor1D);
  const representation = fourierRepresentation([h, w, c], { bins: 4 });
  const xValues = seededValues(size, 203, -1, 1);
  const bValues = seededValues(3 * size, 204, -1, 1);
  const expected = Array.from({ length: 4 }, (_, b) => {
    const keep = (p: number) => representation.binning.binOf[p] === b;
    const ofX = bandPass(xValues, h, w, c, keep).values;
    const ofBackground = rows(bValues, size).map((v) => bandPass(v, h, w, c, keep).values);
    let value = 0;
    for (let i = 0; i < size; i++) value += weights[i]! * (ofX[i]! - (ofBackground[0]![i]! + ofBackground[1]![i]! + ofBackground[2]![i]!) / 3);
    return value;
  });
  await expectNoLeak(async () => {
    const input = tf.tensor(xValues, [1, h, w, c]);
    const background = tf.tensor(bValues, [3, h, w, c]);
    const result = await semanticShapley(representation, score, input, background, { batchSize: 10 });
    expectClose(result.values, expected, 5e-5, 1e-4);
    expectClose(sum(result.values), result.fullValue - result.emptyValue, 1e-9, 1e-9);
    tf.dispose([input, background]);
  });
});
