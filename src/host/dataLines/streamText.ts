/**
 * Feeds a text file to a scanner in chunks, for files too large to hold as
 * one string, and stops reading as soon as the scanner has what it needs.
 */
import { createReadStream } from 'node:fs';

/** Above this size, read a data file in chunks rather than opening it as a document. */
export const STREAM_ABOVE_BYTES = 50 * 1024 * 1024;

export interface StreamOptions {
  /** Bytes per read; small values are for tests that put chunk boundaries in awkward places. */
  chunkBytes?: number;
  signal?: AbortSignal;
}

/**
 * Calls `onChunk` with successive pieces of the file's UTF-8 text until it
 * returns true. Resolves true when the whole file was read, false when stopped early.
 */
export async function feedTextChunks(file: string, onChunk: (chunk: string) => boolean, options: StreamOptions = {}): Promise<boolean> {
  if (typeof file !== 'string' || file === '') throw new TypeError('feedTextChunks: file must be a non-empty path');
  const chunkBytes = options.chunkBytes ?? 1024 * 1024;
  if (!Number.isSafeInteger(chunkBytes) || chunkBytes <= 0) throw new RangeError(`feedTextChunks: chunkBytes must be a positive integer, got ${chunkBytes}`);
  // 'utf8' decoding carries a character split across chunks over to the next one.
  const stream = createReadStream(file, { encoding: 'utf8', highWaterMark: chunkBytes, signal: options.signal });
  try {
    for await (const chunk of stream) {
      if (onChunk(chunk as string)) return false;
    }
    return true;
  } finally {
    stream.destroy();
  }
}

/** Feeds a scanner the file's text until `complete()` says every wanted row was seen; finishes it when the whole file was read. */
export async function scanFileUntil(file: string, scanner: { push(chunk: string): void; finish(): void }, complete: () => boolean, options: StreamOptions = {}): Promise<void> {
  const readAll = await feedTextChunks(
    file,
    (chunk) => {
      scanner.push(chunk);
      return complete();
    },
    options,
  );
  if (readAll) scanner.finish();
}
