import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clusterShares, clusterText, conservationReadout, fitText, neonExplainOptions, neonSettingsText, neonValueText, restartRows } from '../../../webview/neonModel';
import { clampField } from '../../../webview/fieldModel';
import { defaultNeonSettings, type PanelNeonKMeans } from '../../../src/protocol/webviewProtocol';

const kmeans: PanelNeonKMeans = { kind: 'kmeans', k: 3, nInit: 3, restartObjectives: [5, 4, 4, 6], objective: 4, iterations: 7, clusterSizes: [1, 3, 0] };

test('k-means explains cluster membership only; the KDE outlierness and inlierness', () => {
  assert.deepEqual(neonExplainOptions('kmeans').map((o) => o.value), ['clusterMembership']);
  assert.deepEqual(neonExplainOptions('kde').map((o) => o.value), ['outlierness', 'inlierness']);
  assert.equal(neonSettingsText(defaultNeonSettings()), 'k-means (k = 10) · cluster membership · representation layer');
  assert.equal(neonSettingsText({ ...defaultNeonSettings(), model: 'kde', explain: 'inlierness', space: 'input' }), 'KDE (γ auto) · inlierness (H = 2500, 10 draws) · input space');
});

test('the value reads with its symbol, and inlierness with ± std and the exact density', () => {
  assert.equal(neonValueText({ value: 1.5, cluster: 2, settings: { explain: 'clusterMembership' } }), 'f_2(x) = 1.5');
  assert.equal(neonValueText({ value: 0.25, valueStd: 0.01, exactDensity: 0.26, settings: { explain: 'inlierness' } }), 'î(x) = 0.25 ± 0.01 (std over the draws) · exact p̃(x) = 0.26');
});

test('conservation: Σ relevance against the value and the dissipated share; a large share warns; representation space shows the grounded part', () => {
  const small = conservationReadout({ relevanceSum: 0.99, value: 1, dissipated: 0.01 });
  assert.equal(small.text, 'Σ relevance 0.99 vs. value 1 · dissipated 0.01 (1.0% of the value)');
  assert.equal(small.warn, false);
  assert.equal(conservationReadout({ relevanceSum: 0.5, value: 1, dissipated: 0.5 }).warn, true);
  assert.equal(conservationReadout({ relevanceSum: 0, value: 0, dissipated: 0 }).warn, false);
  assert.match(conservationReadout({ relevanceSum: 0.9, value: 1, dissipated: 0.1, representationSum: 0.95, groundedResidual: 0.05 }).grounded!, /Σ 0.95, ungrounded residual 0.05/);
});

test('fit summary: the kept restart is the first lowest objective; cluster shares of the fitted points', () => {
  assert.deepEqual(restartRows(kmeans).map((r) => r.kept), [false, true, false, false]);
  assert.deepEqual(clusterShares(kmeans).map((c) => c.share), [0.25, 0.75, 0]);
  assert.equal(clusterText(1, kmeans, 4), 'cluster 1 of 3 (3 of 4 fitted points)');
  assert.match(fitText({ model: kmeans, fitCount: 4, subsampled: true, dim: 2, modelCached: true, layer: 'enc' }), /best of 3 restarts: objective 4 after 7 Lloyd iterations; fitted on 4 \(a seeded subsample\) training examples on enc, 2 dimensions; fitted model reused/);
});

test('number fields clamp into range, round integers, and keep the previous value for junk or an excluded minimum', () => {
  assert.equal(clampField('300', { min: 2, max: 256, integer: true }, 10), 256);
  assert.equal(clampField('2.6', { min: 2, max: 256, integer: true }, 10), 3);
  assert.equal(clampField('abc', { min: 2, max: 256, integer: true }, 10), 10);
  assert.equal(clampField('', { min: 0, max: 1, integer: false }, 0.5), 0.5);
  assert.equal(clampField('0', { min: 0, max: 100, integer: false, exclusiveMin: true }, 1), 1);
  assert.equal(clampField('0.25', { min: 0, max: 100, integer: false, exclusiveMin: true }, 1), 0.25);
});
