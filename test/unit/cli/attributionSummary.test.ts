import { test } from 'node:test';
import assert from 'node:assert/strict';
import { completenessGap, describeSettings, formatAttributeSummary, formatChecksSummary, num, topFeatures } from '../../../src/cli/attributionSummary';
import type { AttributeResult, ConsistencyResult, LatentUnitsResult, SanityCheckResult } from '../../../src/protocol/engineProtocol';

test('numbers, gaps, settings and top features read well', () => {
  assert.equal(num(0.000123456), '0.0001235');
  assert.equal(num(12345.678), '12350');
  assert.equal(num(Number.NaN), 'n/a');
  assert.equal(completenessGap({ values: new Float32Array(1), completeness: { sum: 0.99, expected: 1 } })!.toFixed(6), '1.000000');
  assert.equal(completenessGap({ values: new Float32Array(1) }), undefined);
  assert.equal(describeSettings({ method: 'featureAblation', features: { kind: 'mask', values: new Int32Array(4) } }), 'featureAblation (features {"kind":"mask","values":"<4 values>"})');
  // A 2x3 single-channel image: the largest |a_i| first, as (row,col).
  assert.equal(topFeatures(Float32Array.from([0, 0.1, -3, 0, 2, 0]), [2, 3, 1]), '(0,2)=-3 (1,1)=2 (0,1)=0.1');
  assert.equal(topFeatures(Float32Array.from([1, -5]), [2], ['age', 'income'], 1), 'income=-5');
});

test('the attribute summary lists each map with its completeness and the notes', () => {
  const result: AttributeResult = {
    method: 'integratedGradients',
    settings: { method: 'integratedGradients', steps: 16 },
    target: { kind: 'allUnits', units: 2 },
    labelFree: true,
    shape: [2, 2, 1],
    maps: [
      { unit: 0, values: Float32Array.from([1, 2, 3, 4]), completeness: { sum: 10, expected: 10.5 } },
      { unit: 1, values: Float32Array.from([0, 0, 0, -1]) },
    ],
    notes: ['a caveat'],
    cached: true,
    seconds: 0.01,
  };
  const text = formatAttributeSummary(result, 5);
  assert.match(text, /integratedGradients \(steps 16\) on test example 5/);
  assert.match(text, /all 2 latent units \(no labels used\)/);
  assert.match(text, /from the cache/);
  assert.match(text, /unit 0 +10 +10\.5 +4\.8% +1 +4 +\(1,1\)=4/);
  assert.match(text, /unit 1 +-1 +- +- +-1 +0 +\(1,1\)=-1/);
  assert.match(text, /note: a caveat/);
});

test('the checks summary shows entropy against S_max, r_ij, the consistency table, Spearman per layer and failed checks', () => {
  const units: LatentUnitsResult = {
    method: 'saliency',
    settings: { method: 'saliency' },
    shape: [4],
    units: 2,
    examples: [{ index: 0, entropy: 0.3, salientCount: 4 }],
    averageEntropy: 0.3,
    maxEntropy: Math.log(2),
    correlation: [1, 0.25, 0.25, 1],
    meanCorrelation: 0.25,
    cachedCount: 0,
    seconds: 1,
  };
  const consistency: ConsistencyResult = {
    method: 'saliency',
    settings: { method: 'saliency' },
    target: { kind: 'labelFree' },
    measure: 'shift',
    fractions: [0.05, 0.5],
    maskedCounts: [1, 2],
    top: { mean: [2, 3], std: [0.5, 0.25] },
    random: { mean: [1, 1.5], std: [0.1, 0.2] },
    perExample: [{ index: 0, top: [2, 3], randomMean: [1, 1.5] }],
    seconds: 1,
  };
  const sanity: SanityCheckResult = {
    method: 'saliency',
    settings: { method: 'saliency' },
    target: { kind: 'labelFree' },
    steps: [
      { layer: null, randomizedLayers: [], spearman: 1, spearmanAbsolute: 1 },
      { layer: 'enc_latent', randomizedLayers: ['enc_latent'], spearman: 0.125, spearmanAbsolute: 0.5 },
    ],
    seconds: 1,
  };
  const text = formatChecksSummary({ units, consistency, sanity, errors: { 'representation comparison': 'no such manifest' } }, 0);
  assert.match(text, /saliency entropy: 0\.3 \(S_max = ln 2 = 0\.6931; 43\.3% of the maximum\)/);
  assert.match(text, /mean Pearson r_ij over i != j: 0\.25/);
  assert.match(text, /u0 +1 +0\.25/);
  assert.match(text, /5% +1 +2 ± 0\.5 +1 ± 0\.1/);
  assert.match(text, /50% +2 +3 ± 0\.25 +1\.5 ± 0\.2/);
  assert.match(text, /enc_latent +0\.125 +0\.5/);
  assert.match(text, /representation comparison: failed: no such manifest/);
});
