import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RpcError } from '../../../src/protocol/rpc';
import { defaultExampleSettings, defaultExamplesState } from '../../../src/protocol/webviewProtocol';
import { parseExampleSettings, parseMethodList, restoreExamplesState, toExampleMethodSpec } from '../../../src/host/panel/exampleSettings';
import { parseCompareWith, parseCount, parseEmptyParams, parseSuspiciousParams, type PanelLimits } from '../../../src/host/panel/panelValidation';

const limits: PanelLimits = { testCount: 10, trainCount: 100, checkpoints: ['c/1', 'c/2'] };
const rejects = (fn: () => unknown, pattern: RegExp): void => {
  assert.throws(fn, (e: unknown) => e instanceof RpcError && e.code === 'invalidParams' && pattern.test(e.message));
};

test('the defaults are TracIn with the sketch index, LiSSA depth 100, SimplEx lr 0.001, top 5', () => {
  const s = defaultExampleSettings();
  assert.deepEqual(parseExampleSettings(s), s);
  assert.equal(s.method, 'tracin');
  assert.equal(s.tracinMode, 'sketch');
  assert.equal(s.depth, 100);
  assert.equal(s.learningRate, 0.001);
  assert.equal(s.topK, 5);
});

test('strict parsing names the bad field: unknown values, out of range, non-integers, extra or missing keys', () => {
  const s = defaultExampleSettings();
  rejects(() => parseExampleSettings({ ...s, method: 'magic' }), /settings\.method/);
  rejects(() => parseExampleSettings({ ...s, tracinMode: 'fast' }), /settings\.tracinMode/);
  rejects(() => parseExampleSettings({ ...s, depth: 1.5 }), /settings\.depth.*integer/);
  rejects(() => parseExampleSettings({ ...s, damping: 1 }), /settings\.damping/);
  rejects(() => parseExampleSettings({ ...s, scale: Number.NaN }), /settings\.scale/);
  rejects(() => parseExampleSettings({ ...s, learningRate: '0.1' }), /settings\.learningRate/);
  rejects(() => parseExampleSettings({ ...s, topK: 51 }), /settings\.topK/);
  rejects(() => parseExampleSettings({ ...s, __proto__x: 1 }), /not a known setting/);
  const { nearest: _, ...missing } = s;
  rejects(() => parseExampleSettings(missing), /settings\.nearest.*missing/);
  rejects(() => parseExampleSettings([s]), /object/);
  assert.equal(parseExampleSettings({ ...s, scale: 2.5 }).scale, 2.5, 'real settings take fractions');
});

test('method lists: known, distinct, at least one', () => {
  assert.deepEqual(parseMethodList(['deepKnn', 'tracin']), ['deepKnn', 'tracin']);
  rejects(() => parseMethodList([]), /methods/);
  rejects(() => parseMethodList(['tracin', 'tracin']), /repeat/);
  rejects(() => parseMethodList(['tracin', 'x']), /methods\[1\]/);
  rejects(() => parseMethodList('tracin'), /methods/);
});

test('a saved state is repaired field by field', () => {
  assert.deepEqual(restoreExamplesState(undefined, limits.checkpoints), defaultExamplesState());
  const restored = restoreExamplesState({ settings: { method: 'simplex', nearest: 0, epochs: 200 }, consistencyExamples: 9999, suspiciousLimit: 10, compareCheckpoint: '/etc/passwd' }, limits.checkpoints);
  assert.equal(restored.settings.method, 'simplex');
  assert.equal(restored.settings.epochs, 200);
  assert.equal(restored.settings.nearest, 50);
  assert.equal(restored.consistencyExamples, 32);
  assert.equal(restored.suspiciousLimit, 10);
  assert.equal(restored.compareCheckpoint, undefined);
});

test('settings become the engine spec of the chosen (or named) method', () => {
  const s = { ...defaultExampleSettings(), tracinMode: 'exact' as const };
  assert.deepEqual(toExampleMethodSpec(s), { method: 'tracin', mode: 'exact' });
  assert.deepEqual(toExampleMethodSpec(s, 'deepKnn'), { method: 'deepKnn' });
  assert.deepEqual(toExampleMethodSpec(s, 'influence'), { method: 'influence', inverse: 'lissa', depth: 100, damping: 0.01, samples: 32 });
  assert.deepEqual(toExampleMethodSpec({ ...s, scale: 25 }, 'influence'), { method: 'influence', inverse: 'lissa', depth: 100, damping: 0.01, samples: 32, scale: 25 });
});

test('check params: counts in range, no parameters where none are taken, the other encoder never a path', () => {
  assert.equal(parseCount(8, 'consistencyExamples', 'exampleCount'), 8);
  rejects(() => parseCount(1, 'consistencyExamples', 'exampleCount'), /exampleCount/);
  rejects(() => parseCount(257, 'consistencyExamples', 'exampleCount'), /exampleCount/);
  parseEmptyParams({}, 'panel/buildIndex');
  parseEmptyParams(undefined, 'panel/buildIndex');
  rejects(() => parseEmptyParams({ manifestPath: '/x' }, 'panel/buildIndex'), /no parameters/);
  assert.deepEqual(parseSuspiciousParams({ limit: 5, checkpoint: 'c/1' }, limits), { limit: 5, checkpoint: 'c/1' });
  rejects(() => parseSuspiciousParams({ limit: 5, checkpoint: 'c/3' }, limits), /checkpoint/);
  assert.deepEqual(parseCompareWith({ kind: 'checkpoint', checkpoint: 'c/2' }, limits), { kind: 'checkpoint', checkpoint: 'c/2' });
  assert.deepEqual(parseCompareWith({ kind: 'pickManifest' }, limits), { kind: 'pickManifest' });
  rejects(() => parseCompareWith({ kind: 'pickManifest', manifestPath: '/x.json' }, limits), /other/);
  rejects(() => parseCompareWith({ kind: 'checkpoint', checkpoint: '../c/2' }, limits), /checkpoint/);
  rejects(() => parseCompareWith(null, limits), /object/);
});
