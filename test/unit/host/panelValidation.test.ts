import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RpcError } from '../../../src/protocol/rpc';
import { isPanelState, parseExplainParams, parseReadyParams, parseRevealParams, type PanelLimits } from '../../../src/host/panel/panelValidation';

const limits: PanelLimits = { testCount: 10, trainCount: 100, checkpoints: ['checkpoints/epoch-1', 'checkpoints/epoch-2'] };

function rejects(fn: () => unknown, pattern: RegExp): void {
  assert.throws(fn, (e: unknown) => e instanceof RpcError && e.code === 'invalidParams' && pattern.test(e.message));
}

test('explain params: indices must be safe integers in range', () => {
  assert.deepEqual(parseExplainParams({ testIndex: 0 }, limits), { testIndex: 0 });
  assert.deepEqual(parseExplainParams({ testIndex: 9, checkpoint: 'checkpoints/epoch-2' }, limits), { testIndex: 9, checkpoint: 'checkpoints/epoch-2' });
  for (const bad of [-1, 10, 1.5, Number.NaN, Infinity, 2 ** 53, '3', null, undefined, [1]]) {
    rejects(() => parseExplainParams({ testIndex: bad }, limits), /testIndex/);
  }
});

test('explain params: the checkpoint must be one of the manifest\'s', () => {
  rejects(() => parseExplainParams({ testIndex: 1, checkpoint: '../../etc/passwd' }, limits), /checkpoint/);
  rejects(() => parseExplainParams({ testIndex: 1, checkpoint: 3 }, limits), /checkpoint/);
});

test('params must be an object', () => {
  for (const bad of [null, 3, 'x', [1, 2]]) rejects(() => parseExplainParams(bad, limits), /object/);
  rejects(() => parseRevealParams(undefined, limits), /object/);
});

test('reveal params: split and index in that split\'s range', () => {
  assert.deepEqual(parseRevealParams({ split: 'train', index: 99 }, limits), { split: 'train', index: 99 });
  rejects(() => parseRevealParams({ split: 'test', index: 99 }, limits), /index/);
  rejects(() => parseRevealParams({ split: 'validation', index: 0 }, limits), /split/);
});

test('ready params: a malformed saved state is dropped, not trusted', () => {
  assert.deepEqual(parseReadyParams({}), {});
  assert.deepEqual(parseReadyParams(undefined), {});
  assert.deepEqual(parseReadyParams({ restored: { manifestPath: '/a/modeldebug.json', testIndex: -1 } }), {});
  const good = { manifestPath: '/a/modeldebug.json', testIndex: 3, checkpoint: 'c' };
  assert.deepEqual(parseReadyParams({ restored: good }), { restored: good });
});

test('isPanelState rejects wrong types and NUL characters', () => {
  assert.equal(isPanelState({ manifestPath: '/a\0b', testIndex: 0 }), false);
  assert.equal(isPanelState({ manifestPath: '/a', testIndex: '0' }), false);
  assert.equal(isPanelState({ manifestPath: '/a', testIndex: 0, checkpoint: 5 }), false);
  assert.equal(isPanelState({ manifestPath: '/a', testIndex: 0 }), true);
});
