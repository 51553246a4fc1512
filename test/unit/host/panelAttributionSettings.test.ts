import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RpcError } from '../../../src/protocol/rpc';
import { defaultPanelSettings, type PanelAttributionSettings } from '../../../src/protocol/webviewProtocol';
import { parseAttributionSettings, parseCheckExamples, restoreAttributionSettings, type AttributionLimits } from '../../../src/host/panel/attributionSettings';

const classifier: AttributionLimits = { view: 'image', exampleShape: [28, 28, 1], hasClassOutput: true, classCount: 10, latentUnits: 4 };
const autoencoder: AttributionLimits = { view: 'image', exampleShape: [28, 28, 1], hasClassOutput: false, latentUnits: 4 };
const good = defaultPanelSettings(true);

function rejects(raw: unknown, limits: AttributionLimits, pattern: RegExp): void {
  assert.throws(() => parseAttributionSettings(raw, limits), (e: unknown) => e instanceof RpcError && e.code === 'invalidParams' && pattern.test(e.message), `expected ${pattern}`);
}

test('valid settings pass unchanged', () => {
  assert.deepEqual(parseAttributionSettings(good, classifier), good);
  const other: PanelAttributionSettings = { ...good, method: 'smoothGrad', smoothBase: 'integratedGradients', smoothMode: 'vargrad', target: 'latentUnit', unit: 3, baseline: 'blur', classIndex: 9 };
  assert.deepEqual(parseAttributionSettings(other, classifier), other);
});

test('each bad field is refused with its name', () => {
  rejects({ ...good, method: 'gradCam' }, classifier, /settings\.method/);
  rejects({ ...good, steps: 0 }, classifier, /settings\.steps/);
  rejects({ ...good, steps: 2.5 }, classifier, /settings\.steps/);
  rejects({ ...good, steps: 1e9 }, classifier, /settings\.steps/);
  rejects({ ...good, rule: 'simpson' }, classifier, /settings\.rule/);
  rejects({ ...good, samples: { ...good.samples, lime: 1 } }, classifier, /settings\.samples\.lime/);
  rejects({ ...good, samples: { ...good.samples, extra: 5 } }, classifier, /settings\.samples\.extra/);
  rejects({ ...good, samples: [1, 2] }, classifier, /settings\.samples/);
  rejects({ ...good, smoothBase: 'lime' }, classifier, /settings\.smoothBase/);
  rejects({ ...good, smoothMode: 'max' }, classifier, /settings\.smoothMode/);
  rejects({ ...good, lrpRule: 'w2' }, classifier, /settings\.lrpRule/);
  rejects({ ...good, absolute: 'yes' }, classifier, /settings\.absolute/);
  rejects({ ...good, baseline: 'file' }, classifier, /settings\.baseline/);
  rejects({ ...good, target: 'everything' }, classifier, /settings\.target/);
});

test('class indices and units are checked against the run when it says how many there are', () => {
  rejects({ ...good, classIndex: 10 }, classifier, /settings\.classIndex.*0 to 9/);
  rejects({ ...good, classIndex: -1 }, classifier, /settings\.classIndex/);
  rejects({ ...good, unit: 4 }, classifier, /settings\.unit.*0 to 3/);
  const unknownCounts: AttributionLimits = { view: 'image', exampleShape: [28, 28, 1], hasClassOutput: true };
  assert.equal(parseAttributionSettings({ ...good, classIndex: 50, unit: 99 }, unknownCounts).unit, 99, 'left to the engine when unknown');
  rejects({ ...good, unit: 2 ** 40 }, unknownCounts, /settings\.unit/);
});

test('class targets are refused for models without a class output, naming what to pick instead', () => {
  rejects({ ...good, target: 'class' }, autoencoder, /settings\.target.*no class output.*labelFree/);
  rejects({ ...good, target: 'probabilityWeighted' }, autoencoder, /settings\.target/);
  assert.equal(parseAttributionSettings({ ...good, target: 'allUnits' }, autoencoder).target, 'allUnits');
});

test('missing and unknown settings are refused; non-objects too', () => {
  const { steps: _steps, ...missing } = good;
  rejects(missing, classifier, /settings\.steps.*missing/);
  rejects({ ...good, window: 3 }, classifier, /settings\.window/);
  for (const bad of [null, 'x', [good], 7]) rejects(bad, classifier, /settings/);
});

test('a saved state is repaired field by field against the run', () => {
  assert.deepEqual(restoreAttributionSettings(undefined, autoencoder), defaultPanelSettings(false));
  const restored = restoreAttributionSettings({ ...good, method: 'lime', target: 'class', steps: -3, samples: { gradientShap: 7, smoothGrad: 'x', kernelShap: 300 }, unit: 2 }, autoencoder);
  assert.equal(restored.method, 'lime', 'valid fields are kept');
  assert.equal(restored.target, 'labelFree', 'a class target does not apply to this run');
  assert.equal(restored.steps, 50);
  assert.equal(restored.unit, 2);
  assert.deepEqual(restored.samples, { gradientShap: 7, smoothGrad: 50, kernelShap: 300, lime: 500 });
  assert.deepEqual(parseAttributionSettings(restored, autoencoder), restored, 'the repaired settings are valid');
});

test('the example count of the checks is 1..64', () => {
  assert.equal(parseCheckExamples(8), 8);
  for (const bad of [0, 65, 1.5, '8', null]) assert.throws(() => parseCheckExamples(bad), /exampleCount/);
});
