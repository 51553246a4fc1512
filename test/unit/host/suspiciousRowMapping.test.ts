/** Flagged examples to label fields: BOM, CRLF, quoted multi-line fields, JSONL, streamed files, edits. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { SuspiciousTrainingExample } from '../../../src/protocol/engineProtocol';
import type { TextRange } from '../../../src/host/dataLines/textRange';
import { mapRowsInFile, mapRowsInText, type MappingReport } from '../../../src/host/diagnostics/rowMapping';
import { RangeTextCollector } from '../../../src/host/diagnostics/rangeText';
import { rowDiagnosticSpec, shiftRows } from '../../../src/host/diagnostics/flaggedRows';

/** The text a range covers, with lines split as VS Code splits them (CRLF, LF, CR) and a BOM hidden. */
function textOf(text: string, range: TextRange): string {
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
  const lineStarts = [0];
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c === '\n' || (c === '\r' && body[i + 1] !== '\n')) lineStarts.push(i + 1);
  }
  const offset = (p: { line: number; character: number }): number => lineStarts[p.line]! + p.character;
  return body.slice(offset(range.start), offset(range.end));
}

function example(index: number, label: number, extra: Partial<SuspiciousTrainingExample> = {}): SuspiciousTrainingExample {
  return { index, row: index, label, score: 95, reasons: [{ signal: 'selfInfluence', value: 3, percentile: 99, text: 'self-influence 3 (top 1%)' }], ...extra };
}

function withFile(content: string, run: (file: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'suspicious-'));
  const file = path.join(dir, 'labels.txt');
  writeFileSync(file, content, 'utf8');
  return run(file).finally(() => rmSync(dir, { recursive: true, force: true }));
}

const CSV_TARGET = { format: 'csv' as const, column: 'label' };
// Row 1 has a quoted name over three physical lines; CRLF, a lone CR and a BOM.
const CSV = '\uFEFFindex,label,name\r\n0,0,T-shirt\r\n1,6,"Shirt\r\nwith\nlines"\r\n\r\n2,"3",Dress\r3,5,Sandal\n';

test('CSV: each flagged row lands on its label field, past BOM, CRLF, blank lines and multi-line quoted fields', () => {
  const report = mapRowsInText(CSV, CSV_TARGET, { by: 'row', examples: [example(1, 6), example(2, 3), example(3, 5)] });
  assert.equal(report.missing.length, 0);
  assert.equal(report.changed.length, 0);
  const [one, two, three] = report.mapped;
  assert.deepEqual(one!.labelRange, { start: { line: 2, character: 2 }, end: { line: 2, character: 3 } });
  assert.equal(textOf(CSV, one!.rowRange), '1,6,"Shirt\r\nwith\nlines"');
  assert.equal(two!.line, 6);
  assert.equal(textOf(CSV, two!.labelRange), '"3"', 'the quotes are inside the range, so a fix requotes');
  assert.equal(three!.line, 7);
  assert.equal(textOf(CSV, three!.labelRange), '5');
});

test('CSV: a row whose label is not the flagged one is dropped as changed; a row past the end as missing', () => {
  const report = mapRowsInText(CSV, CSV_TARGET, { by: 'row', examples: [example(1, 2), example(9, 1)] });
  assert.deepEqual(report.mapped, []);
  assert.deepEqual(report.changed.map((e) => e.index), [1]);
  assert.deepEqual(report.missing.map((e) => e.index), [9]);
});

test('CSV: class-name labels are matched by name, and an engine line that disagrees is counted', () => {
  const text = 'file,label\na.png,Shirt\nb.png,"Ankle boot"\n';
  const report = mapRowsInText(text, CSV_TARGET, {
    by: 'row',
    examples: [example(0, 6, { labelName: 'Shirt', line: 2 }), example(1, 9, { labelName: 'Ankle boot', line: 7 })],
  });
  assert.equal(report.mapped.length, 2);
  assert.equal(report.lineMismatches, 1);
  const spec = rowDiagnosticSpec({ ...report.mapped[1]!, example: { ...report.mapped[1]!.example, suggestedLabel: 0, suggestedLabelName: 'T-shirt/top' } }, 'csv');
  assert.deepEqual(spec.change, { title: "Change label to 'T-shirt/top'", range: report.mapped[1]!.labelRange, text: 'T-shirt/top' });
});

test('CSV: a label column missing from the header leaves the row unplaced', () => {
  const report = mapRowsInText('a,b\n1,2\n', CSV_TARGET, { by: 'row', examples: [example(0, 2)] });
  assert.equal(report.changed.length, 1);
});

const JSONL = '\uFEFF{"x":[1,2],"label":4}\r\n\n{"x":[3,4], "label" : "Coat", "note":"a\\"b"}\n{"label":7,"label":2}\n';

test('JSONL: the label value inside the line, with blank lines not counted, a BOM and a CR', () => {
  const report = mapRowsInText(JSONL, { format: 'jsonl', column: 'label' }, { by: 'row', examples: [example(0, 4), example(1, 4, { labelName: 'Coat' }), example(2, 2)] });
  assert.equal(report.changed.length, 0);
  const [a, b, c] = report.mapped;
  assert.equal(textOf(JSONL, a!.labelRange), '4');
  assert.equal(a!.written.json, 'number');
  assert.equal(b!.line, 2);
  assert.equal(textOf(JSONL, b!.labelRange), '"Coat"');
  assert.equal(textOf(JSONL, c!.labelRange), '2', 'the last of a repeated key, as JSON.parse reads it');
  const spec = rowDiagnosticSpec({ ...b!, example: { ...b!.example, suggestedLabel: 2, suggestedLabelName: 'Pullover' } }, 'jsonl');
  assert.equal(spec.change?.text, '"Pullover"');
});

test('streamed from disk in small chunks: the same mapping as from the text', async () => {
  const cases: Array<[string, { format: 'csv' | 'jsonl'; column: string }, SuspiciousTrainingExample[]]> = [
    [CSV, CSV_TARGET, [example(1, 6), example(2, 3), example(3, 5), example(5, 1)]],
    [JSONL, { format: 'jsonl', column: 'label' }, [example(0, 4), example(1, 4, { labelName: 'Coat' }), example(2, 2)]],
  ];
  for (const [content, target, examples] of cases) {
    const expected: MappingReport = mapRowsInText(content, target, { by: 'row', examples });
    await withFile(content, async (file) => {
      for (const chunkBytes of [1, 2, 3, 5, 7, 64]) {
        assert.deepEqual(await mapRowsInFile(file, target, { by: 'row', examples }, { chunkBytes }), expected, `${target.format}, chunks of ${chunkBytes}`);
      }
    });
  }
});

test('RangeTextCollector: ranges across CRLF and a lone CR, in any order, and ranges past the end', () => {
  const text = '\uFEFFab\r\ncd\ref';
  const ranges: TextRange[] = [
    { start: { line: 2, character: 0 }, end: { line: 2, character: 2 } },
    { start: { line: 0, character: 1 }, end: { line: 1, character: 1 } },
    { start: { line: 5, character: 0 }, end: { line: 5, character: 1 } },
  ];
  const collector = new RangeTextCollector(ranges);
  collector.push(text);
  collector.finish();
  assert.equal(collector.textOf(ranges[0]!), 'ef');
  assert.equal(collector.textOf(ranges[1]!), 'b\r\nc');
  assert.equal(collector.textOf(ranges[2]!), undefined);
});

test('after edits: rows move with inserted lines, edited labels clear, deleted rows go', () => {
  const text = 'index,label\n0,1\n1,2\n2,3\n';
  const rows = mapRowsInText(text, CSV_TARGET, { by: 'row', examples: [example(0, 1), example(1, 2), example(2, 3)] }).mapped;
  // Insert a line above row 0, change row 1's label, delete row 2's line (in reverse order, as VS Code lists them).
  const changes = [
    { range: { start: { line: 3, character: 0 }, end: { line: 4, character: 0 } }, text: '' },
    { range: { start: { line: 2, character: 2 }, end: { line: 2, character: 3 } }, text: '7' },
    { range: { start: { line: 1, character: 0 }, end: { line: 1, character: 0 } }, text: '9,9\n' },
  ];
  const shifted = shiftRows(rows, changes);
  assert.deepEqual(
    shifted.map((r) => [r.example.index, r.line]),
    [
      [0, 2],
      [1, 3],
    ],
  );
  const edited = 'index,label\n9,9\n0,1\n1,7\n';
  const remapped = mapRowsInText(edited, CSV_TARGET, { by: 'line', rows: shifted.map((r) => ({ example: r.example, line: r.line })) });
  assert.deepEqual(
    remapped.mapped.map((r) => [r.example.index, r.row, r.line]),
    [[0, 1, 2]],
  );
  assert.equal(textOf(edited, remapped.mapped[0]!.labelRange), '1');
  assert.deepEqual(remapped.changed.map((e) => e.index), [1]);
});
