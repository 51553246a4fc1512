import { test } from 'node:test';
import assert from 'node:assert/strict';
import { broadcastOverChannels, gridMask } from '../../../src/engine/attribution/featureMask';
import { superpixels } from '../../../src/engine/attribution/superpixels';
import { seededValues } from '../metrics/testUtils';

/** True when every label's pixels form one 4-connected region. */
function allConnected(labels: Int32Array, height: number, width: number): boolean {
  const count = Math.max(...labels) + 1;
  const seen = new Uint8Array(labels.length);
  const regions = new Array<number>(count).fill(0);
  for (let start = 0; start < labels.length; start++) {
    if (seen[start]) continue;
    regions[labels[start]!]++;
    const stack = [start];
    seen[start] = 1;
    while (stack.length) {
      const p = stack.pop()!;
      const [y, x] = [Math.floor(p / width), p % width];
      for (const [ny, nx] of [[y - 1, x], [y + 1, x], [y, x - 1], [y, x + 1]] as const) {
        const q = ny * width + nx;
        if (ny >= 0 && ny < height && nx >= 0 && nx < width && !seen[q] && labels[q] === labels[p]) {
          seen[q] = 1;
          stack.push(q);
        }
      }
    }
  }
  return regions.every((n) => n === 1);
}

function contiguous(labels: Int32Array): boolean {
  const distinct = new Set(labels);
  return [...distinct].every((l) => l >= 0 && l < distinct.size);
}

test('superpixels follow the edges of a four-quadrant image', () => {
  const [height, width] = [16, 16];
  const image = new Float32Array(height * width);
  const quadrant = (y: number, x: number) => (y < 7 ? 0 : 2) + (x < 10 ? 0 : 1);
  const levels = [0.1, 0.9, 0.5, 0.3];
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) image[y * width + x] = levels[quadrant(y, x)]!;
  const labels = superpixels(image, [height, width, 1], { segments: 4, compactness: 0.05 });
  assert.ok(contiguous(labels));
  assert.equal(new Set(labels).size, 4);
  // Each superpixel lies inside one quadrant and each quadrant is one superpixel.
  const quadrantOf = new Map<number, number>();
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const label = labels[y * width + x]!;
      if (!quadrantOf.has(label)) quadrantOf.set(label, quadrant(y, x));
      assert.equal(quadrantOf.get(label), quadrant(y, x), `pixel (${y}, ${x})`);
    }
  }
});

test('superpixels on a noisy multi-channel image are connected, contiguous, near the requested count and deterministic', () => {
  const [height, width, channels] = [28, 28, 3];
  const image = seededValues(height * width * channels, 5, 0, 1);
  const labels = superpixels(image, [height, width, channels], { segments: 16 });
  assert.equal(labels.length, height * width);
  assert.ok(contiguous(labels));
  assert.ok(allConnected(labels, height, width), 'every superpixel must be one connected region');
  const count = new Set(labels).size;
  assert.ok(count >= 8 && count <= 32, `${count} superpixels for 16 requested`);
  const sizes = new Map<number, number>();
  for (const l of labels) sizes.set(l, (sizes.get(l) ?? 0) + 1);
  const minSize = Math.floor((height * width) / 16 / 4);
  for (const [label, size] of sizes) assert.ok(size >= minSize, `superpixel ${label} has ${size} < ${minSize} pixels`);
  assert.deepEqual(superpixels(image, [height, width, channels], { segments: 16 }), labels);
});

test('superpixels reject bad inputs by name', () => {
  assert.throws(() => superpixels(new Float32Array(10), [4, 4, 1]), /image has 10 values but shape \[4, 4, 1\] needs 16/);
  assert.throws(() => superpixels(new Float32Array(16), [16]), /image features need an example shape \[H, W\] or \[H, W, C\]/);
  assert.throws(() => superpixels(new Float32Array(16), [4, 4], { segments: 0 }), /segments must be an integer/);
  assert.throws(() => superpixels(new Float32Array(16).fill(NaN), [4, 4]), /non-finite value at flat index 0/);
});

test('grid masks number cells row-major, clip the last cells and cover every channel', () => {
  const mask = gridMask([5, 5, 2], 2, 3);
  const pixel = (y: number, x: number) => mask[(y * 5 + x) * 2]!;
  assert.deepEqual([pixel(0, 0), pixel(0, 2), pixel(0, 3), pixel(1, 4), pixel(2, 0), pixel(4, 4)], [0, 0, 1, 1, 2, 5]);
  for (let p = 0; p < 25; p++) assert.equal(mask[2 * p], mask[2 * p + 1]);
  assert.deepEqual(Array.from(broadcastOverChannels(Int32Array.of(3, 4), [1, 2, 3])), [3, 3, 3, 4, 4, 4]);
  assert.throws(() => gridMask([5, 5], 6, 1), /cellHeight must be an integer in \[1, 5\]/);
});
