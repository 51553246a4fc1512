import { test } from 'node:test';
import assert from 'node:assert/strict';
import { boxPlotGeometry, boxText } from '../../../webview/boxPlotLayout';

const plot = { width: 500, height: 200 };
const b = (median: number) => ({ min: median - 0.2, q1: median - 0.1, median, q3: median + 0.1, max: median + 0.2, mean: median });
const groups = ['M = 1', 'M = 5', 'M = 10', 'M = 20', 'M = 50'];

test('the y axis is the similarity rate from 0% at the bottom to 100% at the top', () => {
  const g = boxPlotGeometry(groups, [groups.map(() => b(0.5))], plot);
  assert.deepEqual(g.yTicks.map((t) => t.label), ['0%', '25%', '50%', '75%', '100%']);
  assert.equal(g.yTicks[0]!.y, 200);
  assert.equal(g.yTicks[4]!.y, 0);
  const first = g.boxes[0]!;
  assert.equal(first.median, 100);
  assert.equal(first.q3, 80, 'q3 above the median (smaller y)');
  assert.equal(first.q1, 120);
  assert.equal(first.max, 60);
  assert.equal(first.min, 140);
  assert.equal(first.mean, 100);
});

test('each M is an equal band; the methods sit side by side inside it, in order, without overlapping', () => {
  const series = [groups.map(() => b(0.8)), groups.map(() => b(0.5)), groups.map(() => b(0.3))];
  const g = boxPlotGeometry(groups, series, plot);
  assert.equal(g.groups.length, 5);
  assert.deepEqual(g.groups.map((x) => x.x), [50, 150, 250, 350, 450]);
  assert.equal(g.boxes.length, 15);
  for (let group = 0; group < 5; group++) {
    const inGroup = g.boxes.filter((m) => m.group === group).sort((p, q) => p.series - q.series);
    assert.deepEqual(inGroup.map((m) => m.series), [0, 1, 2]);
    for (const m of inGroup) {
      assert.ok(m.x >= g.groups[group]!.left && m.x + m.width <= g.groups[group]!.right, 'inside its band');
    }
    for (let k = 1; k < inGroup.length; k++) assert.ok(inGroup[k]!.x >= inGroup[k - 1]!.x + inGroup[k - 1]!.width, 'no overlap');
  }
});

test('a missing box (null, or a NaN statistic arriving as null) is left out, not drawn at 0', () => {
  const g = boxPlotGeometry(groups, [[b(0.5), null, { ...b(0.5), q1: null }, b(0.5), b(0.5)]], plot);
  assert.deepEqual(g.boxes.map((m) => m.group), [0, 3, 4]);
});

test('values outside [0, 1] are clamped to the plot', () => {
  const g = boxPlotGeometry(['M = 1'], [[{ min: -0.5, q1: 0, median: 0.5, q3: 1, max: 1.5 }]], plot);
  assert.equal(g.boxes[0]!.min, 200);
  assert.equal(g.boxes[0]!.max, 0);
  assert.equal(g.boxes[0]!.mean, undefined);
});

test('boxText says the box in words for the table and screen readers', () => {
  assert.equal(boxText({ min: 0.5, q1: 0.7, median: 0.8, q3: 0.9, max: 1 }), 'median 80% (IQR 70%–90%, range 50%–100%)');
  assert.equal(boxText(null), 'no value');
});
