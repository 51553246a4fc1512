/** The CSV row locator for files too large to hold as one string. */
import { CsvLayoutScanner } from './csvScanner';
import { CsvRowCollector, type CsvRowOptions, type CsvRowsFound } from './csvRows';
import { scanFileUntil, type StreamOptions } from './streamText';

/** Same answer as `locateCsvRows` on the file's text, without reading past the last wanted row. */
export async function locateCsvRowsInFile(file: string, rows: Iterable<number>, options: CsvRowOptions & StreamOptions = {}): Promise<CsvRowsFound> {
  const collector = new CsvRowCollector(rows, options);
  const scanner = new CsvLayoutScanner(collector.onRecord);
  await scanFileUntil(file, scanner, () => collector.complete, options);
  return collector.found;
}
