import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { backendPickItems, initializeParamsFor, parseBackendChoice } from '../../../src/host/commands/backendChoice';
import { cacheFolders, entriesToDelete } from '../../../src/host/commands/cacheFolders';
import { RUNS_ON_OPEN } from '../../../src/host/commands/catalog';
import { CrashNotices } from '../../../src/host/editor/crashNotices';
import { checkHeapLimit, heapExecArgv, heapLimitSetting } from '../../../src/host/editor/heapLimit';

test('crash notices: one message per crash loop, a new one after a quiet window or a manual restart', () => {
  let now = 0;
  const notices = new CrashNotices(180_000, () => now);
  assert.equal(notices.crashed(), true, 'the first crash is news');
  for (let i = 0; i < 4; i++) {
    now += 5_000;
    assert.equal(notices.crashed(), false, 'the loop goes to the log');
  }
  now += 180_000;
  assert.equal(notices.crashed(), true, 'after the quiet window it is news again');
  notices.reset();
  now += 1;
  assert.equal(notices.crashed(), true, 'after a manual restart it is news again');
  assert.throws(() => new CrashNotices(0), RangeError);
});

test('heap limit: the setting becomes --max-old-space-size; 0 or junk leaves the default; out-of-range values are clamped', () => {
  assert.equal(heapLimitSetting(4096), 4096);
  assert.equal(heapLimitSetting(0), undefined);
  assert.equal(heapLimitSetting('4096'), undefined);
  assert.equal(heapLimitSetting(12), 256);
  assert.equal(heapLimitSetting(1e9), 65_536);
  assert.deepEqual(heapExecArgv(2048), ['--max-old-space-size=2048']);
  assert.deepEqual(heapExecArgv(undefined), []);
});

test('heap limit check: V8 adds its young generation, a runtime that ignored the flag is reported', () => {
  assert.equal(checkHeapLimit(4096, 4144), undefined);
  assert.equal(checkHeapLimit(undefined, 2000), undefined);
  assert.match(checkHeapLimit(4096, 2096) ?? '', /2096 MB, not the 4096 MB/);
  assert.match(checkHeapLimit(1024, 8192) ?? '', /did not take --max-old-space-size/);
  assert.match(checkHeapLimit(1024, undefined) ?? '', /did not report/);
});

test('backend choice: auto lets the engine pick, the rest are InitializeRequest preferences; the current one first', () => {
  assert.deepEqual(initializeParamsFor('auto'), {});
  assert.deepEqual(initializeParamsFor('wasm'), { preferredBackend: 'wasm' });
  assert.equal(parseBackendChoice('cpu'), 'cpu');
  assert.equal(parseBackendChoice('gpu'), 'auto');
  assert.equal(parseBackendChoice(undefined), 'auto');
  const items = backendPickItems('wasm', 'cpu');
  assert.deepEqual(items.map((i) => i.value), ['wasm', 'auto', 'tensorflow', 'cpu']);
  assert.equal(items[0]!.description, 'selected');
  assert.equal(items.find((i) => i.value === 'cpu')!.description, 'running now');
});

test('clear cache: the workspace folders and every run root inside them, only their .modeldebug/cache; reviewed.json survives', () => {
  const ws = path.resolve('/ws');
  const folders = cacheFolders([ws], [path.join(ws, 'autoencoder', 'modeldebug.json'), path.join(ws, 'nested', 'run', 'modeldebug.json'), path.resolve('/elsewhere/a/modeldebug.json')]);
  assert.deepEqual(folders, [path.join(ws, '.modeldebug', 'cache'), path.join(ws, 'nested', '.modeldebug', 'cache')]);
  assert.ok(folders.every((f) => f.endsWith(path.join('.modeldebug', 'cache'))));
  assert.deepEqual(entriesToDelete(['gradient-index', 'reviewed.json', 'sketch']), ['gradient-index', 'sketch']);
});

test('section commands: the checks run when the panel opens at them; the comparison waits for the other encoder', () => {
  assert.deepEqual(RUNS_ON_OPEN, { compare: false, consistency: true, units: true, suspicious: true, neon: true, semantic: true, invariance: false });
});
