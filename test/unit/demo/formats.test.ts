import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { encodeIdx, encodeNpyUint8, readIdxGz, writeIdxGz, writeNpyUint8 } from '../../../demo/formats';
import { readLabelsCsv, readNpy, seededRandom, shuffledIndices } from '../../../demo/template/data';

const dir = mkdtempSync(join(tmpdir(), 'demo-formats-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

test('IDX: the header is the documented big-endian layout and round-trips', () => {
  const array = { shape: [2, 3], data: Uint8Array.from([1, 2, 3, 4, 5, 255]) };
  const bytes = encodeIdx(array);
  assert.deepEqual([...bytes.subarray(0, 12)], [0, 0, 8, 2, 0, 0, 0, 2, 0, 0, 0, 3]);
  const file = join(dir, 'a.gz');
  writeIdxGz(file, array);
  assert.deepEqual(readIdxGz(file), array);
});

test('IDX: bad files fail with the file name and the problem', () => {
  const write = (name: string, bytes: Buffer | string) => {
    writeFileSync(join(dir, name), bytes);
    return join(dir, name);
  };
  assert.throws(() => readIdxGz(write('plain', 'not gzip')), /plain: cannot read as gzip/);
  assert.throws(() => readIdxGz(write('magic.gz', gzipSync(Buffer.from([1, 0, 8, 1, 0, 0, 0, 1, 7])))), /magic.gz: is not an IDX file/);
  assert.throws(() => readIdxGz(write('float.gz', gzipSync(Buffer.from([0, 0, 0x0d, 1, 0, 0, 0, 1, 0, 0, 0, 0])))), /float.gz: has IDX type 0xd/);
  assert.throws(() => readIdxGz(write('short.gz', gzipSync(Buffer.from([0, 0, 8, 2, 0, 0, 0, 1])))), /short.gz: has a truncated IDX header/);
  assert.throws(() => readIdxGz(write('body.gz', gzipSync(Buffer.from([0, 0, 8, 1, 0, 0, 0, 3, 1, 2])))), /body.gz: holds 2 data bytes, shape \[3\] needs 3/);
  assert.throws(() => encodeIdx({ shape: [2, 2], data: new Uint8Array(3) }), /data has 3 elements, shape \[2,2\] needs 4/);
});

test('npy: header follows the v1.0 spec (64-byte aligned, newline-terminated) and round-trips', () => {
  const array = { shape: [2, 2, 3], data: Uint8Array.from({ length: 12 }, (_, i) => i * 20) };
  const bytes = encodeNpyUint8(array);
  const headerLength = bytes.readUInt16LE(8);
  assert.equal((10 + headerLength) % 64, 0);
  assert.equal(bytes[10 + headerLength - 1], 0x0a);
  assert.match(bytes.toString('latin1', 10, 10 + headerLength), /^\{'descr': '\|u1', 'fortran_order': False, 'shape': \(2, 2, 3\), \} *\n$/);
  const file = join(dir, 'a.npy');
  writeNpyUint8(file, array);
  const back = readNpy(file);
  assert.deepEqual(back.shape, [2, 2, 3]);
  assert.deepEqual([...back.data], [...array.data]);
  assert.match(encodeNpyUint8({ shape: [3], data: new Uint8Array(3) }).toString('latin1'), /'shape': \(3,\)/);
});

test('npy: reads little-endian float32 and rejects what it cannot read, naming the file', () => {
  const header = (h: string) => {
    const padded = h + ' '.repeat((64 - ((10 + h.length + 1) % 64)) % 64) + '\n';
    const pre = Buffer.from('\x93NUMPY\x01\x00\x00\x00', 'latin1');
    pre.writeUInt16LE(padded.length, 8);
    return Buffer.concat([pre, Buffer.from(padded, 'latin1')]);
  };
  const floats = Buffer.alloc(8);
  floats.writeFloatLE(0.5, 0);
  floats.writeFloatLE(-2, 4);
  const f32 = join(dir, 'f.npy');
  writeFileSync(f32, Buffer.concat([header("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }"), floats]));
  assert.deepEqual([...readNpy(f32).data], [0.5, -2]);

  const bad = (name: string, bytes: Buffer) => {
    writeFileSync(join(dir, name), bytes);
    return join(dir, name);
  };
  assert.throws(() => readNpy(bad('magic.npy', Buffer.from('hello world'))), /magic.npy: is not an .npy file/);
  assert.throws(() => readNpy(bad('f8.npy', Buffer.concat([header("{'descr': '<f8', 'fortran_order': False, 'shape': (1,), }"), Buffer.alloc(8)]))), /f8.npy: has dtype <f8/);
  assert.throws(() => readNpy(bad('fortran.npy', Buffer.concat([header("{'descr': '|u1', 'fortran_order': True, 'shape': (1,), }"), Buffer.alloc(1)]))), /fortran.npy: is Fortran-ordered/);
  assert.throws(() => readNpy(bad('short.npy', Buffer.concat([header("{'descr': '|u1', 'fortran_order': False, 'shape': (4,), }"), Buffer.alloc(3)]))), /short.npy: holds 3 data bytes/);
  const truncated = header("{'descr': '|u1', 'fortran_order': False, 'shape': (4,), }").subarray(0, 30);
  assert.throws(() => readNpy(bad('trunc.npy', truncated)), /trunc.npy: is truncated inside the header/);
});

test('labels CSV: reads the named column and names bad rows', () => {
  const file = join(dir, 'labels.csv');
  writeFileSync(file, 'index,label,name\n0,3,Dress\r\n1,9,Ankle boot\n');
  assert.deepEqual([...readLabelsCsv(file, 'label')], [3, 9]);
  assert.throws(() => readLabelsCsv(file, 'class'), /labels.csv: has no column "class"/);
  writeFileSync(file, 'index,label\n0,x\n');
  assert.throws(() => readLabelsCsv(file, 'label'), /labels.csv: line 2 has no integer/);
});

test('seeded shuffles are permutations, reproducible, and seed-dependent', () => {
  const a = shuffledIndices(100, seededRandom(1));
  assert.deepEqual([...a].sort((x, y) => x - y), Array.from({ length: 100 }, (_, i) => i));
  assert.deepEqual(a, shuffledIndices(100, seededRandom(1)));
  assert.notDeepEqual(a, shuffledIndices(100, seededRandom(2)));
  const random = seededRandom(3);
  const draws = Array.from({ length: 10000 }, random);
  assert.ok(draws.every((v) => v >= 0 && v < 1));
  // Mean of 10^4 uniforms: sd 0.0029, so a 0.015 band is over 5 sd.
  assert.ok(Math.abs(draws.reduce((s, v) => s + v, 0) / draws.length - 0.5) < 0.015);
});
