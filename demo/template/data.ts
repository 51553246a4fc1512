/**
 * Small, self-contained data helpers for the demo training script: the
 * Fashion-MNIST class names, a seeded random generator, an .npy reader and a
 * labels-CSV reader. No dependency beyond Node, so the script runs as soon as
 * the workspace is written.
 */
import { readFileSync } from 'node:fs';

export const CLASS_NAMES = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'];

/** mulberry32: a tiny 32-bit generator; the same seed gives the same stream on every machine. */
export function seededRandom(seed: number): () => number {
  if (!Number.isInteger(seed)) throw new Error(`seed must be an integer, got ${seed}`);
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Fisher-Yates shuffle of 0..n-1 driven by `random`. */
export function shuffledIndices(n: number, random: () => number): number[] {
  if (!Number.isInteger(n) || n < 0) throw new Error(`n must be a non-negative integer, got ${n}`);
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  return order;
}

export interface NpyArray {
  shape: number[];
  data: Uint8Array | Float32Array;
}

const NPY_MAGIC = '\x93NUMPY';

/** Reads a C-ordered uint8 or little-endian float32 .npy file (format versions 1 to 3). */
export function readNpy(path: string): NpyArray {
  const bytes = readFileSync(path);
  const fail = (problem: string): never => {
    throw new Error(`${path}: ${problem}`);
  };
  if (bytes.length < 10 || bytes.toString('latin1', 0, 6) !== NPY_MAGIC) fail('is not an .npy file (bad magic)');
  const major = bytes[6]!;
  const headerLengthBytes = major === 1 ? 2 : 4;
  if (major < 1 || major > 3) fail(`has unsupported .npy version ${major}`);
  if (bytes.length < 8 + headerLengthBytes) fail('is truncated inside the header');
  const headerLength = major === 1 ? bytes.readUInt16LE(8) : bytes.readUInt32LE(8);
  const dataStart = 8 + headerLengthBytes + headerLength;
  if (dataStart > bytes.length) fail('is truncated inside the header');
  const header = bytes.toString('latin1', 8 + headerLengthBytes, dataStart);
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(header)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) fail('has a malformed header');
  if (fortran === 'True') fail('is Fortran-ordered; only C order is supported');
  const shape = shapeText!
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map((s) => (/^\d+$/.test(s) ? Number(s) : fail(`has a bad shape entry "${s}"`)));
  const count = shape.reduce((a, b) => a * b, 1);
  const itemSize = descr === '|u1' ? 1 : descr === '<f4' ? 4 : fail(`has dtype ${descr}; only |u1 and <f4 are supported`);
  if (bytes.length - dataStart !== count * itemSize) fail(`holds ${bytes.length - dataStart} data bytes, shape ${JSON.stringify(shape)} needs ${count * itemSize}`);
  const body = bytes.subarray(dataStart);
  // Copy so the typed array is aligned and owns its memory.
  const data = itemSize === 1 ? new Uint8Array(body) : new Float32Array(new Uint8Array(body).buffer);
  return { shape, data };
}

/** Reads one integer column of a CSV file with a header row (no quoted fields). */
export function readLabelsCsv(path: string, column: string): Int32Array {
  const lines = readFileSync(path, 'utf8').split(/\r?\n/).filter((line) => line.length > 0);
  if (lines.length === 0) throw new Error(`${path}: is empty, expected a header row`);
  const header = lines[0]!.split(',');
  const col = header.indexOf(column);
  if (col < 0) throw new Error(`${path}: has no column "${column}" (columns: ${header.join(', ')})`);
  const labels = new Int32Array(lines.length - 1);
  for (let i = 1; i < lines.length; i++) {
    const cell = lines[i]!.split(',')[col];
    if (cell === undefined || !/^-?\d+$/.test(cell.trim())) throw new Error(`${path}: line ${i + 1} has no integer in column "${column}"`);
    labels[i - 1] = Number(cell);
  }
  return labels;
}
