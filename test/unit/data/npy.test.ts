import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { parseNpy, writeNpy } from '../../../src/engine/data/npy';
import { parsePythonLiteral } from '../../../src/engine/data/pythonLiteral';
import { expectArraysClose, expectDataError, npyBytes, withTempDir } from './helpers';

const header = (descr: string, shape: string, fortran = 'False'): string => `{'descr': '${descr}', 'fortran_order': ${fortran}, 'shape': ${shape}, }\n`;

function bytesOf(values: number[], size: number, write: (view: DataView, at: number, v: number) => void): Uint8Array {
  const out = new Uint8Array(values.length * size);
  const view = new DataView(out.buffer);
  values.forEach((v, i) => write(view, i * size, v));
  return out;
}

test('writeNpy round-trips each dtype with a 64-byte aligned header', () => {
  const cases = [
    { shape: [2, 3], dtype: 'uint8' as const, data: [0, 1, 2, 128, 254, 255], ctor: Uint8Array },
    { shape: [4], dtype: 'int32' as const, data: [-(2 ** 31), -1, 0, 2 ** 31 - 1], ctor: Int32Array },
    { shape: [2, 1, 2], dtype: 'float32' as const, data: [0.5, -1.25, 2 ** 100, -0], ctor: Float32Array },
    { shape: [], dtype: 'float32' as const, data: [7], ctor: Float32Array },
  ];
  for (const { shape, dtype, data, ctor } of cases) {
    const file = writeNpy(shape, dtype, data);
    const headerLength = file.readUInt16LE(8);
    assert.equal((10 + headerLength) % 64, 0);
    assert.equal(file[10 + headerLength - 1], 0x0a);
    const array = parseNpy(file, 'w.npy');
    assert.deepEqual(array.shape, shape);
    assert.ok(array.data instanceof ctor);
    assert.deepEqual([...array.data], data);
  }
});

test('writeNpy validates its arguments', () => {
  assert.throws(() => writeNpy([2], 'uint8', [1]), /data has 1 values but shape \[2\] needs 2/);
  assert.throws(() => writeNpy([1], 'uint8', [256]), /data\[0\] = 256 is not representable as uint8/);
  assert.throws(() => writeNpy([1], 'int32', [0.5]), /not representable as int32/);
  assert.throws(() => writeNpy([-1], 'float32', []), /shape \[-1\] must hold non-negative integers/);
});

test('.npy little- and big-endian dtypes decode to the written values', () => {
  const f8 = [Math.PI, -1e-300, 1e300];
  assert.deepEqual([...parseNpy(npyBytes(header('<f8', '(3,)'), bytesOf(f8, 8, (v, at, x) => v.setFloat64(at, x, true))), 'a').data], f8);
  const be = [1.5, -2, 1e-3];
  expectArraysClose(parseNpy(npyBytes(header('>f4', '(3,)'), bytesOf(be, 4, (v, at, x) => v.setFloat32(at, x, false))), 'a').data, be, 1e-7);
  const i2 = [-32768, 5, 32767];
  assert.deepEqual([...parseNpy(npyBytes(header('>i2', '(3,)'), bytesOf(i2, 2, (v, at, x) => v.setInt16(at, x, false))), 'a').data], i2);
  const u2 = [0, 65535, 258];
  assert.deepEqual([...parseNpy(npyBytes(header('<u2', '(3,)'), bytesOf(u2, 2, (v, at, x) => v.setUint16(at, x, true))), 'a').data], u2);
  const i1 = [-128, 127];
  assert.deepEqual([...parseNpy(npyBytes(header('|i1', '(2,)'), bytesOf(i1, 1, (v, at, x) => v.setInt8(at, x))), 'a').data], i1);
  // float16: 0x3c00 = 1, 0xc000 = -2, 0x3800 = 0.5, 0x0001 = 2^-24 (subnormal)
  const f2 = parseNpy(npyBytes(header('<f2', '(4,)'), bytesOf([0x3c00, 0xc000, 0x3800, 0x0001], 2, (v, at, x) => v.setUint16(at, x, true))), 'a');
  assert.deepEqual([...f2.data], [1, -2, 0.5, 2 ** -24]);
  const bool = parseNpy(npyBytes(header('|b1', '(3,)'), new Uint8Array([1, 0, 1])), 'a');
  assert.equal(bool.dtype, 'bool');
  assert.deepEqual([...bool.data], [1, 0, 1]);
});

test('.npy int64 widens exactly when it fits and refuses otherwise', async () => {
  const fits = [0, -5, 2 ** 40 + 3];
  const bytes = bytesOf(fits, 8, (v, at, x) => v.setBigInt64(at, BigInt(x), true));
  assert.deepEqual([...parseNpy(npyBytes(header('<i8', '(3,)'), bytes), 'a').data], fits);
  const big = bytesOf([0], 8, (v, at) => v.setBigInt64(at, 2n ** 60n, true));
  await expectDataError(() => parseNpy(npyBytes(header('<i8', '(1,)'), big), 'big.npy'), /element 0 of the int64 array does not fit/, 'big.npy');
});

test('.npy versions 2.0 and 3.0 use a 4-byte header length', () => {
  const data = new Uint8Array([1, 2]);
  assert.deepEqual([...parseNpy(npyBytes(header('|u1', '(2,)'), data, 2), 'a').data], [1, 2]);
  assert.deepEqual([...parseNpy(npyBytes(header('|u1', '(1, 2)'), data, 3), 'a').data], [1, 2]);
});

test('.npy fortran_order True is transposed to C order', () => {
  // Fortran element (i0, i1, i2) of shape (2, 3, 4) sits at i0 + 2*i1 + 6*i2; store that offset as its value.
  const values = Array.from({ length: 24 }, (_, k) => k);
  const array = parseNpy(npyBytes(header('<i4', '(2, 3, 4)', 'True'), bytesOf(values, 4, (v, at, x) => v.setInt32(at, x, true))), 'f.npy');
  assert.deepEqual(array.shape, [2, 3, 4]);
  for (let i0 = 0; i0 < 2; i0++) {
    for (let i1 = 0; i1 < 3; i1++) {
      for (let i2 = 0; i2 < 4; i2++) assert.equal(array.data[i0 * 12 + i1 * 4 + i2], i0 + 2 * i1 + 6 * i2);
    }
  }
});

test('.npy rejects object and structured dtypes with a clear message', async () => {
  await expectDataError(() => parseNpy(npyBytes(header('|O', '(1,)'), new Uint8Array(8)), 'o.npy'), /object array .*unpickling/, 'o.npy');
  const structured = "{'descr': [('x', '<f4'), ('y', '<i4')], 'fortran_order': False, 'shape': (1,), }\n";
  await expectDataError(() => parseNpy(npyBytes(structured, new Uint8Array(8)), 's.npy'), /structured dtype/);
  await expectDataError(() => parseNpy(npyBytes(header('<U5', '(1,)'), new Uint8Array(20)), 'u.npy'), /dtype '<U5', which is not supported/);
  await expectDataError(() => parseNpy(npyBytes(header('|f4', '(1,)'), new Uint8Array(4)), 'u.npy'), /needs a byte order/);
});

test('.npy header dict must hold exactly descr, fortran_order and shape', async () => {
  const data = new Uint8Array(4);
  await expectDataError(() => parseNpy(npyBytes("{'descr': '<f4', 'shape': (1,)}\n", data), 'k.npy'), /header keys 'descr', 'shape'; expected exactly/);
  await expectDataError(() => parseNpy(npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), 'extra': 1}\n", data), 'k.npy'), /'extra'/);
  await expectDataError(() => parseNpy(npyBytes("{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (1,)}\n", data), 'k.npy'), /duplicate key 'descr'/);
  await expectDataError(() => parseNpy(npyBytes("{'descr': '<f4', 'fortran_order': 0, 'shape': (1,)}\n", data), 'k.npy'), /'fortran_order' is not True or False/);
  await expectDataError(() => parseNpy(npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': [1]}\n", data), 'k.npy'), /'shape' is not a tuple/);
  await expectDataError(() => parseNpy(npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (1)}\n", data), 'k.npy'), /not a tuple \(write \(n,\)\)/);
  await expectDataError(() => parseNpy(npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (-1,)}\n", data), 'k.npy'), /malformed header/);
  await expectDataError(() => parseNpy(npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (1,)} or __import__('os')\n", data), 'k.npy'), /malformed header \(unexpected text after the literal/);
  await expectDataError(() => parseNpy(npyBytes('[1, 2]\n', data), 'k.npy'), /header that is not a dict/);
});

test('the Python literal parser accepts only the .npy subset', () => {
  assert.deepEqual(parsePythonLiteral("{'a': (1, 2L), \"b\": True, 'c': None, 'd': [], }"), {
    kind: 'dict',
    entries: new Map<string, unknown>([
      ['a', { kind: 'tuple', items: [1, 2] }],
      ['b', true],
      ['c', null],
      ['d', { kind: 'list', items: [] }],
    ]),
  });
  for (const junk of ["{'a': 1.5}", "{'a': 01}", "{'a': 'x\\n'}", "{'a': b'x'}", "{'a': Truee}", "{1: 2}", "{'a': (1,,)}", "{'a': 1", "{'a': 99999999999999999999}", '[' .repeat(40) + ']'.repeat(40)]) {
    assert.throws(() => parsePythonLiteral(junk), Error, junk);
  }
});

test('.npy rejects bad magic, versions, oversized and truncated headers', async () => {
  const good = writeNpy([2], 'uint8', [1, 2]);
  const magic = Buffer.from(good);
  magic[1] = 0x4f;
  await expectDataError(() => parseNpy(magic, 'm.npy'), /missing the \\x93NUMPY magic/, 'm.npy');
  const version = Buffer.from(good);
  version[6] = 4;
  await expectDataError(() => parseNpy(version, 'v.npy'), /unsupported .npy format version 4.0/);
  const huge = Buffer.alloc(12);
  Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 2, 0]).copy(huge);
  huge.writeUInt32LE(0xfffffff0, 8);
  await expectDataError(() => parseNpy(huge, 'h.npy'), /declares a 4294967280-byte header, more than the limit of 65536 bytes/);
  await expectDataError(() => parseNpy(good.subarray(0, 40), 't.npy'), /truncated inside the \d+-byte header/);
  await expectDataError(() => parseNpy(good.subarray(0, 9), 't.npy'), /missing the .* magic/);
});

test('.npy checks the shape against the data length, without allocating for huge shapes', async () => {
  await expectDataError(() => parseNpy(writeNpy([2, 3], 'float32', [1, 2, 3, 4, 5, 6]).subarray(0, -2), 't.npy'), /declares shape 2x3 of float32 \(24 data bytes\) but holds 22 data bytes/);
  await expectDataError(() => parseNpy(npyBytes(header('<f8', '(1099511627776, 1099511627776)'), new Uint8Array(16)), 'h.npy'), /more than 2\^53 data bytes\) but holds 16/);
  await expectDataError(() => parseNpy(npyBytes(header('|b1', '(2,)'), new Uint8Array([1, 7])), 'b.npy'), /element 1 of the bool array is 7/);
});

test('.npy files written by numpy itself load identically (skipped without python3 + numpy)', async (t) => {
  await withTempDir(async (dir) => {
    const script = `
import numpy as np, sys
d = sys.argv[1]
np.save(d + '/c.npy', np.arange(24, dtype='<f4').reshape(2, 3, 4) / 8)
np.save(d + '/f.npy', np.asfortranarray(np.arange(24, dtype='>i4').reshape(2, 3, 4)))
np.save(d + '/l.npy', np.array([3, 1, 4], dtype=np.int64))
`;
    const result = spawnSync('python3', ['-c', script, dir], { encoding: 'utf8', timeout: 30_000 });
    if (result.status !== 0) {
      t.skip('python3 with numpy is not available');
      return;
    }
    const expected = Array.from({ length: 24 }, (_, k) => k);
    const c = parseNpy(await readFile(path.join(dir, 'c.npy')), 'c.npy');
    assert.deepEqual(c.shape, [2, 3, 4]);
    expectArraysClose(c.data, expected.map((k) => k / 8), 0);
    const f = parseNpy(await readFile(path.join(dir, 'f.npy')), 'f.npy');
    assert.deepEqual([...f.data], expected);
    assert.deepEqual([...parseNpy(await readFile(path.join(dir, 'l.npy')), 'l.npy').data], [3, 1, 4]);
  });
});
