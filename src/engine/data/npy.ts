/**
 * NumPy .npy files, per numpy's format spec (numpy.lib.format): the magic
 * "\x93NUMPY", a version, a little-endian header length (uint16 for 1.0,
 * uint32 for 2.0 and 3.0), a header that is a Python dict literal with exactly
 * 'descr', 'fortran_order' and 'shape', then the raw elements.
 */
import { endianness } from 'node:os';
import { DataFileError } from './errors';
import { declaredBytes, decodeElements, elementCount, formatShape, fortranToC, type ElementType, type NdArray } from './ndarray';
import { parsePythonLiteral, PyLiteralError, type PyValue } from './pythonLiteral';

export const NPY_MAGIC = Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]);
export const NPY_MAX_HEADER_BYTES = 64 * 1024;

const SUPPORTED = "float16/32/64 ('<f2', '<f4', '<f8'), int8/16/32/64, uint8/16/32/64, bool ('|b1'), either byte order";

interface NpyHeader {
  type: ElementType;
  dtype: string;
  fortranOrder: boolean;
  shape: number[];
}

function parseDescr(descr: PyValue, file: string): { type: ElementType; dtype: string } {
  if (typeof descr !== 'string') {
    throw new DataFileError(file, 'has a structured dtype (descr is a list of fields), which is not supported; save a plain numeric array');
  }
  const match = /^([<>|=])([a-zA-Z])(\d*)$/.exec(descr);
  if (!match) throw new DataFileError(file, `has an unrecognised descr '${descr}'`);
  const [, order, kindChar, sizeText] = match as unknown as [string, string, string, string];
  if (kindChar === 'O') {
    throw new DataFileError(file, "holds an object array (descr '|O'), which would need unpickling; save a numeric array instead");
  }
  const kind = ({ f: 'float', i: 'int', u: 'uint', b: 'bool' } as const)[kindChar as 'f' | 'i' | 'u' | 'b'] as ElementType['kind'] | undefined;
  const size = Number(sizeText);
  const valid =
    kind !== undefined &&
    ((kind === 'float' && [2, 4, 8].includes(size)) || ((kind === 'int' || kind === 'uint') && [1, 2, 4, 8].includes(size)) || (kind === 'bool' && size === 1));
  if (!valid) throw new DataFileError(file, `has dtype '${descr}', which is not supported; supported: ${SUPPORTED}`);
  if (order === '|' && size > 1) throw new DataFileError(file, `has descr '${descr}': a multi-byte dtype needs a byte order`);
  const littleEndian = order === '<' || order === '|' || (order === '=' && endianness() === 'LE');
  const dtype = kind === 'bool' ? 'bool' : `${kind}${size * 8}`;
  return { type: { kind, size, littleEndian }, dtype };
}

function parseHeader(text: string, file: string): NpyHeader {
  let literal: PyValue;
  try {
    literal = parsePythonLiteral(text);
  } catch (error) {
    if (error instanceof PyLiteralError) throw new DataFileError(file, `has a malformed header (${error.message})`);
    throw error;
  }
  if (literal === null || typeof literal !== 'object' || literal.kind !== 'dict') {
    throw new DataFileError(file, 'has a header that is not a dict');
  }
  const keys = [...literal.entries.keys()].sort();
  if (keys.join(',') !== 'descr,fortran_order,shape') {
    throw new DataFileError(file, `has header keys ${keys.map((k) => `'${k}'`).join(', ') || '(none)'}; expected exactly 'descr', 'fortran_order', 'shape'`);
  }
  const { type, dtype } = parseDescr(literal.entries.get('descr')!, file);
  const fortranOrder = literal.entries.get('fortran_order');
  if (typeof fortranOrder !== 'boolean') throw new DataFileError(file, "has a header whose 'fortran_order' is not True or False");
  const shapeValue = literal.entries.get('shape');
  if (shapeValue === null || typeof shapeValue !== 'object' || shapeValue.kind !== 'tuple' || !shapeValue.items.every((d) => typeof d === 'number')) {
    throw new DataFileError(file, "has a header whose 'shape' is not a tuple of non-negative integers");
  }
  return { type, dtype, fortranOrder, shape: shapeValue.items as number[] };
}

export function parseNpy(bytes: Uint8Array, file: string): NdArray {
  if (bytes.length < 10 || !NPY_MAGIC.equals(bytes.subarray(0, 6))) {
    throw new DataFileError(file, 'is not a .npy file (missing the \\x93NUMPY magic)');
  }
  const major = bytes[6]!;
  const minor = bytes[7]!;
  if (minor !== 0 || major < 1 || major > 3) throw new DataFileError(file, `has unsupported .npy format version ${major}.${minor}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lengthBytes = major === 1 ? 2 : 4;
  if (bytes.length < 8 + lengthBytes) throw new DataFileError(file, 'is truncated inside the header length');
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  if (headerLength > NPY_MAX_HEADER_BYTES) {
    throw new DataFileError(file, `declares a ${headerLength}-byte header, more than the limit of ${NPY_MAX_HEADER_BYTES} bytes`);
  }
  const headerStart = 8 + lengthBytes;
  const dataStart = headerStart + headerLength;
  if (bytes.length < dataStart) throw new DataFileError(file, `is truncated inside the ${headerLength}-byte header`);
  const headerBytes = bytes.subarray(headerStart, dataStart);
  let text: string;
  try {
    // 1.0 and 2.0 headers are latin-1; 3.0 allows UTF-8.
    text = new TextDecoder(major === 3 ? 'utf-8' : 'latin1', { fatal: true }).decode(headerBytes);
  } catch {
    throw new DataFileError(file, 'has a header that is not valid UTF-8');
  }
  const header = parseHeader(text, file);
  const dataBytes = bytes.length - dataStart;
  const count = elementCount(header.shape, Math.floor(dataBytes / header.type.size));
  if (count === undefined || count * header.type.size !== dataBytes) {
    throw new DataFileError(
      file,
      `declares shape ${formatShape(header.shape)} of ${header.dtype} (${declaredBytes(header.shape, header.type.size)} data bytes) but holds ${dataBytes} data bytes`,
    );
  }
  let data;
  try {
    data = decodeElements(bytes, dataStart, count, header.type);
  } catch (error) {
    throw new DataFileError(file, (error as Error).message);
  }
  return { shape: header.shape, dtype: header.dtype, data: header.fortranOrder ? fortranToC(data, header.shape) : data };
}

export type NpyWriteDtype = 'uint8' | 'float32' | 'int32';

const WRITE_TYPES: Record<NpyWriteDtype, { descr: string; make: (n: number) => Uint8Array | Float32Array | Int32Array; min: number; max: number; integer: boolean }> = {
  uint8: { descr: '|u1', make: (n) => new Uint8Array(n), min: 0, max: 255, integer: true },
  int32: { descr: '<i4', make: (n) => new Int32Array(n), min: -(2 ** 31), max: 2 ** 31 - 1, integer: true },
  float32: { descr: '<f4', make: (n) => new Float32Array(n), min: -Infinity, max: Infinity, integer: false },
};

/** A version 1.0 .npy file in C order whose header is padded to a 64-byte boundary, as numpy writes it. */
export function writeNpy(shape: readonly number[], dtype: NpyWriteDtype, data: ArrayLike<number>): Buffer {
  if (!shape.every((d) => Number.isSafeInteger(d) && d >= 0)) throw new Error(`writeNpy: shape [${shape.join(', ')}] must hold non-negative integers`);
  const spec = WRITE_TYPES[dtype] as (typeof WRITE_TYPES)[NpyWriteDtype] | undefined;
  if (!spec) throw new Error(`writeNpy: dtype must be uint8, float32 or int32, got ${String(dtype)}`);
  const count = shape.reduce((a, b) => a * b, 1);
  if (data.length !== count) throw new Error(`writeNpy: data has ${data.length} values but shape [${shape.join(', ')}] needs ${count}`);
  const values = spec.make(count);
  for (let i = 0; i < count; i++) {
    const v = data[i]!;
    if (Number.isNaN(v) ? spec.integer : v < spec.min || v > spec.max || (spec.integer && !Number.isInteger(v))) {
      throw new Error(`writeNpy: data[${i}] = ${v} is not representable as ${dtype}`);
    }
    values[i] = v;
  }
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '${spec.descr}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  const unpadded = NPY_MAGIC.length + 2 + 2 + header.length + 1;
  header += ' '.repeat((64 - (unpadded % 64)) % 64) + '\n';
  const prefix = Buffer.alloc(10);
  NPY_MAGIC.copy(prefix, 0);
  prefix[6] = 1;
  prefix[7] = 0;
  prefix.writeUInt16LE(header.length, 8);
  return Buffer.concat([prefix, Buffer.from(header, 'latin1'), Buffer.from(values.buffer, values.byteOffset, values.byteLength)]);
}
