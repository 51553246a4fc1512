/**
 * The two binary formats the demo data goes through: gzipped IDX (how
 * Fashion-MNIST is distributed, and how the committed subset is stored) and
 * .npy (what the demo workspace hands to the training script).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { gunzipSync, gzipSync } from 'node:zlib';

export interface ByteArray {
  shape: number[];
  data: Uint8Array;
}

const IDX_UINT8 = 0x08;

/** Reads a gzipped IDX file of unsigned bytes (the MNIST family's format). */
export function readIdxGz(path: string): ByteArray {
  let bytes: Buffer;
  try {
    bytes = gunzipSync(readFileSync(path));
  } catch (error) {
    throw new Error(`${path}: cannot read as gzip (${(error as Error).message})`);
  }
  if (bytes.length < 4 || bytes[0] !== 0 || bytes[1] !== 0) throw new Error(`${path}: is not an IDX file (bad magic)`);
  if (bytes[2] !== IDX_UINT8) throw new Error(`${path}: has IDX type 0x${bytes[2]!.toString(16)}, only unsigned bytes (0x08) are supported`);
  const rank = bytes[3]!;
  if (rank === 0 || bytes.length < 4 + 4 * rank) throw new Error(`${path}: has a truncated IDX header`);
  const shape = Array.from({ length: rank }, (_, i) => bytes.readUInt32BE(4 + 4 * i));
  const count = shape.reduce((a, b) => a * b, 1);
  const start = 4 + 4 * rank;
  if (bytes.length - start !== count) throw new Error(`${path}: holds ${bytes.length - start} data bytes, shape ${JSON.stringify(shape)} needs ${count}`);
  return { shape, data: new Uint8Array(bytes.subarray(start)) };
}

export function encodeIdx(array: ByteArray): Buffer {
  checkShape(array);
  const header = Buffer.alloc(4 + 4 * array.shape.length);
  header[2] = IDX_UINT8;
  header[3] = array.shape.length;
  array.shape.forEach((dim, i) => header.writeUInt32BE(dim, 4 + 4 * i));
  return Buffer.concat([header, array.data]);
}

/** Maximum compression keeps the committed subset small; gzip output is deterministic for a given zlib. */
export function writeIdxGz(path: string, array: ByteArray): void {
  writeFileSync(path, gzipSync(encodeIdx(array), { level: 9 }));
}

/** Encodes a C-ordered uint8 .npy file (format 1.0). */
export function encodeNpyUint8(array: ByteArray): Buffer {
  checkShape(array);
  const shapeText = array.shape.length === 1 ? `(${array.shape[0]},)` : `(${array.shape.join(', ')})`;
  let header = `{'descr': '|u1', 'fortran_order': False, 'shape': ${shapeText}, }`;
  // The spec pads the header with spaces and a newline so the data starts on a 64-byte boundary.
  const unpadded = 10 + header.length + 1;
  header += ' '.repeat((64 - (unpadded % 64)) % 64) + '\n';
  const preamble = Buffer.alloc(10);
  preamble.write('\x93NUMPY', 0, 'latin1');
  preamble[6] = 1;
  preamble[7] = 0;
  preamble.writeUInt16LE(header.length, 8);
  return Buffer.concat([preamble, Buffer.from(header, 'latin1'), array.data]);
}

export function writeNpyUint8(path: string, array: ByteArray): void {
  writeFileSync(path, encodeNpyUint8(array));
}

function checkShape(array: ByteArray): void {
  if (!array.shape.every((d) => Number.isInteger(d) && d >= 0)) throw new Error(`shape must hold non-negative integers, got ${JSON.stringify(array.shape)}`);
  const count = array.shape.reduce((a, b) => a * b, 1);
  if (count !== array.data.length) throw new Error(`data has ${array.data.length} elements, shape ${JSON.stringify(array.shape)} needs ${count}`);
}
