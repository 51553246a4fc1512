import { test } from 'node:test';
import assert from 'node:assert/strict';
import { entropyReadout } from '../../../webview/format';

test('the entropy readout gives S(x), the mean over examples and S_max = ln d', () => {
  const r = entropyReadout({ entropy: Math.log(2), averageEntropy: 1.2, maxEntropy: Math.log(4), units: 4, exampleCount: 8 });
  assert.equal(r.example, 'S(x) = 0.693 (50% of S_max)');
  assert.equal(r.average, 'mean S = 1.2 over 8 examples');
  assert.equal(r.max, 'S_max = ln 4 = 1.39');
});

test('undefined entropies say why instead of printing NaN', () => {
  const r = entropyReadout({ entropy: null, averageEntropy: null, maxEntropy: Math.log(3), units: 3, exampleCount: 1 });
  assert.match(r.example, /no feature is salient/);
  assert.equal(r.average, 'mean S undefined over 1 example');
});
