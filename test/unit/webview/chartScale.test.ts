import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bandPath, extentOfAll, linearScale, linePath, niceDomain, niceStep } from '../../../webview/chartScale';

test('linearScale maps the domain ends onto the range ends, also reversed, and is affine in between', () => {
  const y = linearScale([-1, 3], [200, 0]);
  assert.equal(y(-1), 200);
  assert.equal(y(3), 0);
  assert.equal(y(1), 100);
  const x = linearScale([0, 0.5], [0, 400]);
  assert.equal(x(0.05), 40);
  assert.equal(x(0.2), 160);
});

test('a degenerate domain maps to the middle of the range instead of dividing by zero', () => {
  const y = linearScale([2, 2], [0, 100]);
  assert.equal(y(2), 50);
  assert.equal(y(7), 50);
});

test('niceStep picks 1, 2 or 5 times a power of ten', () => {
  assert.equal(niceStep(10, 5), 2);
  assert.equal(niceStep(1, 5), 0.2);
  assert.equal(niceStep(0.7, 4), 0.2);
  assert.equal(niceStep(3000, 3), 1000);
  assert.equal(niceStep(0.0042, 5), 0.001);
});

test('niceDomain contains the data, starts and ends on ticks, and ticks are whole steps apart', () => {
  for (const [min, max] of [[-0.1, 0.73], [0, 1], [0.013, 0.021], [-250, 1234], [-3, -1]] as const) {
    const { domain, ticks, step } = niceDomain(min, max, 4);
    assert.ok(domain[0] <= min && domain[1] >= max, `[${min}, ${max}] inside ${domain}`);
    assert.equal(ticks[0], domain[0]);
    assert.equal(ticks[ticks.length - 1], domain[1]);
    for (let k = 1; k < ticks.length; k++) assert.ok(Math.abs(ticks[k]! - ticks[k - 1]! - step) < step * 1e-9, `step between ${ticks[k - 1]} and ${ticks[k]}`);
  }
  assert.deepEqual(niceDomain(0, 1, 5).ticks, [0, 0.2, 0.4, 0.6, 0.8, 1]);
  const flat = niceDomain(5, 5);
  assert.ok(flat.domain[0] < 5 && flat.domain[1] > 5, 'a constant series still gets a span');
});

test('extentOfAll skips NaN and null and always includes the extra values', () => {
  assert.deepEqual(extentOfAll([[1, Number.NaN, 3], [null, 2]]), [1, 3]);
  assert.deepEqual(extentOfAll([[1, 3]], [0]), [0, 3]);
  assert.deepEqual(extentOfAll([[null]]), [0, 1]);
});

test('linePath breaks at missing values instead of drawing them at 0', () => {
  assert.equal(linePath([0, 10, 20, 30], [5, null, 7, 8]), 'M0,5 M20,7 L30,8');
  assert.equal(linePath([0, 10], [1.234567, 2]), 'M0,1.23 L10,2');
  assert.equal(linePath([], []), '');
});

test('bandPath goes along the upper edge and back along the lower one', () => {
  assert.equal(bandPath([0, 10, 20], [4, 5, 6], [1, 2, 3]), 'M0,1 L10,2 L20,3 L20,6 L10,5 L0,4 Z');
  assert.equal(bandPath([0, 10], [null, 5], [1, 2]), 'M10,2 L10,5 Z');
  assert.equal(bandPath([0], [null], [null]), '');
});
