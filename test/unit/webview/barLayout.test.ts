import { test } from 'node:test';
import assert from 'node:assert/strict';
import { barLayout, featureName, truncate } from '../../../webview/barLayout';

const options = { plotWidth: 300, rowHeight: 20, maxBars: 10 };

test('bars are ordered by |attribution| and named by column', () => {
  const layout = barLayout([0.5, -2, 1, 0], ['a', 'b', 'c', 'd'], [10, 20, 30, 40], options);
  assert.deepEqual(layout.rows.map((r) => r.name), ['b', 'c', 'a', 'd']);
  assert.deepEqual(layout.rows.map((r) => r.y), [0, 20, 40, 60]);
  assert.deepEqual(layout.rows.map((r) => r.input), [20, 30, 10, 40]);
  assert.equal(layout.hidden, 0);
});

test('bar lengths are proportional to |attribution| and grow away from 0 on the side of their sign', () => {
  const values = [0.5, -2, 1, -0.25];
  const layout = barLayout(values, undefined, undefined, options);
  const byFeature = new Map(layout.rows.map((r) => [r.feature, r]));
  const unit = byFeature.get(2)!.width; // |1|
  for (const [feature, value] of values.entries()) {
    const row = byFeature.get(feature)!;
    assert.ok(Math.abs(row.width - Math.abs(value) * unit) < 1e-9, `feature ${feature}`);
    if (value >= 0) assert.equal(row.x, layout.zeroX);
    else assert.ok(Math.abs(row.x + row.width - layout.zeroX) < 1e-9);
  }
  assert.ok(layout.rows.every((r) => r.x >= 0 && r.x + r.width <= options.plotWidth + 1e-9));
});

test('only the largest bars are drawn; the rest are counted', () => {
  const layout = barLayout([1, 2, 3, 4, 5], undefined, undefined, { ...options, maxBars: 2 });
  assert.deepEqual(layout.rows.map((r) => r.feature), [4, 3]);
  assert.equal(layout.hidden, 3);
});

test('non-finite attributions count as 0 and all-positive values put 0 at the left edge', () => {
  const layout = barLayout([Number.NaN, null, 2], undefined, undefined, options);
  assert.equal(layout.zeroX, 0);
  assert.deepEqual(layout.rows.map((r) => r.value), [2, 0, 0]);
});

test('value room keeps the longest bar short of the plot edge on its side', () => {
  const layout = barLayout([-1, 1], undefined, undefined, { ...options, valueRoom: 40 });
  const ends = layout.rows.map((r) => [r.x, r.x + r.width]).flat();
  assert.ok(Math.min(...ends) >= 40 - 1e-9 && Math.max(...ends) <= 260 + 1e-9, `bars span ${Math.min(...ends)}..${Math.max(...ends)}`);
});

test('feature names fall back to the index; long names are cut with an ellipsis', () => {
  assert.equal(featureName(3, undefined), 'feature 3');
  assert.equal(featureName(1, ['x', 'y']), 'y');
  assert.equal(truncate('abcdef', 10), 'abcdef');
  assert.equal(truncate('abcdefghijkl', 5), 'abcd\u2026');
  assert.equal(Array.from(truncate('ääääääää', 4)).length, 4);
});
