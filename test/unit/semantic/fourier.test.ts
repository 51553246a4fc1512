import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { dft2, fourierBins, fourierRepresentation, frequencyRadii, inverseDft2 } from '../../../src/engine/semantic/fourier';
import { semanticShapley } from '../../../src/engine/semantic/semanticShapley';
import type { ScoreFunction } from '../../../src/engine/semantic/types';
import { useCpu } from '../attribution/attributionTestUtils';
import { expectClose, expectNoLeak, seededValues } from '../metrics/testUtils';
import { bandPass, channelPlane, naiveDft2 } from './fourierOracle';
import { maxAbs, rows, sum } from './semanticTestUtils';

before(useCpu);

test('dft2 equals the definition (numpy.fft.fft2 layout) on non-square images with and without channels', async () => {
  await expectNoLeak(async () => {
    for (const [b, h, w, c] of [
      [2, 5, 6, 3],
      [1, 4, 7, 0],
      [1, 1, 1, 1],
    ] as const) {
      const shape = c === 0 ? [b, h, w] : [b, h, w, c];
      const channels = Math.max(c, 1);
      const values = seededValues(b * h * w * channels, 7 + h, -1, 1);
      const x = tf.tensor(values, shape);
      const z = dft2(x);
      assert.deepEqual(z.shape, [...shape, 2]);
      const got = await z.data();
      for (let e = 0; e < b; e++) {
        const example = values.subarray(e * h * w * channels, (e + 1) * h * w * channels);
        for (let ch = 0; ch < channels; ch++) {
          const { re, im } = naiveDft2(channelPlane(example, h, w, channels, ch), h, w);
          const at = (p: number, part: number) => got[((e * h * w + p) * channels + ch) * 2 + part]!;
          expectClose(Array.from({ length: h * w }, (_, p) => at(p, 0)), re, 2e-5, 1e-5);
          expectClose(Array.from({ length: h * w }, (_, p) => at(p, 1)), im, 2e-5, 1e-5);
        }
      }
      tf.dispose([x, z]);
    }
  });
});

test('round trip x -> z -> x reproduces the image to float32 rounding', async () => {
  await expectNoLeak(async () => {
    for (const shape of [
      [3, 8, 8, 3],
      [2, 16, 12, 1],
      [2, 7, 5],
      [1, 32, 32, 3],
    ]) {
      const size = shape.reduce((a, v) => a * v, 1);
      const values = seededValues(size, shape[1]!, 0, 1);
      const x = tf.tensor(values, shape);
      const back = tf.tidy(() => inverseDft2(dft2(x)));
      assert.deepEqual(back.shape, shape);
      // An unnormalised forward transform and a 1/(HW) inverse in float32: errors of order 1e-7 x sqrt(H W).
      expectClose(await back.data(), values, 2e-6, 0);
      const representation = fourierRepresentation(shape.slice(1));
      const again = tf.tidy(() => representation.decode(representation.encode(x)));
      expectClose(await again.data(), values, 2e-6, 0);
      tf.dispose([x, back, again]);
    }
  });
});

test('radius bins: conjugate modes share a bin, equal widths up to the corner, edge radii go to the upper bin, empty bins are refused', () => {
  const radii = frequencyRadii(8, 6);
  expectClose(radii[0]!, 0, 0, 0);
  expectClose(radii[1 * 6 + 0]!, 1 / 8, 1e-15, 0);
  expectClose(radii[7 * 6 + 5]!, Math.hypot(1 / 8, 1 / 6), 1e-15, 0);
  expectClose(radii[4 * 6 + 3]!, Math.hypot(0.5, 0.5), 1e-15, 0);
  const { binOf, edges, modesPerBin } = fourierBins(8, 6, { bins: 5 });
  for (let k = 0; k < 8; k++) for (let l = 0; l < 6; l++) assert.equal(binOf[k * 6 + l], binOf[((8 - k) % 8) * 6 + ((6 - l) % 6)], `mode (${k}, ${l})`);
  expectClose(edges[5]!, Math.hypot(0.5, 0.5), 1e-15, 0);
  assert.equal(sum(modesPerBin), 48);
  assert.equal(binOf[4 * 6 + 3], 4, 'the corner mode is in the last (closed) bin');
  for (let p = 0; p < 48; p++) assert.ok(radii[p]! >= edges[binOf[p]!]! - 1e-12 && (radii[p]! < edges[binOf[p]! + 1]! || binOf[p] === 4));
  // 8 x 8 with 4 bins: the edge is sqrt(2)/8 exactly, the radius of mode (1, 1), which goes up.
  const square = fourierBins(8, 8, { bins: 4 });
  assert.equal(square.binOf[1 * 8 + 1], 1);
  assert.equal(square.binOf[1 * 8 + 0], 0);
  // Radii are sqrt(k^2 + l^2) / 8: below 0.1 only (0, 0); below 0.3 k^2 + l^2 in {1, 2, 4, 5} (4 + 4 + 4 + 8 modes).
  assert.deepEqual(Array.from(fourierBins(8, 8, { edges: [0, 0.1, 0.3, 1] }).modesPerBin), [1, 20, 43]);
  assert.throws(() => fourierBins(2, 2, { bins: 8 }), /bins: bin 1 .* holds no Fourier mode of a 2 x 2 image/);
  assert.throws(() => fourierBins(8, 8, { edges: [0, 0.2, 0.5] }), /edges end at 0.5 but mode \(4, 4\) has radius 0.7071/);
  assert.throws(() => fourierBins(8, 8, { edges: [0, 0.3, 0.2, 1] }), /strictly ascending/);
  assert.throws(() => fourierBins(8, 8, { bins: 3, edges: [0, 1] }), /either bins or edges/);
  assert.throws(() => fourierRepresentation([8]), /exampleShape must be \[H, W\] or \[H, W, C\]/);
});

test('a model that sees only the lowest frequencies gives exactly-dummy high-frequency bins; values are efficient', async () => {
  const [h, w, c] = [8, 8, 2];
  // f depends on sum x cos(2 pi row / 8) (= Re Z[1, 0] + Re Z[7, 0], radius 1/8) and the mean (Z[0, 0]): bin 0 only.
  const cosRow = Float32Array.from({ length: h * w * c }, (_, i) => Math.cos((2 * Math.PI * Math.floor(i / (w * c))) / h));
  const score: ScoreFunction = (x) =>
    tf.tidy(() => {
      const flat = tf.reshape(x, [x.shape[0]!, -1]);
      const projection = tf.sum(tf.mul(flat, tf.tensor1d(cosRow)), 1);
      return tf.add(tf.tanh(tf.mul(projection, 0.1)), tf.square(tf.mean(flat, 1))) as tf.Tensor1D;
    });
  const representation = fourierRepresentation([h, w, c], { bins: 4 });
  assert.equal(representation.binning.binOf[1 * w], 0);
  assert.equal(representation.binning.binOf[7 * w], 0);
  await expectNoLeak(async () => {
    // An input with a strong row-cosine pattern, so the low frequencies carry a clear value.
    const xValues = seededValues(h * w * c, 1, 0, 0.3).map((v, i) => v + 0.5 + 0.3 * cosRow[i]!);
    const input = tf.tensor(xValues, [1, h, w, c]);
    const background = tf.tensor(seededValues(3 * h * w * c, 2, 0, 1), [3, h, w, c]);
    const result = await semanticShapley(representation, score, input, background, { batchSize: 16 });
    assert.equal(result.values.length, 4);
    const scale = maxAbs(result.values);
    assert.ok(Math.abs(result.values[0]!) > 0.05, `bin 0 carries the value, got ${result.values[0]}`);
    for (let b = 1; b < 4; b++) assert.ok(Math.abs(result.values[b]!) < 1e-5 * Math.max(scale, 1), `bin ${b}: ${result.values[b]}`);
    expectClose(sum(result.values), result.fullValue - result.emptyValue, 1e-9, 1e-9);
    assert.deepEqual(result.featureNames, representation.featureNames);
    tf.dispose([input, background]);
  });
});

test('for a linear model, the value of a bin is w . (band-pass(x) - mean band-pass(background)), computed by plain DFTs', async () => {
  const [h, w, c] = [6, 5, 2];
  const size = h * w * c;
  const weights = seededValues(size, 3, -1, 1);
  const score: ScoreFunction = (x) => tf.tidy(() => tf.sum(tf.mul(tf.reshape(x, [x.shape[0]!, -1]), tf.tensor1d(weights)), 1) as tf.Tensor1D);
  const representation = fourierRepresentation([h, w, c], { bins: 3 });
  const xValues = seededValues(size, 4, -1, 1);
  const bValues = seededValues(2 * size, 5, -1, 1);
  const expected = Array.from({ length: 3 }, (_, b) => {
    const keep = (p: number) => representation.binning.binOf[p] === b;
    const ofX = bandPass(xValues, h, w, c, keep);
    assert.ok(ofX.maxImaginary < 1e-12, 'bins are closed under conjugation, so band-passed images are real');
    const ofBackground = rows(bValues, size).map((v) => bandPass(v, h, w, c, keep).values);
    let value = 0;
    for (let i = 0; i < size; i++) value += weights[i]! * (ofX.values[i]! - (ofBackground[0]![i]! + ofBackground[1]![i]!) / 2);
    return value;
  });
  await expectNoLeak(async () => {
    const input = tf.tensor(xValues, [1, h, w, c]);
    const background = tf.tensor(bValues, [2, h, w, c]);
    const exact = await semanticShapley(representation, score, input, background);
    expectClose(exact.values, expected, 5e-5, 1e-4);
    tf.dispose([input, background]);
  });
});

test('Fourier encode and decode name the expected shape when given the wrong one', () => {
  const representation = fourierRepresentation([8, 8, 3]);
  const wrong = tf.zeros([1, 8, 8]);
  assert.throws(() => representation.encode(wrong), /Fourier encode input \(example shape \[8, 8, 3\]\) must have shape \[B, 8, 8, 3\], got \[1, 8, 8\]/);
  assert.throws(() => representation.decode(wrong), /Fourier decode input must have shape \[B, 8, 8, 3, 2\]/);
  assert.throws(() => dft2(tf.zeros([8, 8]) as tf.Tensor), /dft2 input must have shape/);
  wrong.dispose();
});
