import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { extractPatches, type ConvGeometry } from '../../../src/engine/influence/patches';
import { expectNoLeak } from './closeTo';

/** im2col written out with the padding rule of TensorFlow's 'same' and 'valid'. */
function referencePatches(x: number[][][][], g: ConvGeometry): number[][][][] {
  const [H, W, C] = [x[0]!.length, x[0]![0]!.length, x[0]![0]![0]!.length];
  const axis = (size: number, k: number, s: number, d: number): { out: number; before: number } => {
    const span = (k - 1) * d + 1;
    if (g.padding === 'valid') return { out: Math.ceil((size - span + 1) / s), before: 0 };
    const out = Math.ceil(size / s);
    return { out, before: Math.floor(Math.max((out - 1) * s + span - size, 0) / 2) };
  };
  const rows = axis(H, g.kernelSize[0], g.strides[0], g.dilations[0]);
  const cols = axis(W, g.kernelSize[1], g.strides[1], g.dilations[1]);
  return x.map((image) =>
    Array.from({ length: rows.out }, (_, oy) =>
      Array.from({ length: cols.out }, (_, ox) => {
        const patch: number[] = [];
        for (let i = 0; i < g.kernelSize[0]; i++) {
          for (let j = 0; j < g.kernelSize[1]; j++) {
            const y = oy * g.strides[0] - rows.before + i * g.dilations[0];
            const xx = ox * g.strides[1] - cols.before + j * g.dilations[1];
            for (let c = 0; c < C; c++) patch.push(y >= 0 && y < H && xx >= 0 && xx < W ? image[y]![xx]![c]! : 0);
          }
        }
        return patch;
      }),
    ),
  );
}

const cases: Array<[string, [number, number, number, number], ConvGeometry]> = [
  ['3x3 stride 2 same, odd size', [2, 7, 7, 2], { kernelSize: [3, 3], strides: [2, 2], padding: 'same', dilations: [1, 1] }],
  ['3x3 stride 2 same, even size', [1, 6, 6, 3], { kernelSize: [3, 3], strides: [2, 2], padding: 'same', dilations: [1, 1] }],
  ['3x3 stride 2 valid', [2, 7, 7, 2], { kernelSize: [3, 3], strides: [2, 2], padding: 'valid', dilations: [1, 1] }],
  ['2x3 strides 1x2 valid', [1, 5, 6, 2], { kernelSize: [2, 3], strides: [1, 2], padding: 'valid', dilations: [1, 1] }],
  ['3x3 dilation 2 same', [1, 6, 5, 2], { kernelSize: [3, 3], strides: [1, 1], padding: 'same', dilations: [2, 2] }],
  ['4x4 stride 3 same', [1, 8, 8, 1], { kernelSize: [4, 4], strides: [3, 3], padding: 'same', dilations: [1, 1] }],
];

for (const [name, shape, geometry] of cases) {
  test(`patches match im2col: ${name}`, async () => {
    const x = tf.tidy(() => tf.reshape(tf.add(tf.range(0, tf.util.sizeFromShape(shape)), 1), shape) as tf.Tensor4D);
    const expected = referencePatches(x.arraySync() as number[][][][], geometry);
    const actual = await expectNoLeak(() => {
      const patches = extractPatches(x, geometry);
      const values = patches.arraySync();
      patches.dispose();
      return values;
    });
    assert.deepEqual(actual, expected);
    x.dispose();
  });
}
