/**
 * PNG decoding through pngjs, with the header checked first: pngjs allocates
 * width*height*4 bytes from IHDR alone, and inflates interlaced images without
 * a bound, so both are bounded here before pngjs sees the file.
 */
import { PNG } from 'pngjs';
import { inflateSync } from 'node:zlib';
import { DataFileError } from './errors';

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const CHANNELS_BY_COLOR_TYPE: Record<number, number> = { 0: 1, 2: 3, 3: 3, 4: 1, 6: 3 };
const SAMPLES_BY_COLOR_TYPE: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };

export const PNG_MAX_PIXELS = 1 << 26;

export interface PngHeader {
  width: number;
  height: number;
  bitDepth: number;
  colorType: number;
  interlaced: boolean;
  /** 1 for grayscale (with or without alpha), 3 for RGB, RGBA and palette images. */
  channels: number;
}

export function readPngHeader(bytes: Uint8Array, file: string): PngHeader {
  if (bytes.length < 33 || !SIGNATURE.equals(bytes.subarray(0, 8))) throw new DataFileError(file, 'is not a PNG file (bad signature)');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(8) !== 13 || Buffer.from(bytes.subarray(12, 16)).toString('latin1') !== 'IHDR') {
    throw new DataFileError(file, 'is not a valid PNG (IHDR must come first)');
  }
  const width = view.getUint32(16);
  const height = view.getUint32(20);
  const bitDepth = bytes[24]!;
  const colorType = bytes[25]!;
  const channels = CHANNELS_BY_COLOR_TYPE[colorType];
  if (channels === undefined) throw new DataFileError(file, `has unknown PNG color type ${colorType}`);
  if (width === 0 || height === 0) throw new DataFileError(file, `has an empty ${width}x${height} image`);
  if (width * height > PNG_MAX_PIXELS) throw new DataFileError(file, `is ${width}x${height} pixels, more than the limit of ${PNG_MAX_PIXELS}`);
  return { width, height, bitDepth, colorType, interlaced: bytes[28] === 1, channels };
}

/** Adam7 adds at most a filter byte and a partial byte per row per pass; this bound covers both. */
function checkInterlacedSize(bytes: Uint8Array, header: PngHeader, file: string): void {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const parts: Uint8Array[] = [];
  let at = 8;
  while (at + 8 <= bytes.length) {
    const length = view.getUint32(at);
    const type = Buffer.from(bytes.subarray(at + 4, at + 8)).toString('latin1');
    if (at + 12 + length > bytes.length) break;
    if (type === 'IDAT') parts.push(bytes.subarray(at + 8, at + 8 + length));
    if (type === 'IEND') break;
    at += 12 + length;
  }
  const bitsPerPixel = header.bitDepth * SAMPLES_BY_COLOR_TYPE[header.colorType]!;
  const bound = Math.ceil((header.width * header.height * bitsPerPixel) / 8) + 4 * header.height + 64;
  try {
    inflateSync(Buffer.concat(parts), { maxOutputLength: bound });
  } catch (error) {
    if ((error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') throw new DataFileError(file, 'has more compressed image data than its size allows');
    throw new DataFileError(file, `is not a valid PNG (${(error as Error).message})`);
  }
}

export interface DecodedPng extends PngHeader {
  /** 8-bit samples, height*width*channels, row-major, alpha dropped. */
  pixels: Uint8Array;
}

export function decodePng(bytes: Uint8Array, file: string, header = readPngHeader(bytes, file)): DecodedPng {
  if (header.interlaced) checkInterlacedSize(bytes, header, file);
  let rgba: Buffer;
  try {
    rgba = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)).data;
  } catch (error) {
    throw new DataFileError(file, `is not a valid PNG (${(error as Error).message})`);
  }
  const pixelCount = header.width * header.height;
  if (rgba.length !== pixelCount * 4) throw new DataFileError(file, 'decoded to an unexpected number of bytes');
  const pixels = new Uint8Array(pixelCount * header.channels);
  if (header.channels === 1) {
    for (let p = 0; p < pixelCount; p++) pixels[p] = rgba[p * 4]!;
  } else {
    for (let p = 0; p < pixelCount; p++) {
      pixels[p * 3] = rgba[p * 4]!;
      pixels[p * 3 + 1] = rgba[p * 4 + 1]!;
      pixels[p * 3 + 2] = rgba[p * 4 + 2]!;
    }
  }
  return { ...header, pixels };
}
