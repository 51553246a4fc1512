import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readIdxGz } from '../../../demo/formats';
import { seededRandom } from '../../../demo/template/data';
import { balancedSubset, makeDemoSubset, SOURCE_DIR, TEST_PER_CLASS, TRAIN_PER_CLASS } from '../../../scripts/make-demo-subset';

const DATA = join(__dirname, '..', '..', '..', 'demo', 'data');
const FILES = ['train-images-idx3', 'train-labels-idx1', 'test-images-idx3', 'test-labels-idx1'].map((f) => `fashion-mnist-${f}-ubyte.gz`);
const sourceInstalled = existsSync(join(SOURCE_DIR, 'train-images-idx3-ubyte.gz'));

test('balancedSubset takes perClass of each class, ascending, reproducibly', () => {
  const labels = Uint8Array.from({ length: 300 }, (_, i) => (i * 7) % 3);
  const subset = balancedSubset(labels, 3, 20, seededRandom(1));
  assert.equal(subset.length, 60);
  assert.deepEqual(subset, [...subset].sort((a, b) => a - b));
  assert.equal(new Set(subset).size, 60);
  for (let c = 0; c < 3; c++) assert.equal(subset.filter((i) => labels[i] === c).length, 20);
  assert.deepEqual(subset, balancedSubset(labels, 3, 20, seededRandom(1)));
  assert.notDeepEqual(subset, balancedSubset(labels, 3, 20, seededRandom(2)));
  assert.throws(() => balancedSubset(labels, 4, 20, seededRandom(1)), /class 3 has 0 examples, fewer than 20/);
});

test('the committed subset is class-balanced and documented', () => {
  const train = readIdxGz(join(DATA, FILES[1]!));
  const test = readIdxGz(join(DATA, FILES[3]!));
  assert.deepEqual(readIdxGz(join(DATA, FILES[0]!)).shape, [6000, 28, 28]);
  assert.deepEqual(readIdxGz(join(DATA, FILES[2]!)).shape, [1000, 28, 28]);
  for (let c = 0; c < 10; c++) {
    assert.equal(train.data.filter((l) => l === c).length, TRAIN_PER_CLASS);
    assert.equal(test.data.filter((l) => l === c).length, TEST_PER_CLASS);
  }
  const indices = JSON.parse(readFileSync(join(DATA, 'subset-indices.json'), 'utf8')) as { train: number[]; test: number[] };
  assert.equal(indices.train.length, 6000);
  assert.equal(indices.test.length, 1000);
  const readme = readFileSync(join(DATA, 'README.md'), 'utf8');
  assert.match(readme, /MIT/);
  assert.match(readme, /Zalando Research/);
  assert.match(readme, /https:\/\/github\.com\/zalandoresearch\/fashion-mnist/);
});

test('the committed subset is exactly what make-demo-data builds from the Debian files', { skip: !sourceInstalled && `${SOURCE_DIR} not installed` }, () => {
  const out = mkdtempSync(join(tmpdir(), 'demo-subset-'));
  try {
    const picked = makeDemoSubset(SOURCE_DIR, out);
    for (const file of [...FILES, 'subset-indices.json', 'README.md']) {
      assert.deepEqual(readFileSync(join(out, file)), readFileSync(join(DATA, file)), `${file} is reproducible`);
    }
    // Provenance: row i of the subset is image picked.train[i] of the original file.
    const original = readIdxGz(join(SOURCE_DIR, 't10k-images-idx3-ubyte.gz'));
    const subset = readIdxGz(join(DATA, FILES[2]!));
    for (const row of [0, 500, 999]) {
      const from = picked.test[row]! * 784;
      assert.deepEqual(subset.data.subarray(row * 784, (row + 1) * 784), original.data.subarray(from, from + 784), `test row ${row}`);
    }
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
