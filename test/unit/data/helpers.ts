/** Shared fixtures for the data and checkpoint loader tests; everything is generated in temp folders. */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { DataFileError } from '../../../src/engine/data/errors';

export async function withTempDir<T>(run: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(path.join(tmpdir(), 'modeldebug-data-'));
  try {
    return await run(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Asserts that `run` throws (or rejects with) a DataFileError whose message matches, optionally for a given file. */
export async function expectDataError(run: () => unknown, pattern: RegExp, file?: string): Promise<DataFileError> {
  let caught: unknown;
  try {
    await run();
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof DataFileError, `expected a DataFileError matching ${pattern}, got ${caught instanceof Error ? `${caught.name}: ${caught.message}` : String(caught)}`);
  assert.match(caught.message, pattern);
  if (file !== undefined) assert.equal(caught.file, file);
  return caught;
}

export function expectArraysClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tolerance = 1e-6): void {
  assert.equal(actual.length, expected.length, `length ${actual.length} != ${expected.length}`);
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    assert.ok(Math.abs(a - e) <= tolerance * Math.max(1, Math.abs(e)), `element ${i}: ${a} != ${e} (tolerance ${tolerance})`);
  }
}

export type IdxCode = 0x08 | 0x09 | 0x0b | 0x0c | 0x0d | 0x0e;

/** An IDX file written element by element with DataView, independent of the reader under test. */
export function idxBytes(code: IdxCode, shape: number[], values: number[]): Buffer {
  const size = { 0x08: 1, 0x09: 1, 0x0b: 2, 0x0c: 4, 0x0d: 4, 0x0e: 8 }[code];
  const out = Buffer.alloc(4 + 4 * shape.length + size * values.length);
  out[2] = code;
  out[3] = shape.length;
  shape.forEach((d, i) => out.writeUInt32BE(d, 4 + 4 * i));
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  const start = 4 + 4 * shape.length;
  values.forEach((v, i) => {
    const at = start + i * size;
    if (code === 0x08) view.setUint8(at, v);
    else if (code === 0x09) view.setInt8(at, v);
    else if (code === 0x0b) view.setInt16(at, v, false);
    else if (code === 0x0c) view.setInt32(at, v, false);
    else if (code === 0x0d) view.setFloat32(at, v, false);
    else view.setFloat64(at, v, false);
  });
  return out;
}

/** An .npy file with a hand-written header, so tests can say exactly what a hostile file holds. */
export function npyBytes(header: string, data: Uint8Array = new Uint8Array(0), version: 1 | 2 | 3 = 1): Buffer {
  const headerBytes = Buffer.from(header, version === 3 ? 'utf8' : 'latin1');
  const prefix = Buffer.alloc(version === 1 ? 10 : 12);
  Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version, 0]).copy(prefix);
  if (version === 1) prefix.writeUInt16LE(headerBytes.length, 8);
  else prefix.writeUInt32LE(headerBytes.length, 8);
  return Buffer.concat([prefix, headerBytes, data]);
}
