import { test } from 'node:test';
import assert from 'node:assert/strict';
import { consistencyGeometry, percentLabel } from '../../../webview/consistencyLayout';

const box = { width: 400, height: 200 };
const fractions = [0.05, 0.1, 0.2, 0.5];

test('x positions are proportional to M, from 0 at the left edge to the largest M at the right', () => {
  const g = consistencyGeometry(fractions, { mean: [1, 2, 3, 4], std: [0, 0, 0, 0] }, { mean: [0, 0, 0, 0], std: [0, 0, 0, 0] }, box);
  assert.deepEqual(g.xTicks.map((t) => t.x), [40, 80, 160, 400]);
  assert.deepEqual(g.xTicks.map((t) => t.label), ['5%', '10%', '20%', '50%']);
});

test('whiskers and bands are the mean ± std, and the y domain holds them all and 0', () => {
  const top = { mean: [0.5, 0.6, 0.7, 0.8], std: [0.1, 0.1, 0.2, 0.3] };
  const random = { mean: [-0.05, 0.1, 0.2, 0.3], std: [0.1, 0.1, 0.1, 0.1] };
  const g = consistencyGeometry(fractions, top, random, box);
  const yOf = (value: number): number => {
    // Recover the scale from two ticks.
    const [a, b] = [g.yTicks[0]!, g.yTicks[g.yTicks.length - 1]!];
    return a.y + ((value - a.value) / (b.value - a.value)) * (b.y - a.y);
  };
  g.top.points.forEach((p, i) => {
    assert.ok(Math.abs(p.y - yOf(top.mean[i]!)) < 1e-9);
    assert.ok(Math.abs(p.low - yOf(top.mean[i]! - top.std[i]!)) < 1e-9);
    assert.ok(Math.abs(p.high - yOf(top.mean[i]! + top.std[i]!)) < 1e-9);
  });
  const ys = [...g.top.points, ...g.random.points].flatMap((p) => [p.low, p.high]);
  assert.ok(ys.every((y) => y >= -1e-9 && y <= box.height + 1e-9), 'everything inside the plot');
  assert.ok(g.zeroY !== undefined && g.zeroY > 0 && g.zeroY < box.height, 'negative values show the 0 line');
  assert.match(g.random.band, /^M.* Z$/);
});

test('missing values (NaN arrives as null) leave gaps rather than points at 0', () => {
  const g = consistencyGeometry(fractions, { mean: [0.5, null as unknown as number, 0.7, 0.8], std: [0.1, 0.1, null as unknown as number, 0.1] }, { mean: [0, 0, 0, 0], std: [0, 0, 0, 0] }, box);
  assert.equal(g.top.points.length, 3);
  assert.equal(g.top.points[1]!.std, 0, 'a missing std draws no whisker');
  assert.equal(g.zeroY, undefined, 'no 0 line when nothing is negative');
});

test('percent labels', () => {
  assert.equal(percentLabel(0.05), '5%');
  assert.equal(percentLabel(0.125), '12.5%');
  assert.equal(percentLabel(1), '100%');
});
