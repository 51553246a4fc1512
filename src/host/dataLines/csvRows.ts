/**
 * Where a CSV data row, and a field in it, sits in the file: the editor range
 * to reveal for an example, and the range a label fix replaces.
 *
 * Data rows are counted as the engine counts them: the header is not a row,
 * blank lines are not rows. The engine always reads the first record as the
 * header, so that is the default; 'detect' follows the panel's rule (a first
 * record with any non-numeric field is a header) for files the engine did not read.
 */
import { CsvLayoutScanner, type ScannedCsvRecord } from './csvScanner';
import { checkRowIndices, type TextRange } from './textRange';

export type CsvHeaderMode = boolean | 'detect';

export interface CsvRowOptions {
  /** Whether the first record is a header; defaults to true, as the engine reads it. */
  header?: CsvHeaderMode;
}

export interface CsvRowLocation {
  /** 0-based data row. */
  row: number;
  /** From the row's first character to where its line break starts; spans lines when a quoted field does. */
  range: TextRange;
  /** Each field's range, quotes included, so a replacement can requote. */
  fields: TextRange[];
}

export interface CsvRowsFound {
  /** Trimmed header names, as the engine names columns; undefined without a header. */
  header: string[] | undefined;
  rows: Map<number, CsvRowLocation>;
}

function looksNumeric(value: string): boolean {
  const trimmed = value.trim();
  return trimmed !== '' && Number.isFinite(Number(trimmed));
}

export function isCsvHeader(firstRecordValues: readonly string[]): boolean {
  return firstRecordValues.some((value) => !looksNumeric(value));
}

function fieldRanges(bounds: readonly number[]): TextRange[] {
  const ranges: TextRange[] = [];
  for (let i = 0; i + 3 < bounds.length; i += 4) {
    ranges.push({ start: { line: bounds[i]!, character: bounds[i + 1]! }, end: { line: bounds[i + 2]!, character: bounds[i + 3]! } });
  }
  return ranges;
}

/** Collects the wanted rows from scanned records; `complete` turns true once none is missing. */
export class CsvRowCollector {
  private readonly wanted: Set<number>;
  private readonly headerMode: CsvHeaderMode;
  private hasHeader = false;
  readonly found: CsvRowsFound = { header: undefined, rows: new Map() };
  /** Every wanted row, and the header, has been seen: a reader may stop. */
  complete = false;

  constructor(rows: Iterable<number>, options: CsvRowOptions = {}) {
    this.wanted = checkRowIndices(rows, 'CsvRowCollector');
    this.headerMode = options.header ?? true;
    if (this.headerMode !== true && this.headerMode !== false && this.headerMode !== 'detect') {
      throw new RangeError(`CsvRowCollector: header must be true, false or 'detect', got ${String(this.headerMode)}`);
    }
  }

  readonly onRecord = (record: ScannedCsvRecord): void => {
    if (record.index === 0 && record.firstRecordValues) {
      this.hasHeader = this.headerMode === 'detect' ? isCsvHeader(record.firstRecordValues) : this.headerMode;
      if (this.hasHeader) this.found.header = record.firstRecordValues.map((name) => name.trim());
    }
    const row = record.index - (this.hasHeader ? 1 : 0);
    if (row >= 0 && this.wanted.has(row)) {
      this.found.rows.set(row, { row, range: { start: record.start, end: record.end }, fields: fieldRanges(record.fieldBounds) });
    }
    if (this.found.rows.size === this.wanted.size) this.complete = true;
  };
}

/** Finds the given data rows in CSV text (a TextDocument's text, say). Rows past the end are absent from the map. */
export function locateCsvRows(text: string, rows: Iterable<number>, options: CsvRowOptions = {}): CsvRowsFound {
  if (typeof text !== 'string') throw new TypeError('locateCsvRows: text must be a string');
  const collector = new CsvRowCollector(rows, options);
  const scanner = new CsvLayoutScanner(collector.onRecord);
  scanner.push(text);
  scanner.finish();
  return collector.found;
}

export function locateCsvRow(text: string, row: number, options: CsvRowOptions = {}): CsvRowLocation | undefined {
  return locateCsvRows(text, [row], options).rows.get(row);
}

/** A column by header name (trimmed, as the engine matches it) or by 0-based index. */
export function csvColumnIndexOf(header: readonly string[] | undefined, column: string | number): number | undefined {
  if (typeof column === 'number') {
    if (!Number.isSafeInteger(column) || column < 0) throw new RangeError(`csvColumnIndexOf: a column index must be a non-negative integer, got ${column}`);
    return column;
  }
  if (typeof column !== 'string' || column === '') throw new TypeError('csvColumnIndexOf: a column name must be a non-empty string');
  const index = header?.indexOf(column) ?? -1;
  return index < 0 ? undefined : index;
}

/** The range of one field of a located row, quotes included; undefined when the row is too short or the column unknown. */
export function csvFieldRange(found: CsvRowsFound, row: number, column: string | number): TextRange | undefined {
  const location = found.rows.get(row);
  const index = csvColumnIndexOf(found.header, column);
  if (!location || index === undefined) return undefined;
  return location.fields[index];
}

/** The range of a named field of a data row in CSV text, for a quick fix that replaces the value. */
export function csvFieldRangeInText(text: string, row: number, column: string | number, options: CsvRowOptions = {}): TextRange | undefined {
  return csvFieldRange(locateCsvRows(text, [row], options), row, column);
}

/** A value as a CSV field: quoted, with "" for quotes, when it holds a comma, quote, line break or edge space. */
export function formatCsvField(value: string): string {
  if (typeof value !== 'string') throw new TypeError('formatCsvField: value must be a string');
  return /[",\r\n]/.test(value) || value !== value.trim() ? `"${value.replace(/"/g, '""')}"` : value;
}
