/** JSON Lines: one JSON object per line; blank lines are skipped; errors name the line. */
import { DataFileError } from './errors';

export type JsonRecord = Record<string, unknown>;

export function forEachJsonlRecord(text: string, file: string, onRecord: (record: JsonRecord, line: number) => void): void {
  let start = 0;
  let line = 0;
  while (start <= text.length) {
    line++;
    const newline = text.indexOf('\n', start);
    const end = newline < 0 ? text.length : newline;
    const raw = text.slice(start, end);
    start = end + 1;
    if (raw.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch (error) {
      throw new DataFileError(file, `line ${line}: is not valid JSON (${(error as Error).message})`);
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new DataFileError(file, `line ${line}: is not a JSON object`);
    }
    onRecord(value as JsonRecord, line);
  }
}
