import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { inferFormat, loadDataset } from '../../../src/engine/data/dataset';
import { DataFileError } from '../../../src/engine/data/errors';
import { writeNpy } from '../../../src/engine/data/npy';
import { writeNpz } from '../../../src/engine/data/npz';
import { expectArraysClose, expectDataError, idxBytes, withTempDir } from './helpers';

test('format inference from file names', () => {
  assert.equal(inferFormat('/d/train-images-idx3-ubyte.gz', false), 'idx');
  assert.equal(inferFormat('/d/t10k-labels-idx1-ubyte', false), 'idx');
  assert.equal(inferFormat('/d/x.idx', false), 'idx');
  assert.equal(inferFormat('/d/X.NPY', false), 'npy');
  assert.equal(inferFormat('/d/x.npz', false), 'npz');
  assert.equal(inferFormat('/d/x.csv', false), 'csv');
  assert.equal(inferFormat('/d/x.jsonl', false), 'jsonl');
  assert.equal(inferFormat('/d/imgs', true), 'png-folder');
  assert.equal(inferFormat('/d/x.csv.gz', false), undefined);
  assert.equal(inferFormat('/d/x.bin', false), undefined);
});

test('IDX images (gzipped) with IDX labels: [H, W, 1] examples, scale, labels', async () => {
  await withTempDir(async (dir) => {
    const pixels = Array.from({ length: 2 * 2 * 3 }, (_, i) => i * 20);
    await writeFile(path.join(dir, 'imgs-idx3-ubyte.gz'), gzipSync(idxBytes(0x08, [2, 2, 3], pixels)));
    await writeFile(path.join(dir, 'lbl-idx1-ubyte'), idxBytes(0x08, [2], [4, 9]));
    const dataset = await loadDataset({ path: 'imgs-idx3-ubyte.gz', labels: { path: 'lbl-idx1-ubyte' }, scale: 0.5 }, dir);
    assert.equal(dataset.file, path.join(dir, 'imgs-idx3-ubyte.gz'));
    assert.equal(dataset.count, 2);
    assert.deepEqual(dataset.exampleShape, [2, 3, 1]);
    expectArraysClose(dataset.values, pixels.map((p) => p * 0.5), 0);
    assert.deepEqual([...dataset.labels!], [4, 9]);
    assert.equal(dataset.labelFile, path.join(dir, 'lbl-idx1-ubyte'));
    assert.equal(dataset.sourceLines, undefined);
  });
});

test('.npy examples of rank 1 get shape [1]; rank 4 keeps its channels', async () => {
  await withTempDir(async (dir) => {
    await writeFile(path.join(dir, 'v.npy'), writeNpy([3], 'float32', [1, 2, 3]));
    const flat = await loadDataset({ path: 'v.npy' }, dir);
    assert.deepEqual(flat.exampleShape, [1]);
    assert.equal(flat.count, 3);
    await writeFile(path.join(dir, 'c.npy'), writeNpy([2, 1, 1, 3], 'uint8', [1, 2, 3, 4, 5, 6]));
    assert.deepEqual((await loadDataset({ path: 'c.npy' }, dir)).exampleShape, [1, 1, 3]);
    await writeFile(path.join(dir, 's.npy'), writeNpy([], 'float32', [1]));
    await expectDataError(() => loadDataset({ path: 's.npy' }, dir), /holds a scalar/);
  });
});

test('.npz data and labels are picked by key (labels.column names the array)', async () => {
  await withTempDir(async (dir) => {
    await writeFile(
      path.join(dir, 'd.npz'),
      writeNpz({ x: writeNpy([2, 2], 'float32', [0.5, 1, 1.5, 2]), y: writeNpy([2], 'int32', [1, 0]) }, { deflate: true }),
    );
    const dataset = await loadDataset({ path: 'd.npz', key: 'x', labels: { path: 'd.npz', column: 'y' } }, dir);
    assert.deepEqual([...dataset.values], [0.5, 1, 1.5, 2]);
    assert.deepEqual([...dataset.labels!], [1, 0]);
    await expectDataError(() => loadDataset({ path: 'd.npz' }, dir), /holds 2 arrays \("x", "y"\)/);
  });
});

test('CSV with a label column: features, sorted label names and source lines', async () => {
  await withTempDir(async (dir) => {
    await writeFile(path.join(dir, 't.csv'), 'a,b,kind\n1,2,zebra\n"3",4,ant\n\n5,6,zebra\n');
    const dataset = await loadDataset({ path: 't.csv', labelColumn: 'kind', scale: 2 }, dir);
    assert.equal(dataset.count, 3);
    assert.deepEqual(dataset.exampleShape, [2]);
    assert.deepEqual(dataset.columns, ['a', 'b']);
    assert.deepEqual([...dataset.values], [2, 4, 6, 8, 10, 12]);
    assert.deepEqual(dataset.labelNames, ['ant', 'zebra']);
    assert.deepEqual([...dataset.labels!], [1, 0, 1]);
    assert.equal(dataset.labelFile, path.join(dir, 't.csv'));
    assert.deepEqual([...dataset.sourceLines!], [2, 3, 5]);
  });
});

test('CSV with a separate labels file: sourceLines point into the labels file', async () => {
  await withTempDir(async (dir) => {
    await writeFile(path.join(dir, 'x.csv'), 'f\n1\n2\n3\n');
    await writeFile(path.join(dir, 'y.csv'), 'id,target\n\n7,"2"\n8,0\n9,1\n');
    const dataset = await loadDataset({ path: 'x.csv', labels: { path: 'y.csv', column: 'target' } }, dir);
    assert.deepEqual([...dataset.labels!], [2, 0, 1]);
    assert.equal(dataset.labelNames, undefined);
    assert.equal(dataset.labelFile, path.join(dir, 'y.csv'));
    assert.deepEqual([...dataset.sourceLines!], [3, 4, 5]);
    await writeFile(path.join(dir, 'short.csv'), 'label\n1\n2\n');
    await expectDataError(() => loadDataset({ path: 'x.csv', labels: { path: 'short.csv' } }, dir), /holds 2 labels, but .*x\.csv holds 3 examples/, path.join(dir, 'short.csv'));
    await writeFile(path.join(dir, 'neg.csv'), 'label\n1\n-2\n0\n');
    await expectDataError(() => loadDataset({ path: 'x.csv', labels: { path: 'neg.csv' } }, dir), /line 3: label -2 is not a class index/);
  });
});

test('label count mismatch for array labels names the labels file', async () => {
  await withTempDir(async (dir) => {
    await writeFile(path.join(dir, 'x.npy'), writeNpy([3, 2], 'float32', [1, 2, 3, 4, 5, 6]));
    await writeFile(path.join(dir, 'y.npy'), writeNpy([4], 'int32', [0, 1, 2, 3]));
    await expectDataError(() => loadDataset({ path: 'x.npy', labels: { path: 'y.npy' } }, dir), /holds 4 labels, but .* holds 3 examples/, path.join(dir, 'y.npy'));
    await writeFile(path.join(dir, 'f.npy'), writeNpy([3], 'float32', [0, 1.5, 2]));
    await expectDataError(() => loadDataset({ path: 'x.npy', labels: { path: 'f.npy' } }, dir), /label 1 is 1.5, not a class index/);
  });
});

test('JSONL dataset with numeric labels', async () => {
  await withTempDir(async (dir) => {
    await writeFile(path.join(dir, 'd.jsonl'), '{"x":[1,2],"y":1}\n\n{"x":[3,4],"y":0}\n');
    const dataset = await loadDataset({ path: 'd.jsonl', labelColumn: 'y' }, dir);
    assert.deepEqual(dataset.exampleShape, [2]);
    assert.deepEqual([...dataset.values], [1, 2, 3, 4]);
    assert.deepEqual([...dataset.labels!], [1, 0]);
    assert.deepEqual([...dataset.sourceLines!], [1, 3]);
    await writeFile(path.join(dir, 'bad.jsonl'), '{"x":[1,2],"y":1}\n{"x":[3,4],"y":0\n');
    await expectDataError(() => loadDataset({ path: 'bad.jsonl', labelColumn: 'y' }, dir), /line 2: is not valid JSON/, path.join(dir, 'bad.jsonl'));
  });
});

test('paths must stay inside the base folder, also through symlinks', async () => {
  await withTempDir(async (dir) => {
    const base = path.join(dir, 'run');
    await mkdir(base);
    await writeFile(path.join(dir, 'secret.csv'), 'x\n1\n');
    await writeFile(path.join(base, 'ok.csv'), 'x\n1\n');
    await expectDataError(() => loadDataset({ path: '../secret.csv' }, base), /contains '\.\.'/);
    await expectDataError(() => loadDataset({ path: path.join(dir, 'secret.csv') }, base), /is an absolute path/);
    await expectDataError(() => loadDataset({ path: 'ok.csv', labels: { path: '../secret.csv' } }, base), /contains '\.\.'/);
    await symlink(path.join(dir, 'secret.csv'), path.join(base, 'link.csv'));
    await expectDataError(() => loadDataset({ path: 'link.csv' }, base), /resolves to .*secret\.csv, outside/, path.join(base, 'link.csv'));
    await symlink(dir, path.join(base, 'up'));
    await expectDataError(() => loadDataset({ path: 'up/secret.csv' }, base), /outside/);
    await symlink('ok.csv', path.join(base, 'inside.csv'));
    assert.equal((await loadDataset({ path: 'inside.csv' }, base)).count, 1);
    await expectDataError(() => loadDataset({ path: 'missing.csv' }, base), /does not exist/, path.join(base, 'missing.csv'));
  });
});

test('files over the size cap are refused before reading; decoded data is capped too', async () => {
  await withTempDir(async (dir) => {
    await writeFile(path.join(dir, 'big.npy'), writeNpy([1000], 'uint8', new Array(1000).fill(1)));
    await expectDataError(() => loadDataset({ path: 'big.npy' }, dir, { maxBytes: 512 }), /is 1\d{3} bytes, more than the limit of 512/);
    await expectDataError(() => loadDataset({ path: 'big.npy' }, dir, { maxBytes: 2048 }), /more than fit in the 2048-byte limit as float32/);
    await writeFile(path.join(dir, 'bomb-idx1-ubyte.gz'), gzipSync(idxBytes(0x08, [100_000], new Array(100_000).fill(0))));
    await expectDataError(() => loadDataset({ path: 'bomb-idx1-ubyte.gz' }, dir, { maxBytes: 4096 }), /decompresses to more than the limit of 4096 bytes/);
  });
});

test('spec options that do not fit the format are errors', async () => {
  await withTempDir(async (dir) => {
    await writeFile(path.join(dir, 'x.npy'), writeNpy([2], 'uint8', [1, 2]));
    await writeFile(path.join(dir, 'x.csv'), 'a,label\n1,2\n');
    await writeFile(path.join(dir, 'x.bin'), 'zz');
    await expectDataError(() => loadDataset({ path: 'x.npy', key: 'a' }, dir), /"key" only applies to \.npz/);
    await expectDataError(() => loadDataset({ path: 'x.npy', labelColumn: 'a' }, dir), /"labelColumn" only applies/);
    await expectDataError(() => loadDataset({ path: 'x.csv', labelColumn: 'label', labels: { path: 'x.csv' } }, dir), /either "labelColumn" or "labels"/);
    await expectDataError(() => loadDataset({ path: 'x.bin' }, dir), /no recognisable extension; set "format"/);
    await expectDataError(() => loadDataset({ path: 'x.bin', format: 'npy' }, dir), /missing the \\x93NUMPY magic/);
    await expectDataError(() => loadDataset({ path: '.', format: 'csv' }, dir), /is a folder, but the format is csv/);
    await expectDataError(() => loadDataset({ path: 'x.csv', format: 'png-folder' }, dir), /png-folder format needs a folder/);
  });
});

test('an aborted signal rejects with the abort reason, not a DataFileError', async () => {
  await withTempDir(async (dir) => {
    await writeFile(path.join(dir, 'x.npy'), writeNpy([2], 'uint8', [1, 2]));
    const controller = new AbortController();
    controller.abort(new Error('stop'));
    await assert.rejects(loadDataset({ path: 'x.npy' }, dir, { signal: controller.signal }), (error) => !(error instanceof DataFileError) && (error as Error).message === 'stop');
  });
});

const FASHION = '/usr/share/datasets/fashion-mnist';

test('Fashion-MNIST t10k loads through loadDataset (skipped when the files are absent)', async (t) => {
  if (!existsSync(path.join(FASHION, 't10k-labels-idx1-ubyte.gz')) || !existsSync(path.join(FASHION, 't10k-images-idx3-ubyte.gz'))) {
    t.skip(`${FASHION} is not present`);
    return;
  }
  const dataset = await loadDataset({ path: 't10k-images-idx3-ubyte.gz', labels: { path: 't10k-labels-idx1-ubyte.gz' }, scale: 1 / 255 }, FASHION);
  assert.equal(dataset.count, 10_000);
  assert.deepEqual(dataset.exampleShape, [28, 28, 1]);
  assert.equal(dataset.values.length, 10_000 * 28 * 28);
  let min = Infinity;
  let max = -Infinity;
  for (const v of dataset.values) {
    min = Math.min(min, v);
    max = Math.max(max, v);
  }
  assert.equal(min, 0);
  assert.equal(max, 1);
  // The Fashion-MNIST test split is balanced: 1000 examples of each of the 10 classes.
  const perClass = new Array<number>(10).fill(0);
  for (const label of dataset.labels!) perClass[label]!++;
  assert.deepEqual(perClass, new Array(10).fill(1000));
  const labelsOnly = await loadDataset({ path: 't10k-labels-idx1-ubyte.gz' }, FASHION);
  assert.deepEqual(labelsOnly.exampleShape, [1]);
  assert.deepEqual([...labelsOnly.values.subarray(0, 100)], [...dataset.labels!.subarray(0, 100)]);
});
