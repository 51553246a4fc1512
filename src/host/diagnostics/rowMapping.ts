/**
 * Flagged examples to places in their labels file: the data row's label field
 * (or the whole row), verified to still hold the flagged label. Rows are found
 * by data row (right after a run) or by the line a row was last seen on (after
 * edits, without re-running the engine). Works on a document's text or, for
 * files too large to open as a document, streamed from disk in chunks.
 */
import { CsvLayoutScanner, type ScannedCsvRecord } from '../dataLines/csvScanner';
import { JsonlLayoutScanner, type ScannedJsonlRow } from '../dataLines/jsonlScanner';
import { feedTextChunks, type StreamOptions } from '../dataLines/streamText';
import type { TextRange } from '../dataLines/textRange';
import type { SuspiciousTrainingExample } from '../../protocol/engineProtocol';
import { csvFieldValue, jsonlFieldRange, jsonlWrittenLabel, labelMatches, type WrittenLabel } from './labelField';
import type { TextFormat } from './labelTarget';
import { RangeTextCollector } from './rangeText';

export interface TextLabelTarget {
  format: TextFormat;
  column: string;
}

export interface MappedRow {
  example: SuspiciousTrainingExample;
  /** The data row now (0-based, header not counted). */
  row: number;
  /** 0-based line the row starts on: the anchor kept across edits. */
  line: number;
  /** The whole row, from its first character to its line break. */
  rowRange: TextRange;
  /** The label field (CSV quotes included; the JSON value), what a fix replaces and the diagnostic underlines. */
  labelRange: TextRange;
  written: WrittenLabel;
}

export interface MappingReport {
  mapped: MappedRow[];
  /** Rows the file no longer has. */
  missing: SuspiciousTrainingExample[];
  /** Rows whose label is no longer the flagged one (edited, or the file changed since the run). */
  changed: SuspiciousTrainingExample[];
  /** Rows the engine placed on another line than the file has them (counted, for the log). */
  lineMismatches: number;
}

/** What to look for: each example's data row, or the line its row started on. */
export type Lookup = { by: 'row'; examples: readonly SuspiciousTrainingExample[] } | { by: 'line'; rows: ReadonlyArray<{ example: SuspiciousTrainingExample; line: number }> };

interface Located {
  row: number;
  line: number;
  rowRange: TextRange;
  /** CSV: the label field; JSONL: the whole line (the value is found inside it). */
  textRange: TextRange | undefined;
}

class Locator {
  private readonly csv?: CsvLayoutScanner;
  private readonly jsonl?: JsonlLayoutScanner;
  private readonly wantedRows = new Set<number>();
  private readonly wantedLines = new Set<number>();
  readonly byRow = new Map<number, Located>();
  readonly byLine = new Map<number, Located>();
  private column = -1;
  private lastWanted: number;

  constructor(
    private readonly target: TextLabelTarget,
    lookup: Lookup,
  ) {
    if (lookup.by === 'row') for (const e of lookup.examples) this.wantedRows.add(e.row);
    else for (const r of lookup.rows) this.wantedLines.add(r.line);
    this.lastWanted = lookup.by === 'row' ? Math.max(-1, ...this.wantedRows) : Math.max(-1, ...this.wantedLines);
    if (target.format === 'csv') this.csv = new CsvLayoutScanner(this.onCsv);
    else this.jsonl = new JsonlLayoutScanner(this.onJsonl);
  }

  /** Every wanted row or line has been passed. */
  done = false;

  push(chunk: string): boolean {
    this.csv?.push(chunk);
    this.jsonl?.push(chunk);
    return this.done;
  }

  finish(): void {
    this.csv?.finish();
    this.jsonl?.finish();
  }

  private keep(located: Located): void {
    const byRow = this.wantedRows.has(located.row);
    const byLine = this.wantedLines.has(located.line);
    if (byRow) this.byRow.set(located.row, located);
    if (byLine) this.byLine.set(located.line, located);
    const progress = this.wantedRows.size > 0 ? located.row : located.line;
    if (progress >= this.lastWanted) this.done = true;
  }

  private readonly onCsv = (record: ScannedCsvRecord): void => {
    if (record.index === 0) {
      // The engine always reads the first record as the header.
      this.column = (record.firstRecordValues ?? []).map((name) => name.trim()).indexOf(this.target.column);
      return;
    }
    const row = record.index - 1;
    const line = record.start.line;
    if (!this.wantedRows.has(row) && !this.wantedLines.has(line)) {
      if ((this.wantedRows.size > 0 ? row : line) >= this.lastWanted) this.done = true;
      return;
    }
    const b = record.fieldBounds;
    const k = this.column * 4;
    const textRange = this.column >= 0 && k + 3 < b.length ? { start: { line: b[k]!, character: b[k + 1]! }, end: { line: b[k + 2]!, character: b[k + 3]! } } : undefined;
    this.keep({ row, line, rowRange: { start: { ...record.start }, end: { ...record.end } }, textRange });
  };

  private readonly onJsonl = ({ row, line, endCharacter }: ScannedJsonlRow): void => {
    if (!this.wantedRows.has(row) && !this.wantedLines.has(line)) {
      if ((this.wantedRows.size > 0 ? row : line) >= this.lastWanted) this.done = true;
      return;
    }
    const rowRange = { start: { line, character: 0 }, end: { line, character: endCharacter } };
    this.keep({ row, line, rowRange, textRange: rowRange });
  };
}

function pairs(lookup: Lookup, locator: Locator): Array<{ example: SuspiciousTrainingExample; located: Located | undefined }> {
  return lookup.by === 'row'
    ? lookup.examples.map((example) => ({ example, located: locator.byRow.get(example.row) }))
    : lookup.rows.map(({ example, line }) => ({ example, located: locator.byLine.get(line) }));
}

type Found = Array<{ example: SuspiciousTrainingExample; located: Located | undefined }>;

function collectorFor(found: Found): RangeTextCollector {
  const ranges = found.map((f) => f.located?.textRange).filter((r): r is TextRange => r !== undefined);
  return new RangeTextCollector([...new Map(ranges.map((r) => [`${r.start.line}:${r.start.character}`, r])).values()]);
}

function labelOf(target: TextLabelTarget, located: Located, raw: string | undefined): { labelRange: TextRange; written: WrittenLabel } | undefined {
  if (raw === undefined || !located.textRange) return undefined;
  if (target.format === 'csv') return { labelRange: located.textRange, written: { text: csvFieldValue(raw) } };
  const field = jsonlFieldRange(raw, target.column);
  const written = field && jsonlWrittenLabel(field.raw);
  if (!field || !written) return undefined;
  const line = located.textRange.start.line;
  return { labelRange: { start: { line, character: field.start }, end: { line, character: field.end } }, written };
}

function assemble(found: Found, texts: RangeTextCollector, target: TextLabelTarget, lookup: Lookup): MappingReport {
  const report: MappingReport = { mapped: [], missing: [], changed: [], lineMismatches: 0 };
  for (const { example, located } of found) {
    if (!located) {
      report.missing.push(example);
      continue;
    }
    const label = labelOf(target, located, located.textRange && texts.textOf(located.textRange));
    if (!label || !labelMatches(label.written, example)) {
      report.changed.push(example);
      continue;
    }
    if (lookup.by === 'row' && example.line !== undefined && example.line !== located.line + 1) report.lineMismatches++;
    report.mapped.push({ example, row: located.row, line: located.line, rowRange: located.rowRange, ...label });
  }
  return report;
}

/** Mapping over a document's text (files up to STREAM_ABOVE_BYTES). */
export function mapRowsInText(text: string, target: TextLabelTarget, lookup: Lookup): MappingReport {
  if (typeof text !== 'string') throw new TypeError('mapRowsInText: text must be a string');
  const locator = new Locator(target, lookup);
  locator.push(text);
  locator.finish();
  const found = pairs(lookup, locator);
  const texts = collectorFor(found);
  texts.push(text);
  texts.finish();
  return assemble(found, texts, target, lookup);
}

/** The same answer as `mapRowsInText` on the file's text, read in chunks and no further than needed. */
export async function mapRowsInFile(file: string, target: TextLabelTarget, lookup: Lookup, options: StreamOptions = {}): Promise<MappingReport> {
  const locator = new Locator(target, lookup);
  if (await feedTextChunks(file, (chunk) => locator.push(chunk), options)) locator.finish();
  const found = pairs(lookup, locator);
  const texts = collectorFor(found);
  if (!texts.complete && (await feedTextChunks(file, (chunk) => texts.push(chunk), options))) texts.finish();
  return assemble(found, texts, target, lookup);
}
