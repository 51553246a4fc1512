import { test } from 'node:test';
import assert from 'node:assert/strict';
import { csvFieldRange, csvFieldRangeInText, formatCsvField, locateCsvRow, locateCsvRows } from '../../../src/host/dataLines/csvRows';
import { CsvLayoutScanner, type ScannedCsvRecord } from '../../../src/host/dataLines/csvScanner';
import type { TextRange } from '../../../src/host/dataLines/textRange';
import { forEachCsvRecord } from '../../../src/engine/data/csv';

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

const at = (line: number, character: number) => ({ line, character });

test('LF file with a header: row 0 is on line 1, with each field', () => {
  const text = 'id,label\n1,cat\n2,dog\n';
  const row = locateCsvRow(text, 1)!;
  assert.deepEqual(row.range, { start: at(2, 0), end: at(2, 5) });
  assert.deepEqual(row.fields, [
    { start: at(2, 0), end: at(2, 1) },
    { start: at(2, 2), end: at(2, 5) },
  ]);
  assert.equal(locateCsvRow(text, 2), undefined, 'past the end');
});

test('CRLF: ranges stop before the CR, and lines count CRLF once', () => {
  const text = 'id,label\r\n1,cat\r\n2,dog';
  const found = locateCsvRows(text, [0, 1]);
  assert.deepEqual(found.header, ['id', 'label']);
  assert.deepEqual(found.rows.get(0)!.range, { start: at(1, 0), end: at(1, 5) });
  assert.deepEqual(found.rows.get(1)!.range, { start: at(2, 0), end: at(2, 5) });
  assert.equal(textOf(text, found.rows.get(1)!.fields[1]!), 'dog');
});

test('a BOM takes no column and is not part of the first header name', () => {
  const text = '\uFEFFlabel,x\nbird,3\n';
  const found = locateCsvRows(text, [0]);
  assert.deepEqual(found.header, ['label', 'x']);
  assert.deepEqual(locateCsvRows(text, [], { header: false }).header, undefined);
  assert.deepEqual(locateCsvRow('\uFEFF1,2\n3,4', 0, { header: false })!.fields[0], { start: at(0, 0), end: at(0, 1) });
});

test('quoted fields with commas, doubled quotes and line breaks; a row may span lines', () => {
  const text = 'id,note,label\n1,"a, b",x\n2,"say ""hi""\nand\r\nbye",y\n3,plain,z\n';
  const found = locateCsvRows(text, [0, 1, 2]);
  assert.equal(textOf(text, found.rows.get(0)!.fields[1]!), '"a, b"');
  const spanning = found.rows.get(1)!;
  assert.deepEqual(spanning.range, { start: at(2, 0), end: at(4, 6) });
  assert.equal(textOf(text, spanning.fields[1]!), '"say ""hi""\nand\r\nbye"');
  assert.deepEqual(spanning.fields[2], { start: at(4, 5), end: at(4, 6) });
  assert.deepEqual(found.rows.get(2)!.range.start, at(5, 0));
});

test('blank lines are not rows, as in the engine', () => {
  const text = 'a,b\n\n1,2\r\n\r\n\n3,4\n\n';
  const found = locateCsvRows(text, [0, 1, 2]);
  assert.equal(found.rows.get(0)!.range.start.line, 2);
  assert.equal(found.rows.get(1)!.range.start.line, 5);
  assert.equal(found.rows.has(2), false);
});

test('empty fields, a trailing comma and a missing final newline', () => {
  const text = 'a,b,c\n,,\n1,2,';
  const found = locateCsvRows(text, [0, 1]);
  assert.deepEqual(found.rows.get(0)!.fields, [
    { start: at(1, 0), end: at(1, 0) },
    { start: at(1, 1), end: at(1, 1) },
    { start: at(1, 2), end: at(1, 2) },
  ]);
  assert.deepEqual(found.rows.get(1)!.fields[2], { start: at(2, 4), end: at(2, 4) });
});

test('header detection: numeric first record is data unless told otherwise', () => {
  const numeric = '3\n7\n';
  assert.equal(locateCsvRow(numeric, 0, { header: 'detect' })!.range.start.line, 0);
  assert.equal(locateCsvRow(numeric, 0)!.range.start.line, 1, 'the engine always reads a header');
  assert.equal(locateCsvRow('label\n7\n', 0, { header: 'detect' })!.range.start.line, 1);
  assert.equal(locateCsvRow('" 1 ",x\n7,8\n', 0, { header: 'detect' })!.range.start.line, 1);
  assert.equal(locateCsvRow('" 1 ","2"\n7,8\n', 0, { header: 'detect' })!.range.start.line, 0);
  assert.throws(() => locateCsvRows('a', [0], { header: 'yes' as unknown as boolean }), /header must be/);
});

test('a named column\'s field, quotes included, for replacing a label', () => {
  const text = 'image, label \n0,"Ankle, boot"\n1,Bag\n';
  assert.equal(textOf(text, csvFieldRangeInText(text, 0, 'label')!), '"Ankle, boot"');
  assert.equal(textOf(text, csvFieldRangeInText(text, 1, 'label')!), 'Bag');
  assert.equal(textOf(text, csvFieldRangeInText(text, 1, 0)!), '1');
  assert.equal(csvFieldRangeInText(text, 1, 'missing'), undefined);
  assert.equal(csvFieldRangeInText(text, 1, 5), undefined, 'a column the row does not have');
  assert.equal(csvFieldRangeInText(text, 9, 'label'), undefined);
  assert.equal(csvFieldRange(locateCsvRows('1,2\n', [0], { header: false }), 0, 'label'), undefined, 'no header, no names');
  assert.throws(() => csvFieldRangeInText(text, 0, -1), /non-negative/);
  assert.throws(() => csvFieldRangeInText(text, 0, ''), /non-empty/);
});

test('formatCsvField quotes only when it must', () => {
  assert.equal(formatCsvField('Bag'), 'Bag');
  assert.equal(formatCsvField('Ankle, boot'), '"Ankle, boot"');
  assert.equal(formatCsvField('say "hi"'), '"say ""hi"""');
  assert.equal(formatCsvField('two\nlines'), '"two\nlines"');
  assert.equal(formatCsvField(' padded'), '" padded"');
  assert.equal(formatCsvField(''), '');
});

test('malformed text still maps: a stray quote is text, an unclosed quote runs to the end', () => {
  const text = 'a,b\n1,x"y\n2,"open\n3,4\n';
  const found = locateCsvRows(text, [0, 1, 2]);
  assert.equal(textOf(text, found.rows.get(0)!.fields[1]!), 'x"y');
  assert.deepEqual(found.rows.get(1)!.range, { start: at(2, 0), end: at(4, 0) });
  assert.equal(found.rows.has(2), false);
  const trailing = 'a,b\n1,"q"z\n';
  assert.equal(textOf(trailing, locateCsvRow(trailing, 0)!.fields[1]!), '"q"z');
});

test('bad row numbers are refused', () => {
  assert.throws(() => locateCsvRows('a\n1', [-1]), /non-negative integers/);
  assert.throws(() => locateCsvRows('a\n1', [0.5]), /non-negative integers/);
});

const TRICKY = '\uFEFFid,"na,me",label\r\n1,"é ""q""\r\nmore\nlast",🐱\r\n\r\n2,,"x"\r3,"\r\n",y\n4,plain,"end"';

function scanWhole(text: string): unknown[] {
  return scanChunks([text]);
}

function scanChunks(chunks: string[]): unknown[] {
  const records: unknown[] = [];
  const scanner = new CsvLayoutScanner((r: ScannedCsvRecord) => records.push({ ...r, fieldBounds: [...r.fieldBounds] }));
  for (const chunk of chunks) scanner.push(chunk);
  scanner.finish();
  return records;
}

test('the scanner gives the same layout however the text is split', () => {
  const whole = scanWhole(TRICKY);
  for (let cut = 0; cut <= TRICKY.length; cut++) {
    assert.deepEqual(scanChunks([TRICKY.slice(0, cut), TRICKY.slice(cut)]), whole, `split at ${cut}`);
  }
  assert.deepEqual(scanChunks([...TRICKY]), whole, 'one character per chunk');
});

test('record lines and field values agree with the engine\'s parser on well-formed text', () => {
  const text = TRICKY.slice(1);
  const engine: { fields: string[]; line: number }[] = [];
  forEachCsvRecord(text, 'tricky.csv', (fields, line) => engine.push({ fields, line }));
  const ours = scanWhole(text) as ScannedCsvRecord[];
  assert.equal(ours.length, engine.length);
  ours.forEach((record, i) => {
    assert.equal(record.start.line + 1, engine[i]!.line, `record ${i} starts on the engine's line`);
    const values = [];
    for (let f = 0; f < record.fieldBounds.length; f += 4) {
      const raw = textOf(text, { start: at(record.fieldBounds[f]!, record.fieldBounds[f + 1]!), end: at(record.fieldBounds[f + 2]!, record.fieldBounds[f + 3]!) });
      values.push(raw.startsWith('"') ? raw.slice(1, -1).replace(/""/g, '"') : raw);
    }
    assert.deepEqual(values, engine[i]!.fields, `record ${i} fields`);
  });
});
