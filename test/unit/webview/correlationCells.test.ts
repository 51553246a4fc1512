import { test } from 'node:test';
import assert from 'node:assert/strict';
import { divergingColor } from '../../../webview/colorScale';
import { correlationCell, formatCorrelation, offDiagonalMean, relativeLuminance, textToneOn } from '../../../webview/correlationCells';

test('correlations print with two decimals and a true minus sign; undefined ones as a dash', () => {
  assert.equal(formatCorrelation(0.4249), '0.42');
  assert.equal(formatCorrelation(-0.3629), '\u22120.36');
  assert.equal(formatCorrelation(1), '1.00');
  assert.equal(formatCorrelation(-0.001), '0.00', 'no minus on a value that rounds to 0');
  assert.equal(formatCorrelation(Number.NaN), '—');
  assert.equal(formatCorrelation(null), '—');
});

test('cells take the diverging colour of r: red for +1, blue for -1, neutral for 0', () => {
  assert.deepEqual(correlationCell(1, 0, 0).fill, divergingColor(1));
  assert.deepEqual(correlationCell(-1, 0, 1).fill, divergingColor(-1));
  assert.deepEqual(correlationCell(0, 0, 1).fill, divergingColor(0));
  const [r, , b] = correlationCell(0.8, 0, 1).fill!;
  assert.ok(r > b);
  const undefinedCell = correlationCell(null, 2, 3);
  assert.equal(undefinedCell.fill, undefined);
  assert.match(undefinedCell.label, /unit 2 and unit 3: undefined/);
});

test('the text tone is the one with the higher WCAG contrast on its cell', () => {
  const contrast = (a: number, b: number): number => (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
  for (let k = -10; k <= 10; k++) {
    const fill = divergingColor(k / 10);
    const l = relativeLuminance(fill);
    const dark = contrast(l, 0);
    const light = contrast(l, 1);
    assert.equal(textToneOn(fill), dark >= light ? 'dark' : 'light', `r = ${k / 10}`);
  }
  assert.equal(textToneOn([255, 255, 255]), 'dark');
  assert.equal(textToneOn([0, 0, 0]), 'light');
  assert.equal(correlationCell(1, 0, 0).textTone, 'light', 'the darkest red takes white text');
});

test('relative luminance of the sRGB primaries', () => {
  assert.ok(Math.abs(relativeLuminance([255, 255, 255]) - 1) < 1e-12);
  assert.equal(relativeLuminance([0, 0, 0]), 0);
  assert.ok(Math.abs(relativeLuminance([0, 255, 0]) - 0.7152) < 1e-12);
});

test('the mean over i != j skips the diagonal and undefined entries', () => {
  // r01 = 0.5, r02 = -0.3, r12 undefined; symmetric.
  const m = [1, 0.5, -0.3, 0.5, 1, null, -0.3, null, 1];
  assert.ok(Math.abs(offDiagonalMean(m, 3)! - (0.5 + -0.3 + 0.5 + -0.3) / 4) < 1e-12);
  assert.equal(offDiagonalMean([1, null, null, 1], 2), null);
});
