import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AttributeResult, ConsistencyResult, LatentUnitsResult } from '../../../src/protocol/engineProtocol';
import { assembleAttribution, assembleConsistency, assembleUnits, toPanelInput, toPanelMap } from '../../../src/host/panel/attributionAssembler';

test('images become H x W planes: the example averaged over channels for display, the map summed', () => {
  // 1 x 2 pixels, 2 channels.
  const input = toPanelInput([1, 2, 2], [0.2, 0.4, 1, 0], undefined, 'x');
  assert.equal(input.view, 'image');
  assert.deepEqual([input.height, input.width], [1, 2]);
  assert.ok(Math.abs(input.values[0]! - 0.3) < 1e-12 && Math.abs(input.values[1]! - 0.5) < 1e-12);
  const map = toPanelMap([1, 2, 2], { values: new Float32Array([1, 2, -3, 0.5]), completeness: { sum: 0.5, expected: 0.4 } }, 'm');
  assert.deepEqual(map.values, [3, -2.5]);
  assert.deepEqual(map.completeness, { sum: 0.5, expected: 0.4 });
});

test('tabular rows and time series are kept as they are, with columns and non-finite values zeroed', () => {
  const row = toPanelInput([3], [5, Number.NaN, -2], ['a', 'b', 'c'], 'x');
  assert.deepEqual(row, { view: 'tabular', height: 1, width: 3, values: [5, 0, -2], columns: ['a', 'b', 'c'] });
  assert.equal(toPanelInput([3], [1, 2, 3], ['a'], 'x').columns, undefined, 'columns that do not match are dropped');
  const series = toPanelInput([4, 2], [0, 1, 2, 3, 4, 5, 6, 7], undefined, 'x');
  assert.deepEqual([series.view, series.height, series.width], ['timeSeries', 4, 2]);
  assert.deepEqual(toPanelMap([4, 2], { unit: 1, values: new Float32Array([1, Number.NaN, 0, 0, 0, 0, 0, 2]) }, 'm'), { unit: 1, values: [1, 0, 0, 0, 0, 0, 0, 2] });
  assert.throws(() => toPanelInput([4, 2], [1, 2, 3], undefined, 'test example 5'), /test example 5: expected 8 values/);
});

function attributeResult(patch: Partial<AttributeResult> = {}): AttributeResult {
  return {
    method: 'integratedGradients',
    settings: { method: 'integratedGradients' },
    target: { kind: 'class', classIndex: 2, className: 'Pullover' },
    labelFree: false,
    shape: [2, 2, 1],
    maps: [{ values: new Float32Array([1, -1, 0, 2]), completeness: { sum: 2, expected: 2 } }],
    cached: false,
    seconds: 0.25,
    ...patch,
  };
}

test('an attribution carries the drawn example, its maps, label and what ran', () => {
  const panel = assembleAttribution(attributeResult({ notes: ['explains the logit'] }), {
    testIndex: 7,
    checkpoint: 'checkpoints/epoch-2',
    example: { index: 7, values: new Float32Array([0, 0.5, 1, 0.25]), label: 2, labelName: 'Pullover' },
    panelBaseline: 'zeros',
  });
  assert.equal(panel.input.view, 'image');
  assert.deepEqual(panel.input.values, [0, 0.5, 1, 0.25]);
  assert.deepEqual(panel.maps[0]!.values, [1, -1, 0, 2]);
  assert.deepEqual([panel.testIndex, panel.checkpoint, panel.label, panel.labelName, panel.baseline], [7, 'checkpoints/epoch-2', 2, 'Pullover', 'zeros']);
  assert.deepEqual(panel.notes, ['explains the logit']);
  assert.throws(
    () => assembleAttribution(attributeResult({ shape: [4] }), { testIndex: 7, checkpoint: 'c', example: { index: 7, values: new Float32Array(3) } }),
    /test example 7: expected 4 values/,
  );
});

test('per-unit results keep the shown example\'s maps and turn NaN statistics into null', () => {
  const result: LatentUnitsResult = {
    method: 'saliency',
    settings: { method: 'saliency' },
    shape: [2, 2, 1],
    units: 2,
    examples: [
      { index: 4, entropy: 0.5, salientCount: 3, maps: [{ unit: 0, values: new Float32Array(4).fill(1) }, { unit: 1, values: new Float32Array(4).fill(2) }] },
      { index: 5, entropy: Number.NaN, salientCount: 0, maps: [{ unit: 0, values: new Float32Array(4) }, { unit: 1, values: new Float32Array(4) }] },
    ],
    averageEntropy: 0.5,
    maxEntropy: Math.log(2),
    correlation: [1, Number.NaN, Number.NaN, 1],
    meanCorrelation: Number.NaN,
    cachedCount: 0,
    seconds: 1,
  };
  const units = assembleUnits(result, { testIndex: 4, checkpoint: 'c', example: { index: 4, values: new Float32Array(4) } });
  assert.deepEqual(units.maps.map((m) => m.values), [[1, 1, 1, 1], [2, 2, 2, 2]]);
  assert.deepEqual(units.correlation, [1, null, null, 1]);
  assert.equal(units.meanCorrelation, null);
  assert.equal(units.entropy, 0.5);
  assert.deepEqual(units.exampleIndices, [4, 5]);
  assert.throws(() => assembleUnits({ ...result, correlation: [1] }, { testIndex: 4, checkpoint: 'c', example: { index: 4, values: new Float32Array(4) } }), /2 x 2/);
});

test('consistency curves must have a point per fraction', () => {
  const result: ConsistencyResult = {
    method: 'saliency',
    settings: { method: 'saliency' },
    target: { kind: 'labelFree' },
    measure: 'shift',
    fractions: [0.1, 0.5],
    maskedCounts: [78, 392],
    top: { mean: [1, 2], std: [0.1, 0.2] },
    random: { mean: [0.5, 1], std: [0.1, 0.1] },
    perExample: [{ index: 0, top: [1, 2], randomMean: [0.5, 1] }],
    seconds: 1,
  };
  const panel = assembleConsistency(result, 0, 'c', 'labelFree');
  assert.deepEqual(panel.top, result.top);
  assert.deepEqual(panel.exampleIndices, [0]);
  assert.throws(() => assembleConsistency({ ...result, random: { mean: [1], std: [1] } }, 0, 'c', 'labelFree'), /random curve has 1 points for 2 fractions/);
});
