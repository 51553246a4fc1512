import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { deflateSync } from 'node:zlib';
import { PNG } from 'pngjs';
import { crc32 } from '../../../src/engine/data/crc32';
import { loadDataset } from '../../../src/engine/data/dataset';
import { decodePng } from '../../../src/engine/data/png';
import { expectArraysClose, expectDataError, withTempDir } from './helpers';

type Rgba = [number, number, number, number];

function pngBytes(width: number, height: number, pixel: (x: number, y: number) => Rgba, colorType: 0 | 2 | 4 | 6): Buffer {
  const png = new PNG({ width, height });
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) png.data.set(pixel(x, y), (y * width + x) * 4);
  }
  return PNG.sync.write(png, { colorType });
}

const gray = (v: number): Rgba => [v, v, v, 255];
/** A distinct, exactly representable value per image and pixel. */
const grayValue = (image: number, x: number, y: number): number => image * 40 + y * 10 + x;

async function grayFolder(dir: string, labelsCsv: string, images = 3, width = 2, height = 3): Promise<string> {
  const folder = path.join(dir, 'imgs');
  await mkdir(folder, { recursive: true });
  for (let i = 0; i < images; i++) await writeFile(path.join(folder, `${i}.png`), pngBytes(width, height, (x, y) => gray(grayValue(i, x, y)), 0));
  await writeFile(path.join(folder, 'labels.csv'), labelsCsv);
  return folder;
}

test('grayscale PNG folder: [H, W, 1] examples, scaled pixels, labels and lines', async () => {
  await withTempDir(async (dir) => {
    const folder = await grayFolder(dir, 'file,label\n0.png,shirt\n\n1.png,boot\n2.png,shirt\n');
    const dataset = await loadDataset({ path: 'imgs', scale: 1 / 255 }, dir);
    assert.equal(dataset.file, folder);
    assert.equal(dataset.count, 3);
    assert.deepEqual(dataset.exampleShape, [3, 2, 1]);
    const expected: number[] = [];
    for (let i = 0; i < 3; i++) for (let y = 0; y < 3; y++) for (let x = 0; x < 2; x++) expected.push(grayValue(i, x, y) / 255);
    expectArraysClose(dataset.values, expected, 1e-7);
    assert.deepEqual(dataset.labelNames, ['boot', 'shirt']);
    assert.deepEqual([...dataset.labels!], [1, 0, 1]);
    assert.equal(dataset.labelFile, path.join(folder, 'labels.csv'));
    assert.deepEqual([...dataset.sourceLines!], [2, 4, 5]);
  });
});

test('RGB and RGBA PNGs give 3 channels with alpha dropped; labels are optional', async () => {
  await withTempDir(async (dir) => {
    const folder = path.join(dir, 'rgb');
    await mkdir(folder);
    const color = (i: number, x: number, y: number): Rgba => [i * 50 + x, 100 + y, 200 - x - y, 17 + i];
    await writeFile(path.join(folder, 'a.png'), pngBytes(2, 2, (x, y) => [...color(0, x, y).slice(0, 3), 255] as Rgba, 2));
    await writeFile(path.join(folder, 'b.png'), pngBytes(2, 2, (x, y) => color(1, x, y), 6));
    await writeFile(path.join(folder, 'labels.csv'), 'file\na.png\nb.png\n');
    const dataset = await loadDataset({ path: 'rgb' }, dir);
    assert.deepEqual(dataset.exampleShape, [2, 2, 3]);
    const expected: number[] = [];
    for (let i = 0; i < 2; i++) for (let y = 0; y < 2; y++) for (let x = 0; x < 2; x++) expected.push(...color(i, x, y).slice(0, 3));
    assert.deepEqual([...dataset.values], expected);
    assert.equal(dataset.labels, undefined);
  });
});

test('PNG folder: images of different sizes or channel counts are rejected, naming the image', async () => {
  await withTempDir(async (dir) => {
    const folder = await grayFolder(dir, 'file,label\n0.png,1\n1.png,2\nodd.png,3\n', 2);
    await writeFile(path.join(folder, 'odd.png'), pngBytes(3, 3, () => gray(1), 0));
    await expectDataError(() => loadDataset({ path: 'imgs' }, dir), /is 3x3 with 1 channel, but 0.png is 2x3 with 1 channel; every image must have the same size \(labels.csv line 4\)/, path.join(folder, 'odd.png'));
    await writeFile(path.join(folder, 'odd.png'), pngBytes(2, 3, () => [1, 2, 3, 255], 2));
    await expectDataError(() => loadDataset({ path: 'imgs' }, dir), /is 2x3 with 3 channels, but 0.png is 2x3 with 1 channel/);
  });
});

test('PNG folder: names in labels.csv must be plain names inside the folder', async () => {
  await withTempDir(async (dir) => {
    await writeFile(path.join(dir, 'x.png'), pngBytes(2, 3, () => gray(0), 0));
    for (const [name, problem] of [
      ['../x.png', /must be a plain file name/],
      ['sub/0.png', /must be a plain file name/],
      ['..', /is not a file name/],
    ] as const) {
      const folder = await grayFolder(dir, `file,label\n0.png,1\n${name},2\n`);
      await expectDataError(() => loadDataset({ path: 'imgs' }, dir), new RegExp(`line 3: "${name.replace(/[.]/g, '\\.')}" ${problem.source}`), path.join(folder, 'labels.csv'));
    }
  });
});

test('PNG folder: symlinks leading outside the folder are rejected, inside ones followed', async () => {
  await withTempDir(async (dir) => {
    const folder = await grayFolder(dir, 'file,label\n0.png,1\nlink.png,2\n', 1);
    await writeFile(path.join(dir, 'outside.png'), pngBytes(2, 3, () => gray(9), 0));
    await symlink(path.join(dir, 'outside.png'), path.join(folder, 'link.png'));
    await expectDataError(() => loadDataset({ path: 'imgs' }, dir), /resolves to .*outside\.png, outside/, path.join(folder, 'link.png'));
    await writeFile(path.join(folder, 'inside.png'), pngBytes(2, 3, () => gray(9), 0));
    await writeFile(path.join(folder, 'labels.csv'), 'file,label\n0.png,1\ninlink.png,2\n');
    await symlink('inside.png', path.join(folder, 'inlink.png'));
    const dataset = await loadDataset({ path: 'imgs' }, dir);
    assert.equal(dataset.values[6], 9);
  });
});

test('PNG folder: missing labels.csv, missing images and non-PNG files are clear errors', async () => {
  await withTempDir(async (dir) => {
    const folder = await grayFolder(dir, 'file,label\n0.png,1\nnope.png,2\n', 1);
    await expectDataError(() => loadDataset({ path: 'imgs' }, dir), /does not exist/, path.join(folder, 'nope.png'));
    await writeFile(path.join(folder, 'nope.png'), 'not a png');
    await expectDataError(() => loadDataset({ path: 'imgs' }, dir), /is not a PNG file \(bad signature\)/, path.join(folder, 'nope.png'));
    await writeFile(path.join(folder, 'labels.csv'), 'name,label\n0.png,1\n');
    await expectDataError(() => loadDataset({ path: 'imgs' }, dir), /has no column "file"/);
    await writeFile(path.join(folder, 'labels.csv'), 'file,label\n');
    await expectDataError(() => loadDataset({ path: 'imgs' }, dir), /lists no images/);
  });
  await withTempDir(async (dir) => {
    await mkdir(path.join(dir, 'empty'));
    await expectDataError(() => loadDataset({ path: 'empty' }, dir), /does not exist/, path.join(dir, 'empty', 'labels.csv'));
  });
});

function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([Buffer.from(type, 'latin1'), data])), 0);
  return Buffer.concat([head, data, crc]);
}

function rawPng(width: number, height: number, interlace: 0 | 1, idat: Buffer): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8;
  ihdr[9] = 0;
  ihdr[12] = interlace;
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', idat), chunk('IEND', Buffer.alloc(0))]);
}

test('PNG headers declaring huge images, and interlaced inflate bombs, fail before decoding', async () => {
  await expectDataError(() => decodePng(rawPng(100_000, 100_000, 0, deflateSync(Buffer.alloc(10))), 'big.png'), /is 100000x100000 pixels, more than the limit/, 'big.png');
  const bomb = rawPng(4, 4, 1, deflateSync(Buffer.alloc(16 * 1024 * 1024)));
  assert.ok(bomb.length < 64 * 1024);
  await expectDataError(() => decodePng(bomb, 'bomb.png'), /has more compressed image data than its size allows/, 'bomb.png');
  // A well-formed interlaced 2x2 image: Adam7 passes 1, 6 and 7 are non-empty for 2x2 (1 + 1 + 2 rows, each a filter byte + pixels).
  const passes = Buffer.from([0, 10, 0, 20, 0, 30, 40]);
  const ok = decodePng(rawPng(2, 2, 1, deflateSync(passes)), 'i.png');
  assert.deepEqual([...ok.pixels], [10, 20, 30, 40]);
});
