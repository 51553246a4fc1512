import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { blurredBaseline, fileBaseline, meanBaseline, uniformNoiseBaseline, zerosBaseline } from '../../../src/engine/attribution/baselines';
import { expectClose, expectNoLeak, seededValues } from '../metrics/testUtils';
import { useCpu, valuesOf } from './attributionTestUtils';

/** Reads a tensor and disposes it. */
async function take(t: tf.Tensor): Promise<Float32Array> {
  const values = Float32Array.from(await t.data());
  t.dispose();
  return values;
}

before(useCpu);

test('zeros and training-mean baselines', async () => {
  await expectNoLeak(async () => {
    const x = tf.tensor(seededValues(6, 1, 0, 1), [1, 2, 3]);
    const zeros = zerosBaseline(x);
    const dataValues = seededValues(4 * 6, 2, 0, 1);
    const data = tf.tensor(dataValues, [4, 2, 3]);
    const mean = meanBaseline(data, x);
    assert.deepEqual(mean.shape, [1, 2, 3]);
    expectClose(await valuesOf(zeros), new Float32Array(6), 0, 0);
    expectClose(await valuesOf(mean), Array.from({ length: 6 }, (_, i) => (dataValues[i]! + dataValues[6 + i]! + dataValues[12 + i]! + dataValues[18 + i]!) / 4), 1e-6, 1e-6);
    const wrong = tf.zeros([4, 3, 2]);
    assert.throws(() => meanBaseline(wrong, x), /dataset must have shape \[N, 2, 3\] with N >= 1, got \[4, 3, 2\]/);
    tf.dispose([x, zeros, data, mean, wrong]);
  });
});

test('the blurred baseline: a point blurs into the separable Gaussian, a constant stays constant, sigma 0 is the identity', async () => {
  const [h, w] = [21, 21];
  const sigma = 1.5;
  await expectNoLeak(async () => {
    const pointValues = new Float32Array(h * w * 2);
    pointValues[(10 * w + 10) * 2 + 1] = 1; // channel 1 only
    const point = tf.tensor(pointValues, [1, h, w, 2]);
    const blurred = await take(blurredBaseline(point, sigma));
    const radius = Math.ceil(3 * sigma);
    const g = (d: number) => (Math.abs(d) > radius ? 0 : Math.exp(-(d * d) / (2 * sigma * sigma)));
    let norm = 0;
    for (let d = -radius; d <= radius; d++) norm += g(d);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        expectClose(blurred[(y * w + x) * 2 + 1]!, (g(y - 10) * g(x - 10)) / (norm * norm), 1e-7, 1e-5);
        assert.equal(blurred[(y * w + x) * 2], 0, 'channels are blurred separately');
      }
    }
    const constant = tf.fill([1, 6, 7, 1], 0.4);
    expectClose(await take(blurredBaseline(constant, 3)), new Float32Array(42).fill(0.4), 1e-6, 1e-6);
    expectClose(await take(blurredBaseline(point, 0)), pointValues, 0, 0);
    tf.dispose([point, constant]);
  });
});

test('uniform noise is seeded and inside its range', async () => {
  await expectNoLeak(async () => {
    const x = tf.zeros([1, 10, 10]);
    const a = await take(uniformNoiseBaseline(x, { low: -1, high: 2, seed: 4 }));
    const b = await take(uniformNoiseBaseline(x, { low: -1, high: 2, seed: 4 }));
    const c = await take(uniformNoiseBaseline(x, { low: -1, high: 2, seed: 5 }));
    assert.deepEqual(Array.from(a), Array.from(b));
    assert.notDeepEqual(Array.from(a), Array.from(c));
    for (const v of a) assert.ok(v >= -1 && v < 2);
    assert.throws(() => uniformNoiseBaseline(x, { low: 1, high: 0 }), /high must be >= low/);
    x.dispose();
  });
});

test('a file baseline must match the input shape, and errors name the file', async () => {
  const x = tf.zeros([1, 2, 3]);
  const values = seededValues(6, 6, 0, 1);
  for (const shape of [[1, 2, 3], [2, 3]]) {
    const b = fileBaseline(values, shape, x, 'base.npy');
    assert.deepEqual(b.shape, [1, 2, 3]);
    expectClose(await valuesOf(b), values, 0, 0);
    b.dispose();
  }
  assert.throws(() => fileBaseline(values, [3, 2], x, 'base.npy'), /base\.npy: baseline shape \[3, 2\] does not match the input shape \[1, 2, 3\]/);
  assert.throws(() => fileBaseline(values.subarray(1), [2, 3], x, 'base.npy'), /base\.npy: holds 5 values but shape \[2, 3\] needs 6/);
  assert.throws(() => fileBaseline(new Float32Array(6).fill(Infinity), [2, 3], x, 'base.npy'), /base\.npy: the baseline holds a non-finite value at flat index 0/);
  x.dispose();
});
