import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bestIndices, rankScores } from '../../../src/engine/jobs/examples/ranking';
import { boxStats, similarityRate } from '../../../src/engine/jobs/examples/similarityRate';
import { progressWithEta } from '../../../src/engine/jobs/examples/progressEta';
import { resolveExampleSpec } from '../../../src/engine/jobs/examples/exampleSpecs';
import type { Progress } from '../../../src/protocol/rpc';

test('bestIndices equals a full sort, skips NaN and breaks ties by index', () => {
  const values = [3, NaN, 7, 7, -1, 0, 7, 2];
  assert.deepEqual(bestIndices(values.length, 4, (i) => values[i]!, true), [2, 3, 6, 0]);
  assert.deepEqual(bestIndices(values.length, 3, (i) => values[i]!, false), [4, 5, 7]);
  const random = Array.from({ length: 500 }, (_, i) => Math.sin(i * 12.9898) * 43758.5453 % 1);
  const sorted = random.map((v, i) => [v, i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]).slice(0, 25).map(([, i]) => i);
  assert.deepEqual(bestIndices(random.length, 25, (i) => random[i]!, true), sorted);
});

test('rankings follow the sign convention; proponents and opponents never share an example', () => {
  const scores = [0.5, -2, 3, 1, -0.1];
  assert.deepEqual(rankScores(scores, 2, { family: 'gradient', higherIsHelpful: true }), { proponents: [2, 3], opponents: [1, 4], leastSimilar: [] });
  assert.deepEqual(rankScores(scores, 2, { family: 'gradient', higherIsHelpful: false }), { proponents: [1, 4], opponents: [2, 3], leastSimilar: [] });
  const overlap = rankScores([1, 2, 3], 2, { family: 'gradient', higherIsHelpful: true });
  assert.deepEqual(overlap, { proponents: [2, 1], opponents: [0], leastSimilar: [] });
  assert.deepEqual(rankScores([0.9, 0.1, 0.5], 1, { family: 'representation', higherIsHelpful: true, distances: [0.1, 9, 1] }), { proponents: [0], opponents: [], leastSimilar: [1] });
});

test('similarity rate and NumPy-style quartiles', () => {
  const labels = Int32Array.from([1, 1, 0, 1, 2]);
  assert.equal(similarityRate([0, 2, 3, 4], labels, 1, 1), 1);
  assert.equal(similarityRate([0, 2, 3, 4], labels, 1, 4), 0.5);
  assert.equal(similarityRate([2], labels, 1, 5), 0, 'fewer than M ranked examples: the rate of those');
  assert.deepEqual(boxStats([1, 2, 3, 4]), { min: 1, q1: 1.75, median: 2.5, q3: 3.25, max: 4, mean: 2.5 });
  assert.ok(Number.isNaN(boxStats([NaN]).median));
});

test('progress gets an ETA once enough work has been seen, and none at the end', () => {
  let now = 0;
  const seen: Progress[] = [];
  const report = progressWithEta((p) => seen.push(p), () => now, 0);
  report('start', 0);
  now = 500;
  report('a', 0.1);
  now = 2000;
  report('b', 0.4);
  now = 5000;
  report('done', 1);
  assert.equal(seen[0]!.etaSeconds, undefined);
  assert.equal(seen[1]!.etaSeconds, undefined, 'under a second of work is too little to estimate from');
  assert.ok(Math.abs(seen[2]!.etaSeconds! - 3) < 1e-9, '0.4 of the work in 2 s leaves 3 s');
  assert.equal(seen[3]!.etaSeconds, undefined);
});

test('method specs get their defaults and refuse unknown settings', () => {
  assert.deepEqual(resolveExampleSpec({ method: 'tracin' }), { method: 'tracin', mode: 'sketch', sketchDim: 512 });
  assert.deepEqual(resolveExampleSpec({ method: 'influence' }), { method: 'influence', inverse: 'lissa', depth: 100, damping: 0.01, samples: 32 });
  assert.deepEqual(resolveExampleSpec({ method: 'simplex', nearest: 50 }), { method: 'simplex', epochs: 10000, learningRate: 0.001, nearest: 50 });
  assert.throws(() => resolveExampleSpec({ method: 'influence', inverse: 'arnoldi', iterations: 5, rank: 9 }), /method\.rank must be an integer in 1\.\.5/);
  assert.throws(() => resolveExampleSpec({ method: 'deepKnn', epochs: 3 }), /method\.epochs is not a known field/);
});
