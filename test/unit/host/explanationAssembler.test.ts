import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assembleExampleImportance, rankedIndices, toDisplayRange, toPlane } from '../../../src/host/panel/explanationAssembler';
import type { ExampleImportanceExample, ExampleImportanceResult, ExamplesResult } from '../../../src/protocol/engineProtocol';

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

function importance(family: 'gradient' | 'representation', example: ExampleImportanceExample): ExampleImportanceResult {
  return {
    method: family === 'gradient' ? 'tracin' : 'deepKnn',
    settings: family === 'gradient' ? { method: 'tracin', mode: 'sketch' } : { method: 'deepKnn' },
    family,
    higherIsHelpful: true,
    labelFree: true,
    checkpoint: 'c/epoch-2',
    trainCount: 100,
    trainFile: '/ws/data/train-labels.csv',
    examples: [example],
    timings: {},
    seconds: 2,
  };
}

test('assembleExampleImportance pairs each ranked example with its pixels, row and line, up to top-k', () => {
  const example: ExampleImportanceExample = {
    index: 7,
    label: 3,
    proponents: [1, 2, 3, 4, 5, 6].map((index) => ({ index, row: index, line: index + 2, score: 10 - index })),
    opponents: [11, 12, 13, 14, 15, 16].map((index) => ({ index, row: index, score: -index })),
  };
  const train = examples(rankedIndices(example, 5), (i) => i / 100);
  assert.deepEqual(rankedIndices(example, 5), [1, 2, 3, 4, 5, 11, 12, 13, 14, 15]);
  const panel = assembleExampleImportance(importance('gradient', example), train, { testIndex: 7, topK: 5, trainFile: 'data/train-labels.csv' });
  assert.equal(panel.testIndex, 7);
  assert.equal(panel.label, 3);
  assert.equal(panel.height, 2);
  assert.equal(panel.width, 2);
  assert.deepEqual(panel.proponents.map((t) => t.index), [1, 2, 3, 4, 5]);
  assert.deepEqual(panel.proponents.map((t) => t.line), [3, 4, 5, 6, 7]);
  assert.deepEqual(panel.opponents.map((t) => t.score), [-11, -12, -13, -14, -15]);
  assert.equal(panel.opponents[0]!.row, 11);
  assert.equal(panel.opponents[0]!.line, undefined);
  assert.ok(Math.abs(panel.proponents[2]!.pixels[0]! - 0.03) < 1e-6);
  assert.equal(panel.opponents[0]!.labelName, 'c1');
  assert.deepEqual(panel.leastSimilar, []);
  assert.equal(panel.trainFile, 'data/train-labels.csv');
});

test('assembleExampleImportance lists least similar examples (not opponents) for representation methods, with the SimplEx summary', () => {
  const example: ExampleImportanceExample = {
    index: 0,
    proponents: [{ index: 1, row: 1, score: 0.9, distance: 0.1 }],
    opponents: [],
    leastSimilar: [{ index: 2, row: 2, score: 0.01, distance: Number.POSITIVE_INFINITY }],
    simplex: { reconstructionError: 0.5, relativeError: 0.05, corpusSize: 50 },
  };
  const panel = assembleExampleImportance(importance('representation', example), examples([1, 2], () => 0.5), { testIndex: 0, topK: 5, trainFile: 't' });
  assert.deepEqual(panel.opponents, []);
  assert.deepEqual(panel.leastSimilar.map((t) => t.index), [2]);
  assert.equal(panel.proponents[0]!.distance, 0.1);
  assert.equal(panel.leastSimilar[0]!.distance, undefined, 'a non-finite distance is left out');
  assert.deepEqual(panel.simplex, { reconstructionError: 0.5, relativeError: 0.05, corpusSize: 50 });
});

test('assembleExampleImportance fails clearly when the engine left out the example or its pixels', () => {
  const example: ExampleImportanceExample = { index: 0, proponents: [{ index: 99, row: 99, score: 1 }], opponents: [] };
  assert.throws(() => assembleExampleImportance(importance('gradient', example), examples([1], () => 0), { testIndex: 0, topK: 5, trainFile: 't' }), /training example 99/);
  assert.throws(() => assembleExampleImportance(importance('gradient', example), examples([99], () => 0), { testIndex: 4, topK: 5, trainFile: 't' }), /test example 4/);
});
