import { test } from 'node:test';
import assert from 'node:assert/strict';
import { completenessReadout, formatNumber, formatSigned } from '../../../webview/format';

test('formatNumber keeps three significant digits without trailing zeros', () => {
  assert.equal(formatNumber(0), '0');
  assert.equal(formatNumber(100), '100');
  assert.equal(formatNumber(0.5), '0.5');
  assert.equal(formatNumber(0.12345), '0.123');
  assert.equal(formatNumber(-1.5), '-1.5');
  assert.equal(formatNumber(2500), '2500');
  assert.equal(formatNumber(123456), '1.23e+5');
  assert.equal(formatNumber(0.00012), '1.20e-4');
  assert.equal(formatSigned(0.25), '+0.25');
  assert.equal(formatSigned(-0.25), '-0.25');
});

test('completeness: relative gap |sum - expected| / |expected|', () => {
  const r = completenessReadout({ sum: 0.9, expected: 1 });
  assert.ok(Math.abs(r.relativeGap! - 0.1) < 1e-12);
  assert.match(r.text, /0\.9 vs\. expected 1 \(gap 10\.0%\)/);
  const exact = completenessReadout({ sum: 2, expected: 2 });
  assert.equal(exact.relativeGap, 0);
  assert.match(exact.text, /gap 0\.00%/);
});

test('completeness with an expected value of 0 reports the absolute gap instead', () => {
  const r = completenessReadout({ sum: 0.01, expected: 0 });
  assert.equal(r.relativeGap, undefined);
  assert.match(r.text, /absolute gap 0\.01/);
});
