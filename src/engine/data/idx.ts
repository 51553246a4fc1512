/**
 * IDX files (the MNIST format): two zero bytes, a dtype code, the number of
 * dims, big-endian uint32 dims, then big-endian elements in C order.
 */
import { DataFileError } from './errors';
import { declaredBytes, decodeElements, elementCount, formatShape, type ElementType, type NdArray } from './ndarray';

const IDX_TYPES: ReadonlyMap<number, { name: string; type: ElementType }> = new Map([
  [0x08, { name: 'ubyte', type: { kind: 'uint', size: 1, littleEndian: false } }],
  [0x09, { name: 'byte', type: { kind: 'int', size: 1, littleEndian: false } }],
  [0x0b, { name: 'short', type: { kind: 'int', size: 2, littleEndian: false } }],
  [0x0c, { name: 'int', type: { kind: 'int', size: 4, littleEndian: false } }],
  [0x0d, { name: 'float', type: { kind: 'float', size: 4, littleEndian: false } }],
  [0x0e, { name: 'double', type: { kind: 'float', size: 8, littleEndian: false } }],
]);

export function parseIdx(bytes: Uint8Array, file: string): NdArray {
  if (bytes.length < 4) throw new DataFileError(file, `is ${bytes.length} bytes, too short for an IDX header`);
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    throw new DataFileError(file, 'is not an IDX file (the first two bytes must be zero)');
  }
  const code = bytes[2]!;
  const dtype = IDX_TYPES.get(code);
  if (!dtype) throw new DataFileError(file, `has unknown IDX dtype code 0x${code.toString(16).padStart(2, '0')}`);
  const rank = bytes[3]!;
  if (rank === 0) throw new DataFileError(file, 'declares zero dimensions');
  const headerBytes = 4 + 4 * rank;
  if (bytes.length < headerBytes) {
    throw new DataFileError(file, `is truncated: ${rank} dims need a ${headerBytes}-byte header, the file has ${bytes.length} bytes`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const shape: number[] = [];
  for (let i = 0; i < rank; i++) shape.push(view.getUint32(4 + 4 * i, false));
  const dataBytes = bytes.length - headerBytes;
  const itemSize = dtype.type.size;
  const count = elementCount(shape, Math.floor(dataBytes / itemSize));
  if (count === undefined || count * itemSize !== dataBytes) {
    throw new DataFileError(
      file,
      `declares shape ${formatShape(shape)} of ${dtype.name} (${declaredBytes(shape, itemSize)} data bytes) but holds ${dataBytes} data bytes`,
    );
  }
  return { shape, dtype: dtype.name, data: decodeElements(bytes, headerBytes, count, dtype.type) };
}
