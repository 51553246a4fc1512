import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { NeonResult, SemanticShapleyReply } from '../../../src/protocol/engineProtocol';
import { featureName, formatNeon, formatSemantic, topFeatures } from '../../../src/cli/unsupervisedSummary';

test('feature names and the top features by |relevance|', () => {
  assert.equal(featureName(30, [28, 28, 1]), 'pixel (1, 2)');
  assert.equal(featureName(7, [2, 2, 3]), 'pixel (1, 0, 1)');
  assert.equal(featureName(1, [3], ['age', 'income', 'score']), 'income');
  assert.equal(featureName(4, [10]), 'feature 4');
  assert.deepEqual(topFeatures([0.1, -3, 2, 0], 2), [1, 2]);
});

const neonBase: Omit<NeonResult, 'model' | 'examples' | 'explain'> = {
  space: 'input',
  shape: [2, 2, 1],
  dim: 4,
  fitCount: 100,
  subsampled: true,
  cached: false,
  settings: { seed: 0 },
  timings: { fit: 0.5, explain: 0.25 },
  seconds: 0.8,
};

test('neon summary: value, cluster, conservation, the model and the top features', () => {
  const text = formatNeon(
    {
      ...neonBase,
      explain: 'clusterMembership',
      model: { kind: 'kmeans', k: 2, nInit: 2, seed: 0, restartObjectives: [12, 10], objective: 10, iterations: 4, clusterSizes: [60, 40], centroids: new Float32Array(8) },
      examples: [{ index: 3, label: 1, labelName: 'one', relevance: Float32Array.from([0.5, 1.5, 0, 0]), value: 2, cluster: 1, conservation: { relevanceSum: 2, value: 2, dissipated: 0 } }],
    },
    2,
  );
  assert.match(text, /NEON clusterMembership in input space, dimension 4/);
  assert.match(text, /fitted on 100 training examples \(a seeded subsample\)/);
  assert.match(text, /objective per restart: 12\.0000, 10\.0000/);
  assert.match(text, /cluster sizes: 60, 40/);
  assert.match(text, /test 3, label 1 one: f_c\(x\) = 2\.0000, cluster 1/);
  assert.match(text, /conservation: Σ R_i = 2\.0000 of 2\.0000, dissipated 0\.0000/);
  assert.match(text, /pixel \(0, 1\) +\+1\.5000\n +pixel \(0, 0\) +\+0\.5000/);
  const inlier = formatNeon({
    ...neonBase,
    space: 'representation',
    layer: 'enc_latent',
    checkpoint: 'c/e6',
    explain: 'inlierness',
    model: { kind: 'kde', gamma: 0.25, gammaSource: 'median' },
    settings: { seed: 0, features: 2500, draws: 10 },
    examples: [
      {
        index: 0,
        relevance: Float32Array.from([0.1, 0, 0, 0]),
        relevanceStd: Float32Array.from([0.01, 0, 0, 0]),
        value: 0.2,
        valueStd: 0.02,
        exactDensity: 0.21,
        conservation: { relevanceSum: 0.1, value: 0.2, dissipated: 0.1, representationSum: 0.15, groundedResidual: 0.05 },
      },
    ],
  });
  assert.match(inlier, /representation space \(enc_latent at c\/e6/);
  assert.match(inlier, /KDE: γ = 0\.2500 \(median heuristic/);
  assert.match(inlier, /î\(x\) = 0\.2000 ± 0\.0200 \(exact p̃\(x\) = 0\.2100\)/);
  assert.match(inlier, /grounded on the layer 0\.1500, ungrounded residual 0\.0500/);
  assert.match(inlier, /\+0\.1000 ± 0\.0100/);
});

test('semantic summary: values ± standard errors per feature, the efficiency check, and the global table', () => {
  const result: SemanticShapleyReply = {
    checkpoint: 'c/e6',
    representation: { kind: 'fourier', bins: 2, edges: [0, 0.35, 0.71], modesPerBin: [5, 11] },
    featureNames: ['0.00–0.35 cycles/px', '0.35–0.71 cycles/px'],
    method: 'exact',
    backgroundIndices: [1, 2],
    examples: [{ index: 0, classIndex: 9, className: 'Ankle boot', values: [0.5, 0.25], standardErrors: [0.1, 0.05], fullValue: 0.9, emptyValue: 0.15, efficiencyGap: 0 }],
    global: { mean: [0.5, 0.25], meanStandardErrors: [NaN, NaN], meanAbsolute: [0.5, 0.25], meanAbsoluteStandardErrors: [NaN, NaN], fullValue: 0.9, emptyValue: 0.15, efficiencyGap: 0, examples: 1 },
    evaluations: 8,
    timings: { shapley: 0.1 },
    seconds: 0.2,
  };
  const text = formatSemantic(result);
  assert.match(text, /Fourier radius bins \(2; modes per bin 5, 11\) at c\/e6/);
  assert.match(text, /test 0: p\(class 9 Ankle boot\)/);
  assert.match(text, /0\.00–0\.35 cycles\/px +\+0\.5000 ± 0\.1000/);
  assert.match(text, /efficiency: Σ φ = 0\.7500, v\(N\) − v\(∅\) = 0\.9000 − 0\.1500 = 0\.7500, gap 0\.0000/);
  assert.match(text, /global over 1 examples:/);
  assert.match(text, /\+0\.5000 ± n\/a/);
});
