/**
 * Where a row's first line went after an edit, from the editor's content
 * changes alone, so diagnostics move with the text at once; the debounced
 * re-map then checks each row still holds its flagged label. A row whose
 * first line was deleted, replaced or merged into another line is gone.
 */
import type { TextRange } from '../dataLines/textRange';

export interface TextChange {
  /** In the text before this change (VS Code lists an event's changes so that applying them in order is valid). */
  range: TextRange;
  text: string;
}

function lineBreaks(text: string): { count: number; lastLineLength: number } {
  let count = 0;
  let lastStart = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x0d) {
      count++;
      if (text.charCodeAt(i + 1) === 0x0a) i++;
      lastStart = i + 1;
    } else if (c === 0x0a) {
      count++;
      lastStart = i + 1;
    }
  }
  return { count, lastLineLength: text.length - lastStart };
}

/** The line after one change, or undefined when the row's first line did not survive it. */
export function shiftLineOnce(line: number, change: TextChange): number | undefined {
  const { start, end } = change.range;
  const inserted = lineBreaks(change.text);
  if (end.line < line) return line + inserted.count - (end.line - start.line);
  if (start.line > line) return line;
  if (start.line < line) {
    // A change from above that ends at the very start of this line leaves its text whole; where does it begin now?
    if (end.line !== line || end.character !== 0) return undefined;
    const column = inserted.count === 0 ? start.character + change.text.length : inserted.lastLineLength;
    return column === 0 ? start.line + inserted.count : undefined;
  }
  // The change starts on this line.
  if (start.character === 0 && end.line === line && end.character === 0) {
    // A pure insertion at the line's start: whole lines pushed it down, or text was prefixed to it.
    if (inserted.count === 0) return line;
    return inserted.lastLineLength === 0 ? line + inserted.count : undefined;
  }
  if (start.character === 0 && end.line > line && end.character === 0) return undefined;
  return line;
}

export function shiftLine(line: number, changes: readonly TextChange[]): number | undefined {
  let current: number | undefined = line;
  for (const change of changes) {
    if (current === undefined) return undefined;
    current = shiftLineOnce(current, change);
  }
  return current;
}

export function moveRange(range: TextRange, delta: number): TextRange {
  return { start: { line: range.start.line + delta, character: range.start.character }, end: { line: range.end.line + delta, character: range.end.character } };
}
