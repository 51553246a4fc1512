import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeBackend } from '../../../src/host/backendStatus';

test('the status names the backend and the tooltip lists each skipped backend with its reason', () => {
  const status = describeBackend({ name: 'wasm', tfjsVersion: '4.22.0', skipped: ['tensorflow: @tensorflow/tfjs-node is not installed'] });
  assert.equal(status.text, '$(pulse) TF.js: wasm');
  assert.match(status.tooltip, /4\.22\.0/);
  assert.match(status.tooltip, /tensorflow: @tensorflow\/tfjs-node is not installed/);
});

test('no skipped section when nothing was skipped', () => {
  assert.doesNotMatch(describeBackend({ name: 'tensorflow', tfjsVersion: '4.22.0', skipped: [] }).tooltip, /Skipped/);
});
