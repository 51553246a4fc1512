import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  describeExampleMethod,
  formatExampleComparison,
  formatExampleConsistency,
  formatExampleImportance,
  formatGradientIndex,
  formatSelfInfluence,
  formatSuspicious,
  score,
} from '../../../src/cli/exampleSummary';
import type {
  BuildGradientIndexResult,
  CompareExampleImportanceResult,
  ExampleConsistencyResult,
  ExampleImportanceResult,
  SelfInfluenceResult,
  SuspiciousResult,
} from '../../../src/protocol/engineProtocol';

test('scores keep 4 significant digits and switch to exponents when tiny or huge', () => {
  assert.equal(score(0.012345), '0.01235');
  assert.equal(score(-3.5e-7), '-3.500e-7');
  assert.equal(score(123456), '1.235e+5');
  assert.equal(score(0), '0');
  assert.equal(score(Number.NaN), 'n/a');
  assert.equal(describeExampleMethod({ method: 'tracin', mode: 'sketch', sketchDim: 256 }), 'TracIn-CP (mode sketch, sketchDim 256)');
  assert.equal(describeExampleMethod({ method: 'deepKnn' }), 'Deep-KNN');
});

const gradient: ExampleImportanceResult = {
  method: 'tracin',
  settings: { method: 'tracin', mode: 'sketch', sketchDim: 128 },
  family: 'gradient',
  higherIsHelpful: true,
  labelFree: false,
  checkpoint: 'checkpoints/epoch-6',
  trainCount: 6000,
  trainFile: '/w/data/train-labels.csv',
  examples: [
    {
      index: 3,
      label: 2,
      labelName: 'Pullover',
      proponents: [
        { index: 10, row: 10, score: 0.5, label: 2, labelName: 'Pullover' },
        { index: 11, row: 11, score: 0.25, label: 4, labelName: 'Coat' },
      ],
      opponents: [{ index: 99, row: 99, score: -0.125, label: 6, labelName: 'Shirt' }],
    },
  ],
  index: { sketchDim: 128, built: 0, reused: 6 },
  notes: ['sketched'],
  timings: { query: 0.5 },
  seconds: 0.75,
};

test('gradient methods list proponents and opponents with score, label and row', () => {
  const text = formatExampleImportance(gradient);
  assert.match(text, /TracIn-CP \(mode sketch, sketchDim 128\) at checkpoints\/epoch-6/);
  assert.match(text, /row = data row in \/w\/data\/train-labels.csv/);
  assert.match(text, /0 checkpoints built now, 6 reused/);
  assert.match(text, /note: sketched/);
  assert.match(text, /test example 3 \(label 2 Pullover\)/);
  assert.match(text, /proponents \(highest scores\)/);
  assert.match(text, /rank\s+index\s+row\s+score\s+label/);
  assert.match(text, /1\s+10\s+10\s+0\.5\s+2 Pullover/);
  assert.match(text, /opponents \(lowest scores\)\n.*\n\s+1\s+99\s+99\s+-0\.125\s+6 Shirt/);
  assert.doesNotMatch(text, /least similar/);
  assert.match(text, /0\.75 s \(query 0\.50 s\)/);
  const influence = formatExampleImportance({ ...gradient, method: 'influence', settings: { method: 'influence', inverse: 'arnoldi' }, higherIsHelpful: false });
  assert.match(influence, /proponents \(most negative scores: helpful for influence functions\)/);
});

test('representation methods list most and least similar, never opponents, and SimplEx its reconstruction error', () => {
  const result: ExampleImportanceResult = {
    ...gradient,
    method: 'simplex',
    settings: { method: 'simplex', epochs: 100 },
    family: 'representation',
    labelFree: true,
    index: undefined,
    notes: undefined,
    examples: [
      {
        index: 0,
        proponents: [{ index: 5, row: 5, score: 0.9, distance: 0.1 }],
        opponents: [],
        leastSimilar: [{ index: 7, row: 7, score: 0, distance: 12.5 }],
        simplex: { reconstructionError: 0.0123, relativeError: 0.04, corpusSize: 6000 },
      },
    ],
  };
  const text = formatExampleImportance(result);
  assert.match(text, /SimplEx \(epochs 100\) at checkpoints\/epoch-6 \(label-free\)/);
  assert.match(text, /largest SimplEx weights/);
  assert.match(text, /least similar \(not opponents\)\n.*distance.*\n\s+1\s+7\s+7\s+0\s+12\.5\s+-/);
  assert.doesNotMatch(text, /opponents \(/);
  assert.match(text, /reconstruction error .*: 0\.0123 \(relative 0\.04\), corpus of 6000/);
  const knn = formatExampleImportance({ ...result, method: 'deepKnn', settings: { method: 'deepKnn' }, examples: [{ ...result.examples[0]!, simplex: undefined }] });
  assert.match(knn, /most similar/);
  assert.doesNotMatch(knn, /reconstruction/);
});

test('the index, self-influence, suspicious, similarity-rate and comparison summaries carry their numbers', () => {
  const index: BuildGradientIndexResult = {
    sketchDim: 256,
    trainCount: 6000,
    cacheDir: '/w/.modeldebug/cache',
    checkpoints: [
      { path: 'checkpoints/epoch-1', key: 'abc', seconds: 12.345, computedChunks: 6, totalChunks: 6 },
      { path: 'checkpoints/epoch-2', key: 'def', seconds: 0, computedChunks: 0, totalChunks: 6 },
    ],
    seconds: 12.5,
  };
  const indexText = formatGradientIndex(index);
  assert.match(indexText, /checkpoints\/epoch-1\s+12\.35\s+6\/6\s+abc/);
  assert.match(indexText, /checkpoints\/epoch-2\s+0\.00\s+0\/6 \(reused\)\s+def/);
  assert.match(indexText, /cache: \/w\/\.modeldebug\/cache/);

  const self: SelfInfluenceResult = { method: 'tracin', scores: new Float32Array(3), top: [{ index: 2, row: 2, score: 4.5, label: 1 }], trainFile: 't.csv', seconds: 1 };
  assert.match(formatSelfInfluence(self), /3 training examples.*\n.*highest 1:\n.*\n\s+1\s+2\s+2\s+4\.5\s+1/);

  const suspicious: SuspiciousResult = {
    checkpoint: 'c6',
    signals: ['selfInfluence', 'neighbourDisagreement'],
    trainCount: 6000,
    trainFile: 't.csv',
    examples: [
      {
        index: 40,
        row: 40,
        label: 0,
        labelName: 'T-shirt/top',
        score: 97.5,
        reasons: [
          { signal: 'neighbourDisagreement', value: 0.9, percentile: 99.1, text: "9 of 10 nearest neighbours are labelled 'Trouser'" },
          { signal: 'selfInfluence', value: 3, percentile: 95.9, text: 'self-influence 3' },
        ],
        suggestedLabel: 1,
        suggestedLabelName: 'Trouser',
        suggestionSource: 'neighbours',
      },
    ],
    timings: { neighbours: 1 },
    seconds: 2,
  };
  const suspiciousText = formatSuspicious(suspicious);
  assert.match(suspiciousText, /1 most suspicious of 6000/);
  assert.match(suspiciousText, /rank\s+index\s+row\s+score\s+label\s+suggested label\n/);
  assert.match(suspiciousText, /1\s+40\s+40\s+97\.5\s+0 T-shirt\/top\s+1 Trouser \(from the neighbours\)\n\s+- 9 of 10 nearest neighbours are labelled 'Trouser' \(neighbourDisagreement, percentile 99\.1\)\n\s+- self-influence 3 \(selfInfluence, percentile 95\.9\)/);

  const stats = (v: number) => ({ min: v - 0.2, q1: v - 0.1, median: v, q3: v + 0.1, max: v + 0.2, mean: v });
  const rates: ExampleConsistencyResult = {
    ms: [1, 5],
    methods: [{ method: 'deepKnn', settings: { method: 'deepKnn' }, top: [stats(0.9), stats(0.8)], bottom: [stats(0.3), stats(0.2)], perExample: [{ index: 0, top: [1, 0.8], bottom: [0, 0.2] }] }],
    seconds: 3,
  };
  const ratesText = formatExampleConsistency(rates);
  assert.match(ratesText, /Deep-KNN, 1 test examples/);
  assert.match(ratesText, /M\s+top M\s+least similar M/);
  assert.match(ratesText, /5\s+0\.8 \[0\.7, 0\.9\] \(0\.6\.\.1\) mean 0\.8\s+0\.2 \[0\.1, 0\.3\] \(0\.*\.\.0\.4\) mean 0\.2/);

  const compared: CompareExampleImportanceResult = {
    method: 'tracin',
    a: { manifestPath: '/a.json', checkpoint: 'c6', representationLayer: 'enc_latent' },
    b: { manifestPath: '/b.json', checkpoint: 'c3', representationLayer: 'enc_latent' },
    scoredCheckpoints: 'eachRun',
    mean: 0.4321,
    std: 0.05,
    perExample: [
      { index: 0, pearson: 0.4 },
      { index: 1, pearson: Number.NaN },
    ],
    seconds: 1,
  };
  assert.match(formatExampleComparison(compared), /TracIn-CP scores, c6 vs \/b\.json c3\n\s+Pearson r over all training examples: 0\.4321 ± 0\.05 over 1 test example /);
  assert.match(formatExampleComparison(compared), /\n\s+TracIn summed over all checkpoints of each encoder's run$/);
  const oneRun = { ...compared, b: { ...compared.b, manifestPath: '/a.json' }, scoredCheckpoints: 'chosen' as const };
  assert.match(formatExampleComparison(oneRun), /c6 vs c3\n.*\n\s+TracIn at each encoder's own checkpoint only \(both from one run/);
});
