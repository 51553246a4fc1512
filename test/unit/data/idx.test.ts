import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { gunzipCapped } from '../../../src/engine/data/gzip';
import { parseIdx } from '../../../src/engine/data/idx';
import { expectArraysClose, expectDataError, idxBytes } from './helpers';

test('IDX ubyte: shape and values as written', () => {
  const values = [0, 1, 2, 253, 254, 255];
  const array = parseIdx(idxBytes(0x08, [2, 3], values), 'x.idx');
  assert.deepEqual(array.shape, [2, 3]);
  assert.equal(array.dtype, 'ubyte');
  assert.ok(array.data instanceof Uint8Array);
  assert.deepEqual([...array.data], values);
});

test('IDX multi-byte types are big-endian', () => {
  const cases: [0x09 | 0x0b | 0x0c | 0x0d | 0x0e, number[]][] = [
    [0x09, [-128, -1, 0, 127]],
    [0x0b, [-32768, -2, 258, 32767]],
    [0x0c, [-(2 ** 31), -3, 65536 + 7, 2 ** 31 - 1]],
    [0x0d, [-1.5, 0.25, 3e20, -7]],
    [0x0e, [Math.PI, -1e-300, 1e300, 0.1]],
  ];
  for (const [code, values] of cases) {
    const array = parseIdx(idxBytes(code, [4], values), 'x.idx');
    assert.deepEqual(array.shape, [4]);
    expectArraysClose(array.data, values, code === 0x0d ? 1e-7 : 0);
  }
});

test('IDX rejects wrong magic, unknown dtype, zero rank and a truncated header', async () => {
  const good = idxBytes(0x08, [2], [1, 2]);
  const magic = Buffer.from(good);
  magic[0] = 1;
  await expectDataError(() => parseIdx(magic, 'a.idx'), /first two bytes must be zero/, 'a.idx');
  const dtype = Buffer.from(good);
  dtype[2] = 0x0a;
  await expectDataError(() => parseIdx(dtype, 'a.idx'), /unknown IDX dtype code 0x0a/);
  await expectDataError(() => parseIdx(Buffer.from([0, 0, 8, 0]), 'a.idx'), /zero dimensions/);
  await expectDataError(() => parseIdx(Buffer.from([0, 0, 8, 3, 0, 0, 0, 1]), 'a.idx'), /truncated/);
  await expectDataError(() => parseIdx(Buffer.from([0, 0]), 'a.idx'), /too short/);
});

test('IDX checks the dims product against the data bytes', async () => {
  const truncated = idxBytes(0x0c, [2, 3], [1, 2, 3, 4, 5, 6]).subarray(0, -1);
  await expectDataError(() => parseIdx(truncated, 't.idx'), /declares shape 2x3 of int \(24 data bytes\) but holds 23/);
  const extra = Buffer.concat([idxBytes(0x08, [2], [1, 2]), Buffer.from([9])]);
  await expectDataError(() => parseIdx(extra, 't.idx'), /holds 3 data bytes/);
});

test('IDX dims whose product overflows fail without allocating', async () => {
  const header = Buffer.alloc(4 + 12 + 16);
  header[2] = 0x0e;
  header[3] = 3;
  header.writeUInt32BE(0xffffffff, 4);
  header.writeUInt32BE(0xffffffff, 8);
  header.writeUInt32BE(0xffffffff, 12);
  await expectDataError(() => parseIdx(header, 'huge.idx'), /declares shape 4294967295x4294967295x4294967295 of double \(more than 2\^53 data bytes\) but holds 16/);
});

test('IDX zero-sized dims give an empty array only when there is no data', async () => {
  const empty = parseIdx(idxBytes(0x08, [0, 28, 28], []), 'e.idx');
  assert.deepEqual(empty.shape, [0, 28, 28]);
  assert.equal(empty.data.length, 0);
  const withData = Buffer.concat([idxBytes(0x08, [0, 5], []), Buffer.from([1])]);
  await expectDataError(() => parseIdx(withData, 'e.idx'), /holds 1 data bytes/);
});

test('gunzip round-trips and refuses to inflate past its cap', async () => {
  const raw = idxBytes(0x08, [3], [7, 8, 9]);
  assert.deepEqual(parseIdx(gunzipCapped(gzipSync(raw), 1024, 'a.gz'), 'a.gz').data, new Uint8Array([7, 8, 9]));
  const bomb = gzipSync(Buffer.alloc(8 * 1024 * 1024));
  assert.ok(bomb.length < 64 * 1024);
  await expectDataError(() => gunzipCapped(bomb, 1024 * 1024, 'bomb.gz'), /decompresses to more than the limit of 1048576 bytes/, 'bomb.gz');
  const corrupt = gzipSync(raw);
  corrupt[corrupt.length - 6] = (corrupt[corrupt.length - 6]! + 1) & 0xff;
  await expectDataError(() => gunzipCapped(corrupt, 1024, 'c.gz'), /is not valid gzip data/);
  await expectDataError(() => gunzipCapped(gzipSync(raw).subarray(0, 12), 1024, 'c.gz'), /is not valid gzip data/);
});
