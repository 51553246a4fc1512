import { test } from 'node:test';
import assert from 'node:assert/strict';
import { channelOf, seriesGeometry } from '../../../webview/seriesLayout';

const box = { width: 300, height: 100 };

function polygon(points: string): number[][] {
  return points.split(' ').map((p) => p.split(',').map(Number));
}

test('channelOf reads one channel of row-major T x C values', () => {
  assert.deepEqual(channelOf([1, 10, 2, 20, 3, 30], 3, 2, 1), [10, 20, 30]);
  assert.deepEqual(channelOf([1, 10, 2, 20, 3, 30], 3, 2, 0), [1, 2, 3]);
});

test('each step gets a band from the floor to the line, and neighbouring bands meet exactly', () => {
  const g = seriesGeometry([0, 1, 0, 1], [1, 1, 1, 1], 1, box);
  assert.equal(g.bands.length, 4);
  const polys = g.bands.map((b) => polygon(b.points));
  for (const poly of polys) {
    assert.equal(poly[0]![1], box.height, 'starts on the floor');
    assert.equal(poly[poly.length - 1]![1], box.height, 'ends on the floor');
  }
  for (let t = 0; t < 3; t++) {
    const right = polys[t]![3]!;
    const left = polys[t + 1]![1]!;
    assert.deepEqual(right, left, `band ${t} meets band ${t + 1} on the line`);
  }
  assert.equal(polys[0]![0]![0], 0, 'the first band starts at the first step');
  assert.equal(polys[3]![4]![0], box.width, 'the last band ends at the last step');
});

test('band colours are the attribution over the chart-wide maximum, and zero attribution draws nothing', () => {
  const g = seriesGeometry([0, 1, 2], [2, 0, -4], 4, box);
  assert.deepEqual(g.bands.map((b) => [b.step, b.t]), [[0, 0.5], [2, -1]]);
  assert.deepEqual(seriesGeometry([0, 1], [1, 1], 0, box).bands, [], 'no scale, no bands');
});

test('the line goes through every finite point and breaks at missing ones', () => {
  const g = seriesGeometry([0, null, 1], [0, 0, 0], 1, box);
  assert.equal(g.line.split('M').length - 1, 2);
  assert.deepEqual(g.xs, [0, 150, 300]);
});
