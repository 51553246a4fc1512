/**
 * The panel's host side against a fake page and a fake engine: the ready
 * handshake, validation of what the page sends, the example-importance flow
 * and its cancellation, and page reloads.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { RpcError } from '../../../src/protocol/rpc';
import { ExampleImportanceRequest, GetExamplesRequest, OpenRunRequest } from '../../../src/protocol/engineProtocol';
import { BackendNotification, defaultExampleSettings, PanelExampleImportanceRequest, PanelReadyRequest, RevealExampleRequest } from '../../../src/protocol/webviewProtocol';
import { harness, manifestPath } from './fixtures/panelHarness';

test('the host posts nothing before the page says it is ready', async () => {
  const h = harness();
  h.session.backendChanged('cpu');
  await new Promise((resolve) => setTimeout(resolve, 10));
  assert.equal(h.posted.length, 0);
  const init = await h.page.call(PanelReadyRequest, {});
  assert.equal(init.runName, 'demo run');
  assert.equal(init.testCount, 8);
  assert.deepEqual(init.checkpoints, ['checkpoints/epoch-1/model.json', 'checkpoints/epoch-2/model.json']);
  assert.equal(init.checkpoint, 'checkpoints/epoch-2/model.json', 'the last checkpoint by default');
  assert.equal(init.backend, 'wasm');
  assert.equal(init.testIndex, 0);
});

test('a restored state is used when it is valid for this run, ignored otherwise', async () => {
  const h = harness();
  const init = await h.page.call(PanelReadyRequest, { restored: { manifestPath, testIndex: 5, checkpoint: 'checkpoints/epoch-1/model.json' } });
  assert.equal(init.testIndex, 5);
  assert.equal(init.checkpoint, 'checkpoints/epoch-1/model.json');
  const h2 = harness();
  const init2 = await h2.page.call(PanelReadyRequest, { restored: { manifestPath, testIndex: 500, checkpoint: 'evil' } });
  assert.equal(init2.testIndex, 0);
  assert.equal(init2.checkpoint, 'checkpoints/epoch-2/model.json');
});

const settings = defaultExampleSettings();

test('example importance returns 5 + 5 thumbnails with their rows, under a progress notification', async () => {
  const h = harness();
  await h.page.call(PanelReadyRequest, {});
  const explanation = await h.page.call(PanelExampleImportanceRequest, { testIndex: 3, checkpoint: 'checkpoints/epoch-1/model.json', settings });
  assert.equal(explanation.testIndex, 3);
  assert.equal(explanation.proponents.length, 5);
  assert.equal(explanation.opponents.length, 5);
  assert.deepEqual(explanation.opponents.map((t) => t.index), [10, 11, 12, 13, 14]);
  assert.equal(explanation.proponents[1]!.label, 1);
  assert.deepEqual(explanation.proponents[1]!.pixels, [0, 0.5, 1, 0.25]);
  assert.equal(explanation.proponents[1]!.line, 3);
  assert.equal(explanation.trainFile, path.join('data', 'train-labels.csv'));
  const explain = h.engine.calls.find((c) => c.method === ExampleImportanceRequest.method)!;
  assert.deepEqual(explain.params, { manifestPath, checkpoint: 'checkpoints/epoch-1/model.json', testIndices: [3], method: { method: 'tracin', mode: 'sketch' }, topK: 5 });
  const fetches = h.engine.calls.filter((c) => c.method === GetExamplesRequest.method).map((c) => c.params);
  assert.deepEqual(fetches, [{ manifestPath, split: 'train', indices: [0, 1, 2, 3, 4, 10, 11, 12, 13, 14] }]);
  assert.equal(h.ui.progressTitles.length, 1);
  assert.deepEqual(h.ui.errors, []);
});

test('out-of-range or non-integer indices and unknown checkpoints never reach the engine', async () => {
  const h = harness();
  await h.page.call(PanelReadyRequest, {});
  for (const params of [{ testIndex: 8 }, { testIndex: -1 }, { testIndex: 0.5 }, { testIndex: 1, checkpoint: '/etc/passwd' }]) {
    await assert.rejects(h.page.call(PanelExampleImportanceRequest, { ...params, settings }), (e: unknown) => e instanceof RpcError && e.code === 'invalidParams');
  }
  await assert.rejects(h.page.call(RevealExampleRequest, { split: 'train', index: 50 }), (e: unknown) => e instanceof RpcError && e.code === 'invalidParams');
  assert.equal(h.engine.calls.filter((c) => c.method !== OpenRunRequest.method).length, 0);
});

test('Cancel on the progress notification aborts the engine request and is not reported as an error', async () => {
  const h = harness();
  await h.page.call(PanelReadyRequest, {});
  let release!: () => void;
  h.engine.explainGate = new Promise<void>((resolve) => (release = resolve));
  const pending = h.page.call(PanelExampleImportanceRequest, { testIndex: 1, settings });
  while (!h.engine.calls.some((c) => c.method === ExampleImportanceRequest.method)) await new Promise((resolve) => setTimeout(resolve, 1));
  h.ui.cancel();
  await assert.rejects(pending, (e: unknown) => e instanceof RpcError && e.code === 'cancelled');
  const explain = h.engine.calls.find((c) => c.method === ExampleImportanceRequest.method)!;
  assert.equal(explain.signal?.aborted, true);
  assert.deepEqual(h.ui.errors, []);
  release();
});

test('engine failures reach the page and an error notification, naming the file', async () => {
  const h = harness();
  h.engine.openError = new RpcError('badInput', 'data/test.npy: header is not a valid .npy header', '/ws/run/data/test.npy');
  await assert.rejects(h.page.call(PanelReadyRequest, {}), (e: unknown) => e instanceof RpcError && e.file === '/ws/run/data/test.npy' && /header/.test(e.message));
  assert.equal(h.ui.errors.length, 1);
  assert.match(h.ui.errors[0]!, /\/ws\/run\/data\/test\.npy/);
});

test('reveal sends the labels CSV row of a training example', async () => {
  const h = harness();
  await h.page.call(PanelReadyRequest, {});
  await h.page.call(RevealExampleRequest, { split: 'train', index: 7 });
  assert.deepEqual(h.ui.reveals, [{ file: path.resolve('/ws/run/data/train-labels.csv'), row: 7, format: 'csv' }]);
});

test('a reloaded page gets a fresh endpoint; the old page hears nothing more', async () => {
  const h = harness();
  await h.page.call(PanelReadyRequest, {});
  const firstPage = h.channel.current;
  const second = h.newPage();
  const init = await second.call(PanelReadyRequest, {});
  assert.equal(init.testCount, 8);
  assert.notEqual(h.channel.current, firstPage);
  const before = h.posted.length;
  h.session.backendChanged('cpu');
  assert.equal(h.posted.length, before + 1);
  const last = h.posted[h.posted.length - 1] as { page: string; message: { method: string } };
  assert.equal(last.page, 'page-2');
  assert.equal(last.message.method, BackendNotification.method);
  // The first page's endpoint is closed: its requests are ignored.
  await assert.rejects(h.page.call(PanelReadyRequest, {}, { timeoutMs: 50 }), (e: unknown) => e instanceof RpcError && e.code === 'timeout');
});

test('after an engine restart the run is opened again on the new engine', async () => {
  const h = harness();
  await h.page.call(PanelReadyRequest, {});
  h.engine.generation = 2;
  await h.page.call(PanelExampleImportanceRequest, { testIndex: 0, settings });
  assert.equal(h.engine.calls.filter((c) => c.method === OpenRunRequest.method).length, 2);
});
