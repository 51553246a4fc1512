import { test } from 'node:test';
import assert from 'node:assert/strict';
import { exampleGaussianNoise, exampleInpaintingMask, exampleRandom } from '../../../src/engine/losses/exampleRandom';

test('a stream depends only on (seed, split, id)', () => {
  const a = exampleGaussianNoise(3, 'train', 17, 50, 0.5);
  exampleGaussianNoise(3, 'train', 16, 50, 0.5); // drawing other streams in between changes nothing
  assert.deepEqual(exampleGaussianNoise(3, 'train', 17, 50, 0.5), a);
  assert.notDeepEqual(exampleGaussianNoise(3, 'train', 18, 50, 0.5), a);
  assert.notDeepEqual(exampleGaussianNoise(3, 'test', 17, 50, 0.5), a);
  assert.notDeepEqual(exampleGaussianNoise(4, 'train', 17, 50, 0.5), a);
  assert.notDeepEqual(exampleGaussianNoise(3.5, 'train', 17, 50, 0.5), a);
  assert.notDeepEqual(exampleGaussianNoise(3, 'train', 17 + 2 ** 32, 50, 0.5), a);
});

test('a shorter stream is a prefix of a longer one', () => {
  const long = exampleGaussianNoise(1, 'test', 5, 101, 2);
  assert.deepEqual(exampleGaussianNoise(1, 'test', 5, 100, 2), long.subarray(0, 100));
});

test('uniform draws lie in [0, 1) and have mean 1/2, variance 1/12', () => {
  const random = exampleRandom(9, 'train', 0);
  const n = 100_000;
  let sum = 0;
  let sumSq = 0;
  for (let i = 0; i < n; i++) {
    const u = random();
    assert.ok(u >= 0 && u < 1);
    sum += u;
    sumSq += u * u;
  }
  const mean = sum / n;
  // 6 standard errors: sd(u) = 0.289, sd(mean) = 0.0009.
  assert.ok(Math.abs(mean - 0.5) < 0.0055, `mean ${mean}`);
  assert.ok(Math.abs(sumSq / n - mean * mean - 1 / 12) < 0.003, `variance ${sumSq / n - mean * mean}`);
});

test('noise has mean 0 and standard deviation std, also pooled over examples', () => {
  const std = 0.3;
  const values: number[] = [];
  for (let id = 0; id < 200; id++) values.push(...exampleGaussianNoise(7, 'train', id, 250, std));
  const n = values.length;
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const sd = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / n);
  assert.ok(Math.abs(mean) < (6 * std) / Math.sqrt(n), `mean ${mean}`);
  assert.ok(Math.abs(sd - std) < 0.01 * std + (6 * std) / Math.sqrt(2 * n), `sd ${sd}`);
  const tail = values.filter((v) => Math.abs(v) > 2 * std).length / n; // P(|z| > 2) = 0.0455
  assert.ok(Math.abs(tail - 0.0455) < 0.005, `tail ${tail}`);
});

test('std 0 gives zeros', () => {
  assert.ok(exampleGaussianNoise(1, 'train', 2, 9, 0).every((v) => v === 0));
});

test('an inpainting mask zeroes exactly round(fraction * size) entries, different ones per example', () => {
  for (const fraction of [0, 0.25, 0.5, 1]) {
    const mask = exampleInpaintingMask(2, 'train', 11, 784, fraction);
    assert.equal(mask.filter((v) => v === 0).length, Math.round(fraction * 784));
    assert.ok(mask.every((v) => v === 0 || v === 1));
  }
  assert.notDeepEqual(exampleInpaintingMask(2, 'train', 11, 784, 0.5), exampleInpaintingMask(2, 'train', 12, 784, 0.5));
  assert.deepEqual(exampleInpaintingMask(2, 'train', 11, 784, 0.5), exampleInpaintingMask(2, 'train', 11, 784, 0.5));
});

test('every feature is masked about equally often', () => {
  const counts = new Array<number>(10).fill(0);
  for (let id = 0; id < 2000; id++) exampleInpaintingMask(0, 'train', id, 10, 0.3).forEach((v, i) => (counts[i]! += v === 0 ? 1 : 0));
  // each count is Binomial(2000, 0.3): mean 600, sd 20.5
  for (const c of counts) assert.ok(Math.abs(c - 600) < 6 * 20.5, `count ${c}`);
});

test('bad keys and sizes are rejected with the argument named', () => {
  assert.throws(() => exampleRandom(Number.NaN, 'train', 0), /seed/);
  assert.throws(() => exampleRandom(0, 'valid' as 'train', 0), /split/);
  assert.throws(() => exampleRandom(0, 'train', -1), /example id/);
  assert.throws(() => exampleRandom(0, 'train', 1.5), /example id/);
  assert.throws(() => exampleGaussianNoise(0, 'train', 0, 3, -1), /std/);
  assert.throws(() => exampleInpaintingMask(0, 'train', 0, 3, 1.5), /maskFraction/);
  assert.throws(() => exampleInpaintingMask(0, 'train', 0, -3, 0.5), /size/);
});
