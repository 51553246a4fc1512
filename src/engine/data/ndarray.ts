/**
 * A decoded n-dimensional array in C (row-major) order, the common currency
 * of the IDX, .npy and .npz readers, plus the byte-level decoding they share.
 */
import { endianness } from 'node:os';

export type NumericArray =
  | Uint8Array
  | Int8Array
  | Uint16Array
  | Int16Array
  | Uint32Array
  | Int32Array
  | Float32Array
  | Float64Array;

export interface NdArray {
  shape: number[];
  /** Element dtype as read from the file, for messages only (e.g. 'uint8', 'float32'). */
  dtype: string;
  data: NumericArray;
}

export type ElementKind = 'float' | 'int' | 'uint' | 'bool';

export interface ElementType {
  kind: ElementKind;
  /** Bytes per element. */
  size: number;
  littleEndian: boolean;
}

const HOST_LITTLE_ENDIAN = endianness() === 'LE';

export function dtypeName(type: ElementType): string {
  return type.kind === 'bool' ? 'bool' : `${type.kind}${type.size * 8}`;
}

/**
 * Product of the dims, or undefined when it exceeds `limit`: hostile headers
 * declare dims whose product overflows, and the check must fail before any
 * allocation. Dims must already be non-negative integers.
 */
export function elementCount(shape: readonly number[], limit: number): number | undefined {
  if (shape.includes(0)) return 0;
  let product = 1;
  for (const dim of shape) {
    product *= dim;
    if (product > limit) return undefined;
  }
  return product;
}

/** The byte count a shape declares, for messages; arithmetic only, nothing is allocated. */
export function declaredBytes(shape: readonly number[], itemSize: number): string {
  const count = elementCount(shape, Number.MAX_SAFE_INTEGER / itemSize);
  return count === undefined ? 'more than 2^53' : String(count * itemSize);
}

export function formatShape(shape: readonly number[]): string {
  return shape.length === 0 ? '()' : shape.join('x');
}

function halfToFloat(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
  if (exponent === 0x1f) return fraction === 0 ? sign * Infinity : NaN;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}

/** Integers above 2^53 cannot be represented exactly: refuse rather than round. */
function decode64BitIntegers(view: DataView, count: number, type: ElementType): Float64Array {
  const out = new Float64Array(count);
  const signed = type.kind === 'int';
  for (let i = 0; i < count; i++) {
    const at = i * 8;
    const low = view.getUint32(type.littleEndian ? at : at + 4, type.littleEndian);
    const high = signed ? view.getInt32(type.littleEndian ? at + 4 : at, type.littleEndian) : view.getUint32(type.littleEndian ? at + 4 : at, type.littleEndian);
    if (high >= 2 ** 21 || high < -(2 ** 21)) {
      throw new Error(`element ${i} of the ${dtypeName(type)} array does not fit in a double without rounding`);
    }
    out[i] = high * 2 ** 32 + low;
  }
  return out;
}

function typedArrayFor(type: ElementType, buffer: ArrayBuffer): NumericArray {
  switch (`${type.kind}${type.size}`) {
    case 'uint1':
    case 'bool1':
      return new Uint8Array(buffer);
    case 'int1':
      return new Int8Array(buffer);
    case 'uint2':
      return new Uint16Array(buffer);
    case 'int2':
      return new Int16Array(buffer);
    case 'uint4':
      return new Uint32Array(buffer);
    case 'int4':
      return new Int32Array(buffer);
    case 'float4':
      return new Float32Array(buffer);
    case 'float8':
      return new Float64Array(buffer);
    default:
      throw new Error(`unsupported element type ${dtypeName(type)}`);
  }
}

/**
 * Copies `count` elements starting at `offset` into a fresh, aligned typed
 * array in host byte order. float16 widens to float32; 64-bit integers widen
 * to float64 when exact.
 */
export function decodeElements(bytes: Uint8Array, offset: number, count: number, type: ElementType): NumericArray {
  const byteLength = count * type.size;
  if (offset + byteLength > bytes.byteLength) throw new Error('element data runs past the end of the buffer');
  const view = new DataView(bytes.buffer, bytes.byteOffset + offset, byteLength);
  if (type.kind === 'float' && type.size === 2) {
    const out = new Float32Array(count);
    for (let i = 0; i < count; i++) out[i] = halfToFloat(view.getUint16(i * 2, type.littleEndian));
    return out;
  }
  if (type.size === 8 && type.kind !== 'float') return decode64BitIntegers(view, count, type);
  const source = bytes.subarray(offset, offset + byteLength);
  const copy = type.size > 1 && type.littleEndian !== HOST_LITTLE_ENDIAN ? swapBytes(source, type.size) : new Uint8Array(source);
  const out = typedArrayFor(type, copy.buffer);
  if (type.kind === 'bool') {
    for (let i = 0; i < out.length; i++) {
      if (out[i]! > 1) throw new Error(`element ${i} of the bool array is ${out[i]}, not 0 or 1`);
    }
  }
  return out;
}

function swapBytes(bytes: Uint8Array, size: number): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(bytes.length);
  for (let i = 0; i < bytes.length; i += size) {
    for (let j = 0; j < size; j++) out[i + j] = bytes[i + size - 1 - j]!;
  }
  return out;
}

/**
 * Reorders Fortran-order (column-major) data into C order. Fortran data of
 * shape (a, b, c) is C data of shape (c, b, a); this reverses the axes.
 */
export function fortranToC<T extends NumericArray>(data: T, shape: readonly number[]): T {
  if (shape.length < 2 || data.length === 0) return data;
  const rank = shape.length;
  const fortranStrides: number[] = [];
  let stride = 1;
  for (let axis = 0; axis < rank; axis++) {
    fortranStrides.push(stride);
    stride *= shape[axis]!;
  }
  const out = new (data.constructor as new (length: number) => T)(data.length);
  const index = new Array<number>(rank).fill(0);
  let source = 0;
  for (let target = 0; target < data.length; target++) {
    out[target] = data[source]!;
    for (let axis = rank - 1; axis >= 0; axis--) {
      index[axis]!++;
      source += fortranStrides[axis]!;
      if (index[axis]! < shape[axis]!) break;
      source -= fortranStrides[axis]! * shape[axis]!;
      index[axis] = 0;
    }
  }
  return out;
}
