/** Strict UTF-8 decoding for the text formats (CSV, JSONL): mojibake would surface later as baffling parse errors. */
import { DataFileError } from './errors';

export function decodeUtf8(bytes: Uint8Array, file: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch (error) {
    if (error instanceof TypeError) throw new DataFileError(file, 'is not valid UTF-8 text');
    throw new DataFileError(file, `is too large to decode as text (${(error as Error).message})`);
  }
}

/** Strict decimal numbers only: Number() would also accept '', '0x1f', 'Infinity' and '  '. */
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

export function parseDecimal(text: string): number | undefined {
  const trimmed = text.trim();
  if (!DECIMAL.test(trimmed)) return undefined;
  const value = Number(trimmed);
  return Number.isFinite(value) ? value : undefined;
}
