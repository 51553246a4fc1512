/** The streamed locators give the same answers as the string ones, wherever the chunk boundaries fall. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { locateCsvRows } from '../../../src/host/dataLines/csvRows';
import { locateCsvRowsInFile } from '../../../src/host/dataLines/csvRowsFromFile';
import { locateJsonlRows, locateJsonlRowsInFile } from '../../../src/host/dataLines/jsonlRows';
import { forEachJsonlRecord } from '../../../src/engine/data/jsonl';
import { feedTextChunks } from '../../../src/host/dataLines/streamText';

const CSV = '\uFEFFid,"na,me",label\r\n1,"é ""q""\r\nmore\nlast",🐱\r\n\r\n2,,"x"\r3,"\r\n",y\n4,plain,"end"';
const JSONL = '\uFEFF{"a":1}\r\n\n  \r\n{"b":"é🐱"}\n\t\n{"c":3}';

function withFile(content: string, run: (file: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'datarows-'));
  const file = path.join(dir, 'data.txt');
  writeFileSync(file, content, 'utf8');
  return run(file).finally(() => rmSync(dir, { recursive: true, force: true }));
}

function byteIndex(content: string, needle: string): number {
  return Buffer.byteLength(content.slice(0, content.indexOf(needle)), 'utf8');
}

test('CSV: streamed in chunks of every small size, the rows and header match the string version', async () => {
  const rows = [0, 1, 2, 3, 4];
  const expected = locateCsvRows(CSV, rows);
  assert.equal(expected.rows.size, 4);
  await withFile(CSV, async (file) => {
    for (let chunkBytes = 1; chunkBytes <= 24; chunkBytes++) {
      assert.deepEqual(await locateCsvRowsInFile(file, rows, { chunkBytes }), expected, `chunks of ${chunkBytes} bytes`);
    }
  });
});

test('CSV: a chunk boundary between CR and LF, and one inside a quoted field', async () => {
  const expected = locateCsvRows(CSV, [0, 1, 2]);
  const crlfInsideQuotes = byteIndex(CSV, '\r\nmore') + 1;
  const firstCrlf = byteIndex(CSV, '\r\n') + 1;
  const insideQuoted = byteIndex(CSV, 'more') + 2;
  await withFile(CSV, async (file) => {
    for (const chunkBytes of [crlfInsideQuotes, firstCrlf, insideQuoted]) {
      assert.deepEqual(await locateCsvRowsInFile(file, [0, 1, 2], { chunkBytes }), expected, `chunks of ${chunkBytes} bytes`);
    }
  });
});

test('CSV: header detection and a missing file behave as in the string version', async () => {
  const numeric = '1,2\r\n3,4\r\n';
  await withFile(numeric, async (file) => {
    assert.deepEqual(await locateCsvRowsInFile(file, [0, 1], { header: 'detect', chunkBytes: 3 }), locateCsvRows(numeric, [0, 1], { header: 'detect' }));
  });
  await assert.rejects(locateCsvRowsInFile(path.join(tmpdir(), 'no-such-dir-xyz', 'none.csv'), [0]), /ENOENT/);
  await assert.rejects(locateCsvRowsInFile('x.csv', [0], { chunkBytes: 0 }), /chunkBytes/);
});

test('reading stops once every wanted row has been seen', async () => {
  const content = 'h\n' + Array.from({ length: 2_000 }, (_, i) => `${i}\n`).join('');
  await withFile(content, async (file) => {
    let chunks = 0;
    const readAll = await feedTextChunks(file, () => ++chunks === 2, { chunkBytes: 16 });
    assert.equal(readAll, false);
    assert.equal(chunks, 2);
    const found = await locateCsvRowsInFile(file, [3], { chunkBytes: 16 });
    assert.deepEqual(found.rows.get(3)!.range, { start: { line: 4, character: 0 }, end: { line: 4, character: 1 } });
  });
});

test('JSONL: row i is the i-th non-blank line, as the engine counts; CR and BOM are outside the range', () => {
  const rows = locateJsonlRows(JSONL, [0, 1, 2, 3]);
  assert.deepEqual([...rows.keys()], [0, 1, 2]);
  assert.deepEqual(rows.get(0)!.range, { start: { line: 0, character: 0 }, end: { line: 0, character: 7 } });
  assert.deepEqual(rows.get(1)!.range, { start: { line: 3, character: 0 }, end: { line: 3, character: 11 } });
  assert.deepEqual(rows.get(2)!.range, { start: { line: 5, character: 0 }, end: { line: 5, character: 7 } });
  const engineLines: number[] = [];
  forEachJsonlRecord(JSONL.slice(1), 'data.jsonl', (_record, line) => engineLines.push(line));
  assert.deepEqual([...rows.values()].map((r) => r.range.start.line + 1), engineLines, "the engine's 1-based lines");
  assert.equal(locateJsonlRows('', [0]).size, 0);
  assert.throws(() => locateJsonlRows('{}', [Number.NaN]), /non-negative integers/);
});

test('JSONL: streamed in chunks of every small size, the rows match the string version', async () => {
  const expected = locateJsonlRows(JSONL, [0, 1, 2]);
  await withFile(JSONL, async (file) => {
    for (let chunkBytes = 1; chunkBytes <= 16; chunkBytes++) {
      assert.deepEqual(await locateJsonlRowsInFile(file, [0, 1, 2], { chunkBytes }), expected, `chunks of ${chunkBytes} bytes`);
    }
  });
});
