/** Plain-text tables and timing lines for the CLI's summaries; pure, so they can be tested. */

type CellPad = (cell: string, width: number, column: number, columns: number) => string;

function textTable(rows: readonly (readonly string[])[], indent: string, pad: CellPad): string {
  const columns = rows[0]!.length;
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  return rows.map((r) => `${indent}${r.map((cell, c) => pad(cell, widths[c]!, c, columns)).join('  ')}`.trimEnd()).join('\n');
}

/** Columns two spaces apart, every cell left-aligned (the first row sets how many columns are padded). */
export function leftAlignedTable(rows: readonly (readonly string[])[], indent = '  '): string {
  return textTable(rows, indent, (cell, width, c, columns) => (c === columns - 1 ? cell : cell.padEnd(width)));
}

/** Columns two spaces apart, the first (names) left-aligned and the others (numbers) right-aligned. */
export function numberTable(rows: readonly (readonly string[])[], indent = '  '): string {
  return textTable(rows, indent, (cell, width, c) => (c === 0 ? cell.padEnd(width) : cell.padStart(width)));
}

/** "phase 1.20 s, other 0.03 s". */
export function timingsLine(timings: Readonly<Record<string, number>>): string {
  return Object.entries(timings)
    .map(([phase, seconds]) => `${phase} ${seconds.toFixed(2)} s`)
    .join(', ');
}
