import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeEngineStatus, toPercent, type EngineState } from '../../../src/host/backendStatus';
import { WorkTracker } from '../../../src/host/editor/workTracker';
import type { WorkStatus } from '../../../src/host/backendStatus';

const wasm = { name: 'wasm', tfjsVersion: '4.22.0', skipped: [], heapLimitMb: 4144 } as const;

test('idle: the backend name as before ("TF.js: wasm", which the e2e test waits for), the heap limit in the tooltip', () => {
  const status = describeEngineStatus({ kind: 'ready', info: { ...wasm, skipped: [] } });
  assert.equal(status.visible, true);
  assert.equal(status.text, '$(pulse) TF.js: wasm');
  assert.match(status.tooltip, /Heap limit 4144 MB/);
  assert.match(status.tooltip, /engine log/);
  assert.equal(status.severity, undefined);
});

test('working: a spinner, the backend and the percentage; the tooltip names the work and how many more run', () => {
  const status = describeEngineStatus({ kind: 'ready', info: { ...wasm, skipped: [] } }, { title: 'Integrated gradients', percent: 42, count: 2 });
  assert.equal(status.text, '$(sync~spin) TF.js: wasm 42%');
  assert.match(status.tooltip, /^Working: Integrated gradients 42% \(\+1 more\)/);
  assert.equal(describeEngineStatus({ kind: 'ready', info: { ...wasm, skipped: [] } }, { title: 'x', count: 1 }).text, '$(sync~spin) TF.js: wasm');
});

test('stopped is hidden; starting, restarting, failed and restricted say so, the last two without "TF.js: <backend>"', () => {
  assert.equal(describeEngineStatus({ kind: 'stopped' }).visible, false);
  assert.match(describeEngineStatus({ kind: 'starting' }).text, /TF\.js: starting/);
  const restarting = describeEngineStatus({ kind: 'restarting', reason: 'The engine exited with code 1.', delayMs: 2000 });
  assert.equal(restarting.severity, 'warning');
  assert.match(restarting.tooltip, /code 1.*restarts in 2 s/s);
  const failed = describeEngineStatus({ kind: 'failed', message: 'crashed 5 times within 3 minutes' });
  assert.equal(failed.text, '$(error) TF.js: failed');
  assert.equal(failed.severity, 'error');
  assert.match(failed.tooltip, /Restart Engine/);
  const restricted = describeEngineStatus({ kind: 'restricted' } satisfies EngineState);
  assert.match(restricted.text, /Restricted Mode/);
  assert.match(restricted.tooltip, /Trust/);
});

test('percentages are whole and clamped; unknown fractions give none', () => {
  assert.equal(toPercent(0.426), 43);
  assert.equal(toPercent(1.7), 100);
  assert.equal(toPercent(-1), 0);
  assert.equal(toPercent(Number.NaN), undefined);
  assert.equal(toPercent(undefined), undefined);
});

test('the work tracker shows the latest running task with its progress, and nothing once all ended', () => {
  const seen: Array<WorkStatus | undefined> = [];
  const tracker = new WorkTracker((current) => seen.push(current));
  const a = tracker.begin('open run');
  const b = tracker.begin('attribute');
  assert.deepEqual(tracker.current, { title: 'attribute', count: 2 });
  b.report({ message: 'Integrated gradients', fraction: 0.5 });
  assert.deepEqual(tracker.current, { title: 'Integrated gradients', percent: 50, count: 2 });
  a.report({ message: 'Loading', fraction: 0.9 });
  assert.equal(tracker.current?.title, 'Integrated gradients', 'the older task does not take over the status bar');
  b.end();
  b.end();
  assert.deepEqual(tracker.current, { title: 'Loading', percent: 90, count: 1 });
  b.report({ message: 'late', fraction: 1 });
  assert.equal(tracker.current?.title, 'Loading', 'reports after the end are ignored');
  a.end();
  assert.equal(tracker.current, undefined);
  assert.equal(seen.at(-1), undefined);
});
