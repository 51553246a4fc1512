import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EXAMPLE_METHOD_NAMES } from '../../../src/protocol/engineProtocol';
import { defaultExampleSettings, etaText, progressLine } from '../../../src/protocol/webviewProtocol';
import { toExampleMethodSpec } from '../../../src/host/panel/exampleSettings';
import { clampSetting, exampleControls, exampleMethodText, listHeadings, percentText, rowText, signConvention, simplexText, specOf, weightShares } from '../../../webview/exampleModel';
import { comparisonText } from '../../../webview/comparisonText';
import { suspicionRow } from '../../../webview/suspicionText';

test('the page describes the same spec the host sends, for every method and inverse', () => {
  for (const method of EXAMPLE_METHOD_NAMES) {
    for (const inverse of ['lissa', 'arnoldi'] as const) {
      const s = { ...defaultExampleSettings(), method, inverse };
      assert.deepEqual(specOf(s), toExampleMethodSpec(s));
    }
  }
});

test('only the pickers of the chosen method are shown', () => {
  const s = defaultExampleSettings();
  assert.deepEqual([...exampleControls(s)], ['tracinMode']);
  assert.deepEqual([...exampleControls({ ...s, method: 'influence' })], ['inverse', 'depth', 'scale', 'damping', 'samples']);
  assert.deepEqual([...exampleControls({ ...s, method: 'influence', inverse: 'arnoldi' })], ['inverse']);
  assert.deepEqual([...exampleControls({ ...s, method: 'simplex' })], ['epochs', 'learningRate', 'nearest']);
  assert.deepEqual([...exampleControls({ ...s, method: 'deepKnn' })], []);
});

test('typed values are clamped to the limits; integers are rounded, reals kept', () => {
  assert.equal(clampSetting('depth', '12.6', 100), 13);
  assert.equal(clampSetting('depth', '0', 100), 1);
  assert.equal(clampSetting('damping', '0.015', 0.01), 0.015);
  assert.equal(clampSetting('damping', '3', 0.01), 0.999);
  assert.equal(clampSetting('learningRate', 'abc', 0.001), 0.001);
  assert.equal(clampSetting('topK', '', 5), 5);
  assert.equal(clampSetting('topK', '500', 5), 50);
});

test('captions name the method and what ran', () => {
  assert.equal(exampleMethodText({ method: 'tracin', mode: 'sketch', sketchDim: 512 }), 'TracIn (sketch index, 512 dims)');
  assert.equal(exampleMethodText({ method: 'tracin', mode: 'lastLayers', lastLayers: 2 }), 'TracIn (last 2 layers)');
  assert.equal(exampleMethodText({ method: 'influence', inverse: 'lissa', depth: 100, scale: 10, damping: 0.01, samples: 1 }), 'Influence functions (LiSSA, depth 100, scale 10, damping 0.01, 1 sample)');
  assert.equal(exampleMethodText({ method: 'influence', inverse: 'lissa', depth: 100, damping: 0.01, samples: 32 }), 'Influence functions (LiSSA, depth 100, automatic scale, damping 0.01, 32 samples)');
  assert.equal(exampleMethodText({ method: 'influence', inverse: 'arnoldi' }), 'Influence functions (Arnoldi)');
  assert.equal(exampleMethodText({ method: 'deepKnn' }), 'Deep-KNN');
  assert.equal(exampleMethodText({ method: 'simplex', epochs: 500, learningRate: 0.001, nearest: 50 }), 'SimplEx (500 epochs, lr 0.001, 50 nearest)');
});

test('representation methods list most and least similar examples, never opponents', () => {
  const [a, b] = listHeadings({ family: 'representation', method: 'deepKnn' });
  assert.equal(a.kind, 'similar');
  assert.equal(b.kind, 'dissimilar');
  assert.equal(b.title, 'Least similar (not opponents)');
  const [p, o] = listHeadings({ family: 'gradient', method: 'tracin' });
  assert.deepEqual([p.kind, o.kind], ['proponent', 'opponent']);
});

test('the sign convention is noted only when helpful examples score low (influence functions)', () => {
  assert.equal(signConvention({ family: 'gradient', higherIsHelpful: true }), undefined);
  assert.match(signConvention({ family: 'gradient', higherIsHelpful: false })!, /helpful training examples score negative/);
  assert.equal(signConvention({ family: 'representation', higherIsHelpful: false }), undefined);
});

test('rows, weights and the SimplEx error in words', () => {
  assert.equal(rowText({ row: 12, line: 14 }, 'data/train-labels.csv'), 'row 12 (line 14) of data/train-labels.csv');
  assert.equal(rowText({ row: 3 }, 'data/train.npy'), 'row 3 of data/train.npy');
  assert.deepEqual(weightShares([0.5, Number.NaN, -0.1, 2]), [0.5, 0, 0, 1]);
  assert.equal(percentText(0.5), '50%');
  assert.equal(percentText(0.034), '3.4%');
  assert.match(simplexText({ reconstructionError: 0.2, relativeError: 0.05, corpusSize: 50 }), /= 0\.2 \(5% of ‖f\(x\)‖\), over a corpus of 50/);
});

test('progress lines carry the engine ETA', () => {
  assert.equal(etaText(undefined), '');
  assert.equal(etaText(0.2), 'about 1 s left');
  assert.equal(etaText(42), 'about 42 s left');
  assert.equal(etaText(185), 'about 3 min left');
  assert.equal(etaText(3900), 'about 1 h 5 min left');
  assert.equal(etaText(Number.NaN), '');
  assert.equal(progressLine({ message: 'checkpoint 2 of 6', etaSeconds: 120 }), 'checkpoint 2 of 6 · about 2 min left');
  assert.equal(progressLine({ message: 'starting' }), 'starting');
});

test('a suspicious example in words: its row and line, label, reasons with numbers, suggestion', () => {
  const text = suspicionRow(
    {
      index: 4,
      row: 4,
      line: 6,
      label: 1,
      score: 97.5,
      reasons: [{ signal: 'neighbourDisagreement', value: 0.9, percentile: 99.2, text: "9 of 10 nearest neighbours are labelled 'Shirt'" }],
      suggestedLabel: 6,
      suggestionSource: 'neighbours',
    },
    ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt'],
    'data/train-labels.csv',
  );
  assert.equal(text.row, '4 (line 6)');
  assert.equal(text.label, 'Trouser');
  assert.deepEqual(text.reasons, ["9 of 10 nearest neighbours are labelled 'Shirt' (neighbour disagreement: 0.9, 99th percentile)"]);
  assert.equal(text.suggestion, 'Shirt (neighbours)');
  assert.match(text.spoken, /row 4 \(line 6\) of data\/train-labels\.csv, labelled Trouser, suspicion score 97\.5/);
});

test('the encoder comparison readout: mean ± std and how many were undefined', () => {
  const base = { testIndex: 0, method: 'tracin' as const, a: 'a', b: 'b', scoredCheckpoints: 'chosen' as const, seconds: 1, cached: false };
  const { readout } = comparisonText({ ...base, mean: 0.7, std: 0.1, perExample: [{ index: 0, pearson: 0.6 }, { index: 1, pearson: 0.8 }, { index: 2, pearson: null }] });
  assert.match(readout, /0\.7 ± 0\.1 \(mean ± std over 2 test examples; 1 undefined\)/);
  assert.match(comparisonText({ ...base, mean: null, std: null, perExample: [] }).readout, /undefined/);
});

test('the encoder comparison says which checkpoints the scores come from', () => {
  const base = { testIndex: 0, a: 'a', b: 'b', mean: 0.5, std: 0.1, perExample: [], seconds: 1, cached: false };
  assert.match(comparisonText({ ...base, method: 'tracin', scoredCheckpoints: 'chosen' }).scope, /TracIn at each encoder\u2019s own checkpoint only/);
  assert.match(comparisonText({ ...base, method: 'tracin', scoredCheckpoints: 'eachRun' }).scope, /summed over all checkpoints of each encoder\u2019s run/);
  assert.equal(comparisonText({ ...base, method: 'deepKnn', scoredCheckpoints: 'chosen' }).scope, 'Scores at each encoder\u2019s own checkpoint.');
});
