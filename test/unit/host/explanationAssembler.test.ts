import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assembleExplanation, toDisplayRange, toPlane } from '../../../src/host/panel/explanationAssembler';
import type { ExampleExplanation, ExamplesResult, ExplainResult } from '../../../src/protocol/engineProtocol';

test('toPlane averages image channels and sums attribution channels', () => {
  // 1x2 pixels, 3 channels
  const values = [0.3, 0.6, 0.9, 0, 0, 0.3];
  const mean = toPlane([1, 2, 3], values, 'mean', 'x');
  assert.equal(mean.height, 1);
  assert.equal(mean.width, 2);
  assert.ok(Math.abs(mean.values[0]! - 0.6) < 1e-12 && Math.abs(mean.values[1]! - 0.1) < 1e-12);
  const sum = toPlane([1, 2, 3], values, 'sum', 'x');
  assert.ok(Math.abs(sum.values[0]! - 1.8) < 1e-12 && Math.abs(sum.values[1]! - 0.3) < 1e-12);
});

test('toPlane shows a flat feature vector as one row and rejects mismatched shapes, naming what', () => {
  assert.deepEqual(toPlane([3], [1, 2, 3], 'mean', 'x'), { height: 1, width: 3, values: [1, 2, 3] });
  assert.throws(() => toPlane([2, 2], [1, 2, 3], 'mean', 'test example 4'), /test example 4: expected 4 values/);
  assert.throws(() => toPlane([2, 0], [], 'mean', 'x'), /shape \[2, 0\]/);
  assert.throws(() => toPlane([1, 1, 1, 1], [1], 'mean', 'x'), /shape/);
});

test('toDisplayRange keeps [0,1] data and min-max scales anything else', () => {
  assert.deepEqual(toDisplayRange([0, 0.5, 1]), [0, 0.5, 1]);
  assert.deepEqual(toDisplayRange([0, 127.5, 255]), [0, 0.5, 1]);
  assert.deepEqual(toDisplayRange([-1, 1]), [0, 1]);
  assert.deepEqual(toDisplayRange([5, 5]), [0, 0]);
  assert.deepEqual(toDisplayRange([Number.NaN, 0.5]), [0, 0.5]);
});

function examples(indices: number[], fill: (i: number) => number): ExamplesResult {
  return { shape: [2, 2, 1], examples: indices.map((index) => ({ index, values: new Float32Array(4).fill(fill(index)), label: index % 10, labelName: `c${index % 10}` })) };
}

test('assembleExplanation pairs each scored example with its pixels', () => {
  const explained: ExampleExplanation = {
    index: 7,
    saliency: { method: 'integratedGradients', labelFree: true, shape: [2, 2, 1], values: new Float32Array([1, -1, 0.5, 0]), completeness: { sum: 0.5, expected: 0.52 } },
    proponents: [1, 2, 3, 4, 5].map((index) => ({ index, score: 10 - index })),
    opponents: [11, 12, 13, 14, 15].map((index) => ({ index, score: -index })),
  };
  const result: ExplainResult = { backend: 'cpu', checkpoint: 'c/epoch-2', examples: [explained], timings: {} };
  const train = examples([1, 2, 3, 4, 5, 11, 12, 13, 14, 15], (i) => i / 100);
  const panel = assembleExplanation(result, explained, examples([7], () => 0.25), train);
  assert.equal(panel.testIndex, 7);
  assert.equal(panel.labelName, 'c7');
  assert.deepEqual(panel.image, [0.25, 0.25, 0.25, 0.25]);
  assert.deepEqual(panel.saliency, [1, -1, 0.5, 0]);
  assert.deepEqual(panel.completeness, { sum: 0.5, expected: 0.52 });
  assert.deepEqual(panel.proponents.map((t) => t.index), [1, 2, 3, 4, 5]);
  assert.deepEqual(panel.opponents.map((t) => t.score), [-11, -12, -13, -14, -15]);
  assert.ok(Math.abs(panel.proponents[2]!.pixels[0]! - 0.03) < 1e-6);
  assert.equal(panel.opponents[0]!.labelName, 'c1');
});

test('assembleExplanation fails clearly when the engine left out pixels or shapes disagree', () => {
  const explained: ExampleExplanation = {
    index: 0,
    saliency: { method: 'ig', labelFree: true, shape: [2, 2, 1], values: new Float32Array(4) },
    proponents: [{ index: 99, score: 1 }],
    opponents: [],
  };
  const result: ExplainResult = { backend: 'cpu', checkpoint: 'c', examples: [explained], timings: {} };
  assert.throws(() => assembleExplanation(result, explained, examples([0], () => 0), examples([1], () => 0)), /training example 99/);
  assert.throws(() => assembleExplanation(result, explained, examples([5], () => 0), examples([99], () => 0)), /test example 0/);
  const wrong = { ...explained, saliency: { ...explained.saliency, shape: [1, 4, 1] } };
  assert.throws(() => assembleExplanation(result, wrong, examples([0], () => 0), examples([99], () => 0)), /1x4 but the test image is 2x2/);
});
