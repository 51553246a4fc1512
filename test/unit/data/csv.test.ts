import { test } from 'node:test';
import assert from 'node:assert/strict';
import { forEachCsvRecord, parseCsv } from '../../../src/engine/data/csv';
import { forEachJsonlRecord } from '../../../src/engine/data/jsonl';
import { readCsvTable, readJsonlTable } from '../../../src/engine/data/tabular';
import { decodeUtf8 } from '../../../src/engine/data/text';
import { expectDataError } from './helpers';

test('CSV quoting per RFC 4180: commas, doubled quotes, CRLF and LF', () => {
  const table = parseCsv('name,text\r\na,"x, y"\r\nb,"say ""hi"""\nc,\n', 'q.csv');
  assert.deepEqual(table.header, ['name', 'text']);
  assert.deepEqual(table.rows, [
    ['a', 'x, y'],
    ['b', 'say "hi"'],
    ['c', ''],
  ]);
  assert.deepEqual(table.lines, [2, 3, 4]);
});

test('CSV quoted fields spanning lines keep later line numbers right', () => {
  const text = 'id,note\n1,"first\nsecond\r\nthird"\n\n2,plain\n3,"a\n""b"""\n4,end';
  const table = parseCsv(text, 'm.csv');
  assert.deepEqual(table.rows, [
    ['1', 'first\nsecond\r\nthird'],
    ['2', 'plain'],
    ['3', 'a\n"b"'],
    ['4', 'end'],
  ]);
  // Line 1 header, 2-4 the three-line record, 5 blank, 6 plain, 7-8 record 3, 9 the last.
  assert.deepEqual(table.lines, [2, 6, 7, 9]);
});

test('CSV errors name the line: ragged rows, stray and unclosed quotes', async () => {
  await expectDataError(() => parseCsv('a,b\n1,2\n"x\ny",3,4\n', 'r.csv'), /line 3: has 3 fields, the header has 2/, 'r.csv');
  await expectDataError(() => parseCsv('a,b\n1,2\n3\n', 'r.csv'), /line 3: has 1 fields/);
  await expectDataError(() => parseCsv('a,b\n1,x"y\n', 's.csv'), /line 2: stray '"' inside an unquoted field/);
  await expectDataError(() => parseCsv('a,b\n1,"x"y\n', 's.csv'), /line 2: unexpected character after a closing quote/);
  await expectDataError(() => parseCsv('a,b\n1,2\n3,"never\nclosed\n', 'u.csv'), /line 3: a quoted field opened on this line is never closed/);
  await expectDataError(() => parseCsv('a,,c\n1,2,3\n', 'h.csv'), /line 1: header column 2 has no name/);
  await expectDataError(() => parseCsv('a,a\n1,2\n', 'h.csv'), /header names column "a" twice/);
  await expectDataError(() => parseCsv('\n\n', 'e.csv'), /is empty \(no header row\)/);
});

test('CSV column count is capped', async () => {
  await expectDataError(() => forEachCsvRecord('a,b,c,d\n', 'w.csv', () => undefined, { maxColumns: 3 }), /line 1: has more than 3 fields/);
});

test('CSV tables: numeric features, a label column and source lines', () => {
  const text = 'id,x,y,species\n1,0.5,-2,cat\n2,"1e3",3,dog\n3,.25,+4,cat\n';
  const table = readCsvTable(text, 't.csv', { labelColumn: 'species', maxValues: 100 });
  assert.deepEqual(table.columns, ['id', 'x', 'y']);
  assert.deepEqual(table.exampleShape, [3]);
  assert.deepEqual([...table.values], [1, 0.5, -2, 2, 1000, 3, 3, 0.25, 4]);
  assert.deepEqual(table.labelValues, ['cat', 'dog', 'cat']);
  assert.deepEqual([...table.lines], [2, 3, 4]);
  const chosen = readCsvTable(text, 't.csv', { labelColumn: 'species', featureColumns: ['y', 'x'], maxValues: 100 });
  assert.deepEqual(chosen.columns, ['y', 'x']);
  assert.deepEqual([...chosen.values], [-2, 0.5, 3, 1000, 4, 0.25]);
});

test('CSV tables reject non-numbers, unknown columns and too many values', async () => {
  await expectDataError(() => readCsvTable('x,y\n1,2\n3,abc\n', 'n.csv', { maxValues: 100 }), /line 3: column "y" holds "abc", not a number/);
  await expectDataError(() => readCsvTable('x,y\n1,2\n3,0x10\n', 'n.csv', { maxValues: 100 }), /line 3: column "y" holds "0x10"/);
  await expectDataError(() => readCsvTable('x,y\n1,\n', 'n.csv', { featureColumns: ['y'], maxValues: 100 }), /line 2: column "y" holds ""/);
  await expectDataError(() => readCsvTable('x,y\n1,2\n', 'n.csv', { labelColumn: 'z', maxValues: 100 }), /has no column "z"; columns: "x", "y"/);
  await expectDataError(() => readCsvTable('x,y\n1,2\n', 'n.csv', { labelColumn: 'x', featureColumns: ['x'], maxValues: 100 }), /featureColumns includes the label column/);
  await expectDataError(() => readCsvTable('x,label\nfoo,1\n', 'n.csv', { labelColumn: 'label', maxValues: 100 }), /line 2: no column but the label holds a number/);
  await expectDataError(() => readCsvTable('x\n', 'n.csv', { maxValues: 100 }), /has a header but no rows/);
  const many = 'x\n' + '1\n'.repeat(5000);
  await expectDataError(() => readCsvTable(many, 'big.csv', { maxValues: 4096 }), /holds more than 4096 values, the limit/);
});

test('JSONL: objects per line, blank lines skipped, bad lines named', async () => {
  const seen: [unknown, number][] = [];
  forEachJsonlRecord('{"a":1}\n\n  \r\n{"a":2}\r\n', 'j.jsonl', (record, line) => seen.push([record.a, line]));
  assert.deepEqual(seen, [
    [1, 1],
    [2, 4],
  ]);
  await expectDataError(() => forEachJsonlRecord('{"a":1}\n{"a":\n', 'j.jsonl', () => undefined), /line 2: is not valid JSON/, 'j.jsonl');
  await expectDataError(() => forEachJsonlRecord('{"a":1}\n\n[1,2]\n', 'j.jsonl', () => undefined), /line 3: is not a JSON object/);
});

test('JSONL tables: scalar columns, array columns and labels', async () => {
  const scalars = readJsonlTable('{"x":1,"y":2,"label":"b","note":"n"}\n{"y":4,"x":3,"label":"a","note":"m"}\n', 's.jsonl', { labelColumn: 'label', maxValues: 100 });
  assert.deepEqual(scalars.columns, ['x', 'y']);
  assert.deepEqual([...scalars.values], [1, 2, 3, 4]);
  assert.deepEqual(scalars.labelValues, ['b', 'a']);
  const images = readJsonlTable('{"pixels":[[1,2],[3,4]],"label":3}\n\n{"pixels":[[5,6],[7,8]],"label":1}\n', 'i.jsonl', { labelColumn: 'label', maxValues: 100 });
  assert.deepEqual(images.exampleShape, [2, 2]);
  assert.deepEqual([...images.values], [1, 2, 3, 4, 5, 6, 7, 8]);
  assert.deepEqual(images.labelValues, ['3', '1']);
  assert.deepEqual([...images.lines], [1, 3]);
  await expectDataError(() => readJsonlTable('{"p":[1,2],"label":0}\n{"p":[1],"label":0}\n', 'r.jsonl', { labelColumn: 'label', maxValues: 100 }), /line 2: "p" is not a numeric array of shape \[2\]/);
  await expectDataError(() => readJsonlTable('{"p":1,"label":0}\n{"label":0}\n', 'r.jsonl', { labelColumn: 'label', maxValues: 100 }), /line 2: "p" is missing/);
  await expectDataError(() => readJsonlTable('{"p":1,"label":0}\n{"p":2}\n', 'r.jsonl', { labelColumn: 'label', maxValues: 100 }), /line 2: "label" is missing/);
  await expectDataError(() => readJsonlTable('{"p":1,"label":[0]}\n', 'r.jsonl', { labelColumn: 'label', maxValues: 100 }), /line 1: "label" is \[0\], not a string or number/);
});

test('text must be valid UTF-8; a BOM is dropped', async () => {
  assert.equal(decodeUtf8(Buffer.from([0xef, 0xbb, 0xbf, 0x61]), 'b.csv'), 'a');
  await expectDataError(() => decodeUtf8(Buffer.from([0x61, 0xff, 0x62]), 'bad.csv'), /is not valid UTF-8 text/, 'bad.csv');
});
