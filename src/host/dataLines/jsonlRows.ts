/** Where a JSON Lines data row sits in the file, from a string or streamed from disk. */
import { JsonlLayoutScanner, type ScannedJsonlRow } from './jsonlScanner';
import { scanFileUntil, type StreamOptions } from './streamText';
import { checkRowIndices, type TextRange } from './textRange';

export interface JsonlRowLocation {
  row: number;
  /** The whole line, without its line break. */
  range: TextRange;
}

class JsonlRowCollector {
  private readonly wanted: Set<number>;
  readonly rows = new Map<number, JsonlRowLocation>();
  complete: boolean;

  constructor(rows: Iterable<number>) {
    this.wanted = checkRowIndices(rows, 'locateJsonlRows');
    this.complete = this.wanted.size === 0;
  }

  readonly onRow = ({ row, line, endCharacter }: ScannedJsonlRow): void => {
    if (!this.wanted.has(row)) return;
    this.rows.set(row, { row, range: { start: { line, character: 0 }, end: { line, character: endCharacter } } });
    if (this.rows.size === this.wanted.size) this.complete = true;
  };
}

/** Rows past the end are absent from the map. */
export function locateJsonlRows(text: string, rows: Iterable<number>): Map<number, JsonlRowLocation> {
  if (typeof text !== 'string') throw new TypeError('locateJsonlRows: text must be a string');
  const collector = new JsonlRowCollector(rows);
  const scanner = new JsonlLayoutScanner(collector.onRow);
  scanner.push(text);
  scanner.finish();
  return collector.rows;
}

export async function locateJsonlRowsInFile(file: string, rows: Iterable<number>, options: StreamOptions = {}): Promise<Map<number, JsonlRowLocation>> {
  const collector = new JsonlRowCollector(rows);
  if (collector.complete) return collector.rows;
  const scanner = new JsonlLayoutScanner(collector.onRow);
  await scanFileUntil(file, scanner, () => collector.complete, options);
  return collector.rows;
}
