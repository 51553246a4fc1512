/**
 * RFC 4180 CSV: comma-separated, fields optionally in double quotes with ""
 * for a literal quote, quoted fields may span lines, records end with CRLF or
 * LF. Every record carries the 1-based line it starts on, so diagnostics can
 * point at the real line even after multi-line fields. Blank lines are skipped.
 */
import { DataFileError } from './errors';

export const CSV_MAX_COLUMNS = 100_000;

const COMMA = 0x2c;
const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;

export interface CsvOptions {
  maxColumns?: number;
}

function countLineBreaks(text: string, from: number, to: number): number {
  let breaks = 0;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c === LF || (c === CR && text.charCodeAt(i + 1) !== LF)) breaks++;
  }
  return breaks;
}

/**
 * Calls `onRecord` for every record, the header first. All records must have
 * as many fields as the first.
 */
export function forEachCsvRecord(text: string, file: string, onRecord: (fields: string[], line: number) => void, options: CsvOptions = {}): void {
  const maxColumns = options.maxColumns ?? CSV_MAX_COLUMNS;
  const fail = (line: number, problem: string): never => {
    throw new DataFileError(file, `line ${line}: ${problem}`);
  };
  const n = text.length;
  let i = 0;
  let line = 1;
  let width: number | undefined;
  while (i < n) {
    const first = text.charCodeAt(i);
    if (first === LF || first === CR) {
      i += first === CR && text.charCodeAt(i + 1) === LF ? 2 : 1;
      line++;
      continue;
    }
    const recordLine = line;
    const fields: string[] = [];
    for (;;) {
      if (text.charCodeAt(i) === QUOTE) {
        const openLine = line;
        let value = '';
        let start = i + 1;
        for (;;) {
          const close = text.indexOf('"', start);
          if (close < 0) fail(openLine, 'a quoted field opened on this line is never closed');
          line += countLineBreaks(text, start, close);
          if (text.charCodeAt(close + 1) === QUOTE) {
            value += text.slice(start, close + 1);
            start = close + 2;
            continue;
          }
          value += text.slice(start, close);
          i = close + 1;
          break;
        }
        const after = text.charCodeAt(i);
        if (i < n && after !== COMMA && after !== LF && after !== CR) fail(line, 'unexpected character after a closing quote');
        fields.push(value);
      } else {
        let j = i;
        for (; j < n; j++) {
          const c = text.charCodeAt(j);
          if (c === COMMA || c === LF || c === CR) break;
          if (c === QUOTE) fail(line, 'stray \'"\' inside an unquoted field (quote the whole field and double the inner quotes)');
        }
        fields.push(text.slice(i, j));
        i = j;
      }
      if (fields.length > maxColumns) fail(recordLine, `has more than ${maxColumns} fields`);
      if (i >= n) break;
      const c = text.charCodeAt(i);
      if (c === COMMA) {
        i++;
        continue;
      }
      i += c === CR && text.charCodeAt(i + 1) === LF ? 2 : 1;
      line++;
      break;
    }
    width ??= fields.length;
    if (fields.length !== width) fail(recordLine, `has ${fields.length} fields, the header has ${width}`);
    onRecord(fields, recordLine);
  }
}

export interface CsvTable {
  header: string[];
  headerLine: number;
  rows: string[][];
  /** 1-based line on which each row starts. */
  lines: number[];
}

/** Header names are trimmed and must be non-empty and distinct. */
export function checkCsvHeader(fields: string[], file: string, line: number): string[] {
  const header = fields.map((name) => name.trim());
  const seen = new Set<string>();
  header.forEach((name, index) => {
    if (name === '') throw new DataFileError(file, `line ${line}: header column ${index + 1} has no name`);
    if (seen.has(name)) throw new DataFileError(file, `line ${line}: header names column "${name}" twice`);
    seen.add(name);
  });
  return header;
}

/** The whole table in memory: for small files such as labels.csv. */
export function parseCsv(text: string, file: string, options: CsvOptions = {}): CsvTable {
  let header: string[] | undefined;
  let headerLine = 0;
  const rows: string[][] = [];
  const lines: number[] = [];
  forEachCsvRecord(
    text,
    file,
    (fields, line) => {
      if (!header) {
        header = checkCsvHeader(fields, file, line);
        headerLine = line;
        return;
      }
      rows.push(fields);
      lines.push(line);
    },
    options,
  );
  if (!header) throw new DataFileError(file, 'is empty (no header row)');
  return { header, headerLine, rows, lines };
}

export function csvColumnIndex(table: { header: string[] }, column: string, file: string): number {
  const index = table.header.indexOf(column);
  if (index < 0) throw new DataFileError(file, `has no column "${column}"; columns: ${table.header.map((h) => `"${h}"`).join(', ')}`);
  return index;
}
