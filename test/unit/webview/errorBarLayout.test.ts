import { test } from 'node:test';
import assert from 'node:assert/strict';
import { efficiencyText, errorBarLayout } from '../../../webview/errorBarLayout';
import { formatNumber } from '../../../webview/format';

test('bars keep the feature order, grow from 0 both ways, and whiskers span value ± standard error inside the domain', () => {
  const layout = errorBarLayout([0.2, -0.1, null], [0.05, 0.1, 0.3], ['low', 'mid'], { plotWidth: 200, rowHeight: 20 });
  assert.deepEqual(layout.rows.map((r) => r.name), ['low', 'mid', 'feature 2']);
  assert.deepEqual(layout.rows.map((r) => r.y), [0, 20, 40]);
  assert.equal(layout.height, 60);
  const [a, b, c] = layout.rows;
  assert.ok(a!.x >= layout.zeroX - 1e-9 && a!.x + a!.width > layout.zeroX, 'positive grows right');
  assert.ok(Math.abs(b!.x + b!.width - layout.zeroX) < 1e-9, 'negative grows left');
  assert.equal(c!.value, 0, 'a missing value is drawn as 0');
  assert.ok(c!.low < layout.zeroX && c!.high > layout.zeroX, 'its whisker still shows the error');
  for (const r of layout.rows) assert.ok(r.low >= 0 && r.high <= 200 && r.low <= r.high);
  assert.ok(layout.ticks.some((t) => t.value === 0));
});

test('the efficiency check: Σφ against v(N) − v(∅), warning past 5%', () => {
  const ok = efficiencyText({ values: [0.1, 0.2], fullValue: 0.9, emptyValue: 0.6, efficiencyGap: 0 }, formatNumber);
  assert.equal(ok.text, 'Σφ 0.3 vs. v(N) − v(∅) = 0.9 − 0.6 = 0.3 (gap 0.00%)');
  assert.equal(ok.warn, false);
  assert.equal(efficiencyText({ values: [0.5], fullValue: 0.9, emptyValue: 0.6, efficiencyGap: 0.2 }, formatNumber).warn, true);
  assert.match(efficiencyText({ values: [0], fullValue: 0.5, emptyValue: 0.5, efficiencyGap: 0 }, formatNumber).text, /\(gap 0\)/);
});
