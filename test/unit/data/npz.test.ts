import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { crc32, crc32Portable } from '../../../src/engine/data/crc32';
import { writeNpy } from '../../../src/engine/data/npy';
import { listNpzKeys, readNpz, writeNpz } from '../../../src/engine/data/npz';
import { extractZipEntry, readZipDirectory, writeZip } from '../../../src/engine/data/zip';
import { expectDataError, withTempDir } from './helpers';

const MiB = 1024 * 1024;

/** Offsets inside a writeZip() archive (no comment), for patching hostile variants. */
function layout(zip: Buffer): { eocd: number; central: number } {
  const eocd = zip.length - 22;
  return { eocd, central: zip.readUInt32LE(eocd + 16) };
}

test('crc32 matches the standard check value, natively and in the portable table version', () => {
  const check = Buffer.from('123456789', 'latin1');
  assert.equal(crc32(check), 0xcbf43926);
  assert.equal(crc32Portable(check), 0xcbf43926);
  const random = randomBytes(4096);
  assert.equal(crc32Portable(random), crc32(random));
  assert.equal(crc32Portable(new Uint8Array(0)), 0);
});

test('.npz round-trips stored and deflated arrays and picks arrays by key', () => {
  const arrays = { images: writeNpy([2, 2], 'uint8', [1, 2, 3, 4]), labels: writeNpy([2], 'int32', [7, -7]) };
  for (const deflate of [false, true]) {
    const npz = writeNpz(arrays, { deflate });
    assert.deepEqual(listNpzKeys(npz, 'a.npz'), ['images', 'labels']);
    const images = readNpz(npz, 'a.npz', 'images', MiB);
    assert.deepEqual(images.shape, [2, 2]);
    assert.deepEqual([...images.data], [1, 2, 3, 4]);
    assert.deepEqual([...readNpz(npz, 'a.npz', 'labels', MiB).data], [7, -7]);
  }
  const single = writeNpz({ arr_0: writeNpy([3], 'float32', [0.5, 1, 2]) });
  assert.deepEqual([...readNpz(single, 's.npz', undefined, MiB).data], [0.5, 1, 2]);
});

test('.npz keys are strict: ambiguous or missing keys list what is there', async () => {
  const npz = writeNpz({ x: writeNpy([1], 'uint8', [1]), y: writeNpy([1], 'uint8', [2]) });
  await expectDataError(() => readNpz(npz, 'a.npz', undefined, MiB), /holds 2 arrays \("x", "y"\); set "key"/, 'a.npz');
  await expectDataError(() => readNpz(npz, 'a.npz', 'z', MiB), /has no array "z"; available: "x", "y"/);
  await expectDataError(() => readNpz(writeZip([]), 'e.npz', undefined, MiB), /holds 0 arrays \(\(none\)\)/);
});

test('zip-slip, absolute and duplicate member names reject the whole archive', async () => {
  const data = writeNpy([1], 'uint8', [1]);
  for (const name of ['../evil.npy', '/etc/evil.npy', 'C:/evil.npy', 'a/../../evil.npy', 'a\\..\\evil.npy', '\\evil.npy']) {
    const zip = writeZip([{ name: 'ok.npy', data }, { name, data }]);
    await expectDataError(() => readNpz(zip, 'slip.npz', 'ok', MiB), /could write outside its folder/, 'slip.npz');
  }
  const duplicate = writeZip([{ name: 'x.npy', data }, { name: 'x.npy', data }]);
  await expectDataError(() => readNpz(duplicate, 'd.npz', 'x', MiB), /two entries named "x.npy"/);
  const sameKey = writeZip([{ name: 'x.npy', data }, { name: 'x', data }]);
  await expectDataError(() => readNpz(sameKey, 'd.npz', 'x', MiB), /two arrays named "x"/);
});

test('a corrupted member fails its CRC-32 check', async () => {
  const zip = writeZip([{ name: 'x.npy', data: writeNpy([4], 'uint8', [1, 2, 3, 4]) }]);
  zip[zip.indexOf(Buffer.from([1, 2, 3, 4]))] = 9;
  await expectDataError(() => readNpz(zip, 'c.npz', 'x', MiB), /entry "x.npy" fails its CRC-32 check/, 'c.npz');
});

test('encrypted members and unknown compression methods are refused', async () => {
  const base = writeZip([{ name: 'x.npy', data: writeNpy([1], 'uint8', [1]) }]);
  const encrypted = Buffer.from(base);
  const { central } = layout(encrypted);
  encrypted.writeUInt16LE(encrypted.readUInt16LE(central + 8) | 1, central + 8);
  await expectDataError(() => readNpz(encrypted, 'e.npz', 'x', MiB), /is encrypted/);
  const bzip2 = Buffer.from(base);
  bzip2.writeUInt16LE(12, layout(bzip2).central + 10);
  await expectDataError(() => readNpz(bzip2, 'b.npz', 'x', MiB), /compression method 12/);
});

test('huge declared sizes fail before anything is inflated', async () => {
  const zip = writeZip([{ name: 'x.npy', data: writeNpy([1000], 'uint8', new Array(1000).fill(0)) }], { deflate: true });
  const { central } = layout(zip);
  zip.writeUInt32LE(0xfffffff0, central + 24);
  await expectDataError(() => readNpz(zip, 'h.npz', 'x', MiB), /declares 4294967280 bytes uncompressed, more than the limit of 1048576/);
  const tooFar = writeZip([{ name: 'x.npy', data: writeNpy([1], 'uint8', [1]) }]);
  tooFar.writeUInt32LE(0x7fffffff, layout(tooFar).central + 20);
  await expectDataError(() => readNpz(tooFar, 'h.npz', 'x', MiB), /do not fit before the central directory/);
});

test('a deflate bomb stops at its declared size', async () => {
  const zip = writeZip([{ name: 'x.npy', data: Buffer.alloc(4 * MiB) }], { deflate: true });
  assert.ok(zip.length < 64 * 1024);
  zip.writeUInt32LE(100, layout(zip).central + 24);
  await expectDataError(() => readNpz(zip, 'bomb.npz', 'x', MiB), /inflates to more than its declared 100 bytes/);
});

test('truncated, foreign and archive-level zip64 files are rejected', async () => {
  const zip = writeZip([{ name: 'x.npy', data: writeNpy([1], 'uint8', [1]) }]);
  await expectDataError(() => readNpz(zip.subarray(0, zip.length - 5), 't.npz', 'x', MiB), /no end-of-central-directory record/);
  await expectDataError(() => readNpz(randomBytes(5000), 'r.npz', 'x', MiB), /no end-of-central-directory record|central directory/);
  await expectDataError(() => readNpz(Buffer.alloc(3), 'r.npz', 'x', MiB), /too short for a zip archive/);
  const zip64 = Buffer.from(zip);
  zip64.writeUInt16LE(0xffff, layout(zip64).eocd + 10);
  await expectDataError(() => readNpz(zip64, 'z.npz', 'x', MiB), /zip64 archive at the archive level/);
  const renamed = Buffer.from(zip);
  renamed[30] = 'y'.charCodeAt(0);
  await expectDataError(() => readNpz(renamed, 'n.npz', 'x', MiB), /different name in its local header/);
});

/** One stored entry whose central record keeps its sizes in a zip64 extra field, as large-file writers do. */
function zip64EntryArchive(data: Buffer, highWord = 0): Buffer {
  const name = Buffer.from('x.npy');
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt32LE(crc32(data), 14);
  local.writeUInt32LE(data.length, 18);
  local.writeUInt32LE(data.length, 22);
  local.writeUInt16LE(name.length, 26);
  const extra = Buffer.alloc(20);
  extra.writeUInt16LE(1, 0);
  extra.writeUInt16LE(16, 2);
  extra.writeUInt32LE(data.length, 4);
  extra.writeUInt32LE(highWord, 8);
  extra.writeUInt32LE(data.length, 12);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt32LE(crc32(data), 16);
  central.writeUInt32LE(0xffffffff, 20);
  central.writeUInt32LE(0xffffffff, 24);
  central.writeUInt16LE(name.length, 28);
  central.writeUInt16LE(extra.length, 30);
  const body = Buffer.concat([local, name, data]);
  const directory = Buffer.concat([central, name, extra]);
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  eocd.writeUInt16LE(1, 8);
  eocd.writeUInt16LE(1, 10);
  eocd.writeUInt32LE(directory.length, 12);
  eocd.writeUInt32LE(body.length, 16);
  return Buffer.concat([body, directory, eocd]);
}

test('zip64 extra fields in the central directory are honoured, absurd ones refused', async () => {
  const data = writeNpy([3], 'uint8', [5, 6, 7]);
  const archive = zip64EntryArchive(data);
  const directory = readZipDirectory(archive, 'z.npz');
  assert.equal(directory.entries[0]!.uncompressedSize, data.length);
  assert.deepEqual(extractZipEntry(archive, directory, directory.entries[0]!, 'z.npz', MiB), data);
  assert.deepEqual([...readNpz(archive, 'z.npz', 'x', MiB).data], [5, 6, 7]);
  await expectDataError(() => readZipDirectory(zip64EntryArchive(data, 0x00ffffff), 'z.npz'), /zip64 uncompressed size beyond any reasonable size/);
});

test('.npz files written by numpy (stored and compressed) load (skipped without python3 + numpy)', async (t) => {
  await withTempDir(async (dir) => {
    const script = `
import numpy as np, sys
d = sys.argv[1]
np.savez(d + '/s.npz', a=np.arange(6, dtype=np.uint8).reshape(2, 3), b=np.array([1.5, -2], dtype=np.float32))
np.savez_compressed(d + '/c.npz', np.arange(1000, dtype=np.int32))
`;
    const result = spawnSync('python3', ['-c', script, dir], { encoding: 'utf8', timeout: 30_000 });
    if (result.status !== 0) {
      t.skip('python3 with numpy is not available');
      return;
    }
    const stored = await readFile(path.join(dir, 's.npz'));
    assert.deepEqual(listNpzKeys(stored, 's.npz'), ['a', 'b']);
    assert.deepEqual([...readNpz(stored, 's.npz', 'a', MiB).data], [0, 1, 2, 3, 4, 5]);
    assert.deepEqual([...readNpz(stored, 's.npz', 'b', MiB).data], [1.5, -2]);
    const compressed = readNpz(await readFile(path.join(dir, 'c.npz')), 'c.npz', undefined, MiB);
    assert.deepEqual([...compressed.data], Array.from({ length: 1000 }, (_, i) => i));
  });
});
