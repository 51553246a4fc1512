/** reviewed.json: untrusted on read (validated, bad entries ignored, never a throw), atomic on write. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { parseReviewed, ReviewedStore, workspaceKeyPath, MAX_REVIEWED_BYTES } from '../../../src/host/diagnostics/reviewedStore';

async function withFolder(run: (folder: string) => Promise<void>): Promise<void> {
  const folder = mkdtempSync(path.join(tmpdir(), 'reviewed-'));
  try {
    await run(folder);
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

const key = { manifest: 'classifier/modeldebug.json', file: 'data/train-labels.csv', row: 5080, label: 5 };

test('parse: keeps valid entries, ignores malformed ones, and dedupes', () => {
  const parsed = parseReviewed(
    JSON.stringify({
      reviewed: [
        key,
        key,
        { ...key, row: -1 },
        { ...key, row: 1.5 },
        { ...key, label: '5' },
        { ...key, file: '../outside.csv' },
        { ...key, manifest: '/abs/modeldebug.json' },
        { ...key, file: 'C:/x.csv' },
        { ...key, file: 'a\0b' },
        null,
        'text',
        [1, 2],
        { ...key, row: 1, at: '2026-12-01T00:00:00.000Z' },
      ],
    }),
  );
  assert.deepEqual(parsed.entries, [key, { ...key, row: 1, at: '2026-12-01T00:00:00.000Z' }]);
  assert.equal(parsed.ignored, 10);
  assert.equal(parsed.problem, undefined);
});

test('parse: not JSON, the wrong shape, or too large is an empty store with the problem named', () => {
  assert.match(parseReviewed('{').problem!, /not valid JSON/);
  assert.match(parseReviewed('[]').problem!, /no "reviewed" list/);
  assert.match(parseReviewed('{"reviewed": 3}').problem!, /no "reviewed" list/);
  assert.match(parseReviewed(' '.repeat(MAX_REVIEWED_BYTES + 1)).problem!, /larger than/);
  assert.deepEqual(parseReviewed('\uFEFF{"reviewed":[]}'), { entries: [], ignored: 0 });
});

test('workspace key paths are relative with forward slashes, and nothing outside the folder', () => {
  assert.equal(workspaceKeyPath('/w', '/w/data/x.csv'), 'data/x.csv');
  assert.equal(workspaceKeyPath('/w', '/other/x.csv'), undefined);
  assert.equal(workspaceKeyPath('/w', '/w'), undefined);
});

test('store: a missing file is empty; add writes atomically and merges with what is on disk', async () => {
  await withFolder(async (folder) => {
    const store = new ReviewedStore(folder);
    assert.deepEqual(await store.load(), { ignored: 0 });
    assert.equal(store.has(key), false);
    await store.add([key]);
    assert.equal(store.has(key), true);
    // Someone else adds an entry meanwhile; the next add keeps it.
    const other = { ...key, row: 7 };
    const onDisk = JSON.parse(readFileSync(store.file, 'utf8')) as { reviewed: unknown[] };
    onDisk.reviewed.push(other);
    writeFileSync(store.file, JSON.stringify(onDisk));
    await store.add([{ ...key, row: 8 }]);
    const again = new ReviewedStore(folder);
    await again.load();
    for (const k of [key, other, { ...key, row: 8 }]) assert.equal(again.has(k), true);
    assert.deepEqual(readdirSync(store.folder), ['reviewed.json'], 'no temporary file is left behind');
  });
});

test('store: concurrent adds are serialised and none is lost', async () => {
  await withFolder(async (folder) => {
    const store = new ReviewedStore(folder);
    await Promise.all([1, 2, 3, 4, 5].map((row) => store.add([{ ...key, row }])));
    const again = new ReviewedStore(folder);
    await again.load();
    assert.equal(again.size, 5);
  });
});

test('store: a garbage file loads as empty with the problem, and is replaced by a good one on add', async () => {
  await withFolder(async (folder) => {
    mkdirSync(path.join(folder, '.modeldebug'));
    writeFileSync(path.join(folder, '.modeldebug', 'reviewed.json'), '{"reviewed": [{"manifest": 1}], "x": ');
    const store = new ReviewedStore(folder);
    const outcome = await store.load();
    assert.match(outcome.problem!, /not valid JSON/);
    await store.add([key]);
    assert.deepEqual(parseReviewed(readFileSync(store.file, 'utf8')).entries.map(({ row }) => row), [key.row]);
  });
});

test('store: a .modeldebug that is a link is not written through', async () => {
  await withFolder(async (folder) => {
    const elsewhere = path.join(folder, 'elsewhere');
    mkdirSync(elsewhere);
    const workspace = path.join(folder, 'ws');
    mkdirSync(workspace);
    symlinkSync(elsewhere, path.join(workspace, '.modeldebug'));
    const store = new ReviewedStore(workspace);
    await assert.rejects(store.add([key]), /is not a folder/);
    assert.deepEqual(readdirSync(elsewhere), []);
    assert.deepEqual(await store.load(), { ignored: 0 }, 'loading still works (nothing there)');
  });
});
