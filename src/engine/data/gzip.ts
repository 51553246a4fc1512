/** Bounded gunzip: a small .gz file must not be able to claim gigabytes of memory. */
import { constants as bufferConstants } from 'node:buffer';
import { gunzipSync } from 'node:zlib';
import { DataFileError } from './errors';

export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

export function gunzipCapped(bytes: Uint8Array, maxOutputBytes: number, file: string): Buffer {
  const cap = Math.max(1, Math.min(maxOutputBytes, bufferConstants.MAX_LENGTH));
  try {
    return gunzipSync(bytes, { maxOutputLength: cap });
  } catch (error) {
    if ((error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new DataFileError(file, `decompresses to more than the limit of ${cap} bytes`);
    }
    throw new DataFileError(file, `is not valid gzip data (${(error as Error).message})`);
  }
}
