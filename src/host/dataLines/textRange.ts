/**
 * Editor positions without `vscode`: 0-based line, and character counted in
 * UTF-16 code units from the start of the line, as `vscode.Position` counts.
 */

export interface TextPosition {
  line: number;
  character: number;
}

export interface TextRange {
  start: TextPosition;
  end: TextPosition;
}

/** The row numbers asked for, checked: 0-based integers. */
export function checkRowIndices(rows: Iterable<number>, caller: string): Set<number> {
  const wanted = new Set<number>();
  for (const row of rows) {
    if (!Number.isSafeInteger(row) || row < 0) throw new RangeError(`${caller}: rows must be non-negative integers, got ${row}`);
    wanted.add(row);
  }
  return wanted;
}
