import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatEta, formatProgress } from '../../../src/cli/progressText';

test('ETAs read as seconds, minutes or hours', () => {
  assert.equal(formatEta(0.4), '0 s');
  assert.equal(formatEta(45.2), '45 s');
  assert.equal(formatEta(185), '3 min 05 s');
  assert.equal(formatEta(7620), '2 h 07 min');
  assert.equal(formatEta(-3), '0 s');
});

test('progress lines show the percentage and the ETA only when known', () => {
  assert.equal(formatProgress({ message: 'sketching' }), '  sketching');
  assert.equal(formatProgress({ message: 'sketching', fraction: 0.424 }), '  42% sketching');
  assert.equal(formatProgress({ message: 'sketching', fraction: 0.5, etaSeconds: 70 }), '  50% sketching (ETA 1 min 10 s)');
  assert.equal(formatProgress({ message: 'x', fraction: Number.NaN, etaSeconds: Number.POSITIVE_INFINITY }), '  x');
});
