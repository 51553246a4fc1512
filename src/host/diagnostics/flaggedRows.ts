/**
 * A run's flagged rows in one labels file, as plain data: filtered by score,
 * hidden when reviewed, moved with edits, and turned into what the editor
 * shows (diagnostic specs with their quick fixes). No `vscode` here.
 */
import type { SuspiciousTrainingExample } from '../../protocol/engineProtocol';
import type { TextRange } from '../dataLines/textRange';
import { formatSuggestedLabel } from './labelField';
import type { TextFormat } from './labelTarget';
import { moveRange, shiftLine, type TextChange } from './lineShift';
import { changeLabelTitle, diagnosticCode, diagnosticMessage } from './messages';
import type { MappedRow } from './rowMapping';

/** The most suspicious first, at or above `minScore`, at most `maxShown`. */
export function selectExamples(examples: readonly SuspiciousTrainingExample[], minScore: number, maxShown: number): SuspiciousTrainingExample[] {
  return examples
    .filter((e) => e.score >= minScore)
    .sort((a, b) => b.score - a.score || a.index - b.index)
    .slice(0, Math.max(0, maxShown));
}

export interface LabelChange {
  title: string;
  range: TextRange;
  text: string;
}

export interface RowDiagnosticSpec {
  index: number;
  row: number;
  label: number;
  /** Where the diagnostic sits: the label field. */
  range: TextRange;
  /** The whole row, for matching a cursor anywhere on it. */
  rowRange: TextRange;
  message: string;
  code: string;
  change?: LabelChange;
}

export function rowDiagnosticSpec(row: MappedRow, format: TextFormat): RowDiagnosticSpec {
  const spec: RowDiagnosticSpec = {
    index: row.example.index,
    row: row.row,
    label: row.example.label,
    range: row.labelRange,
    rowRange: row.rowRange,
    message: diagnosticMessage(row.example),
    code: diagnosticCode(row.example),
  };
  const text = formatSuggestedLabel(format, row.written, row.example);
  const title = changeLabelTitle(row.example);
  if (text !== undefined && title !== undefined) spec.change = { title, range: row.labelRange, text };
  return spec;
}

/** Rows after an edit: moved with their first line, or dropped when it went away. Ranges inside a row are fixed by the re-map. */
export function shiftRows(rows: readonly MappedRow[], changes: readonly TextChange[]): MappedRow[] {
  const out: MappedRow[] = [];
  for (const row of rows) {
    const line = shiftLine(row.line, changes);
    if (line === undefined) continue;
    const delta = line - row.line;
    out.push(delta === 0 ? row : { ...row, line, rowRange: moveRange(row.rowRange, delta), labelRange: moveRange(row.labelRange, delta) });
  }
  return out;
}

function intersects(a: TextRange, b: TextRange): boolean {
  const before = (p: TextRange['start'], q: TextRange['start']): boolean => p.line < q.line || (p.line === q.line && p.character < q.character);
  return !before(a.end, b.start) && !before(b.end, a.start);
}

/** The specs whose row touches `range` (a cursor or selection). */
export function specsAt(specs: readonly RowDiagnosticSpec[], range: TextRange): RowDiagnosticSpec[] {
  return specs.filter((spec) => intersects(spec.rowRange, range) || intersects(spec.range, range));
}
