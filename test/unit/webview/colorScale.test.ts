import { test } from 'node:test';
import assert from 'node:assert/strict';
import { colorBarRgba, divergingColor, extentOf, grayscaleRgba, OVERLAY_STRENGTH, overlayPixel, overlayRgba } from '../../../webview/colorScale';

test('the diverging scale is neutral at 0, blue below and red above, clamped outside [-1, 1]', () => {
  const mid = divergingColor(0);
  assert.deepEqual(mid, [247, 247, 247]);
  for (const t of [0.1, 0.5, 1]) {
    const [r, , b] = divergingColor(t);
    assert.ok(r > b, `t=${t} is reddish`);
    const [r2, , b2] = divergingColor(-t);
    assert.ok(b2 > r2, `t=${-t} is bluish`);
  }
  assert.deepEqual(divergingColor(5), divergingColor(1));
  assert.deepEqual(divergingColor(-5), divergingColor(-1));
  assert.deepEqual(divergingColor(Number.NaN), mid);
});

test('colours darken monotonically away from 0 on both sides (so larger |attribution| reads as stronger)', () => {
  const lightness = (t: number): number => divergingColor(t).reduce((a, b) => a + b, 0);
  for (let k = 0; k < 20; k++) {
    const t = k / 20;
    assert.ok(lightness(t + 0.05) <= lightness(t), `positive side at ${t}`);
    assert.ok(lightness(-t - 0.05) <= lightness(-t), `negative side at ${-t}`);
  }
});

test('extentOf ignores non-finite values and gives the symmetric bound', () => {
  assert.deepEqual(extentOf([0.5, -2, Number.NaN, 1]), { min: -2, max: 1, maxAbs: 2 });
  assert.deepEqual(extentOf([]), { min: 0, max: 0, maxAbs: 0 });
});

test('overlayPixel: zero attribution leaves the image gray; full attribution blends at the overlay strength', () => {
  assert.deepEqual(overlayPixel(0.5, 0, 1), [128, 128, 128]);
  assert.deepEqual(overlayPixel(0.5, 3, 0), [128, 128, 128], 'an all-zero map draws the image');
  const [r, g, b] = divergingColor(1);
  const a = OVERLAY_STRENGTH;
  assert.deepEqual(overlayPixel(0, 2, 2), [Math.round(r * a), Math.round(g * a), Math.round(b * a)]);
  const half = divergingColor(-0.5);
  const a2 = 0.5 * OVERLAY_STRENGTH;
  assert.deepEqual(overlayPixel(1, -1, 2), half.map((c) => Math.round(255 * (1 - a2) + c * a2)));
});

test('the RGBA rasterisers are opaque, row-major, and check their inputs', () => {
  const gray = grayscaleRgba([0, 1]);
  assert.deepEqual([...gray], [0, 0, 0, 255, 255, 255, 255, 255]);
  const overlay = overlayRgba([0, 0], [1, -1], 1);
  assert.equal(overlay.length, 8);
  assert.equal(overlay[3], 255);
  assert.ok(overlay[0]! > overlay[2]!, 'positive pixel is red');
  assert.ok(overlay[6]! > overlay[4]!, 'negative pixel is blue');
  assert.throws(() => overlayRgba([0], [1, 2], 1), /1 pixels but saliency has 2/);
  const bar = colorBarRgba(3);
  assert.deepEqual([...bar.subarray(0, 3)], [...divergingColor(-1)]);
  assert.deepEqual([...bar.subarray(4, 7)], [...divergingColor(0)]);
  assert.deepEqual([...bar.subarray(8, 11)], [...divergingColor(1)]);
});
