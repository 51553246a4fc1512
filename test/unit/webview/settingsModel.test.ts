import { test } from 'node:test';
import assert from 'node:assert/strict';
import { baselineChoices, defaultPanelSettings, effectiveBaseline, inputViewFor, PANEL_METHODS, type PanelAttributionSettings } from '../../../src/protocol/webviewProtocol';
import { applyChange, checkSignature, clampInteger, methodText, sampledMethod, targetChoices, visibleControls, type Control } from '../../../webview/settingsModel';

const image = { view: 'image' as const, hasClassOutput: true };
const base = defaultPanelSettings(true);
const withMethod = (method: PanelAttributionSettings['method'], extra: Partial<PanelAttributionSettings> = {}): PanelAttributionSettings => ({ ...base, method, ...extra });

function shown(s: PanelAttributionSettings, run = image): Control[] {
  return [...visibleControls(s, run)].sort();
}

test('each method shows exactly the controls that change its result', () => {
  assert.deepEqual(shown(withMethod('saliency')), ['absolute', 'classIndex']);
  assert.deepEqual(shown(withMethod('gradientXInput')), ['classIndex']);
  assert.deepEqual(shown(withMethod('integratedGradients')), ['baseline', 'classIndex', 'rule', 'steps']);
  assert.deepEqual(shown(withMethod('gradientShap')), ['baseline', 'classIndex', 'samples']);
  assert.deepEqual(shown(withMethod('deepLift')), ['baseline', 'classIndex']);
  assert.deepEqual(shown(withMethod('lrp')), ['classIndex', 'lrpRule']);
  for (const m of ['occlusion', 'featureAblation'] as const) assert.deepEqual(shown(withMethod(m)), ['baseline', 'classIndex']);
  for (const m of ['kernelShap', 'lime'] as const) assert.deepEqual(shown(withMethod(m)), ['baseline', 'classIndex', 'samples']);
});

test('SmoothGrad shows its own controls plus those of the method it wraps', () => {
  assert.deepEqual(shown(withMethod('smoothGrad', { smoothBase: 'saliency' })), ['absolute', 'classIndex', 'samples', 'smoothBase', 'smoothMode']);
  assert.deepEqual(shown(withMethod('smoothGrad', { smoothBase: 'integratedGradients' })), ['baseline', 'classIndex', 'rule', 'samples', 'smoothBase', 'smoothMode', 'steps']);
  assert.equal(sampledMethod(withMethod('smoothGrad', { smoothBase: 'gradientShap' })), 'smoothGrad');
});

test('the class picker shows for class targets only and the unit field for one latent unit', () => {
  assert.ok(!visibleControls(withMethod('saliency', { target: 'labelFree' }), image).has('classIndex'));
  assert.ok(visibleControls(withMethod('saliency', { target: 'latentUnit' }), image).has('unit'));
  assert.ok(!visibleControls(withMethod('saliency', { target: 'allUnits' }), image).has('unit'));
});

test('class targets are offered only for models with a class output', () => {
  assert.deepEqual(targetChoices({ hasClassOutput: false }), ['labelFree', 'latentUnit', 'allUnits']);
  assert.deepEqual(targetChoices({ hasClassOutput: true }), ['class', 'probabilityWeighted', 'labelFree', 'latentUnit', 'allUnits']);
  assert.equal(defaultPanelSettings(false).target, 'labelFree');
  assert.equal(defaultPanelSettings(true).target, 'class');
});

test('baselines: none for gradient-only methods, training examples only for GradientSHAP, blur only for images', () => {
  for (const m of ['saliency', 'gradientXInput', 'lrp'] as const) assert.deepEqual(baselineChoices({ method: m, smoothBase: 'saliency' }, 'image'), []);
  assert.deepEqual(baselineChoices({ method: 'integratedGradients', smoothBase: 'saliency' }, 'image'), ['zeros', 'mean', 'blur', 'uniform']);
  assert.deepEqual(baselineChoices({ method: 'integratedGradients', smoothBase: 'saliency' }, 'tabular'), ['zeros', 'mean', 'uniform']);
  assert.deepEqual(baselineChoices({ method: 'gradientShap', smoothBase: 'saliency' }, 'timeSeries'), ['training', 'zeros', 'mean', 'uniform']);
  assert.deepEqual(baselineChoices({ method: 'smoothGrad', smoothBase: 'integratedGradients' }, 'image'), ['zeros', 'mean', 'blur', 'uniform']);
  assert.equal(effectiveBaseline({ method: 'integratedGradients', smoothBase: 'saliency', baseline: 'blur' }, 'tabular'), 'zeros', 'an inapplicable pick falls back to the first choice');
  assert.equal(effectiveBaseline({ method: 'gradientShap', smoothBase: 'saliency', baseline: 'zeros' }, 'image'), 'zeros');
  assert.equal(effectiveBaseline({ method: 'gradientShap', smoothBase: 'saliency', baseline: 'blur' }, 'tabular'), 'training');
  assert.equal(effectiveBaseline({ method: 'saliency', smoothBase: 'saliency', baseline: 'zeros' }, 'image'), undefined);
});

test('the view follows the example rank: 1 tabular, 2 with few channels a time series, 3 an image', () => {
  assert.equal(inputViewFor([12]), 'tabular');
  assert.equal(inputViewFor([]), 'tabular');
  assert.equal(inputViewFor([120, 3]), 'timeSeries');
  assert.equal(inputViewFor([120, 8]), 'timeSeries');
  assert.equal(inputViewFor([120, 9]), 'image', 'too many channels to draw as lines');
  assert.equal(inputViewFor([28, 28]), 'image');
  assert.equal(inputViewFor([4, 4]), 'image', 'no longer in time than wide');
  assert.equal(inputViewFor([28, 28, 1]), 'image');
  assert.equal(inputViewFor([32, 32, 3]), 'image');
});

test('typed numbers are rounded and clamped; text that is not a number keeps the old value', () => {
  assert.equal(clampInteger('12.6', 1, 100, 5), 13);
  assert.equal(clampInteger('0', 1, 100, 5), 1);
  assert.equal(clampInteger('1e9', 1, 100, 5), 100);
  assert.equal(clampInteger('abc', 1, 100, 5), 5);
  assert.equal(clampInteger('  ', 1, 100, 5), 5);
});

test('the caption names the method, its settings and the baseline in use', () => {
  assert.equal(methodText(withMethod('integratedGradients'), 'image'), 'Integrated gradients (50 steps, Gauss–Legendre), baseline: zeros (black)');
  assert.equal(methodText(withMethod('saliency', { absolute: true }), 'image'), 'Saliency (absolute)');
  assert.equal(methodText(withMethod('lrp', { lrpRule: 'gamma' }), 'image'), 'LRP (γ rule)');
  assert.equal(methodText(withMethod('kernelShap', { baseline: 'mean' }), 'tabular'), 'KernelSHAP (1000 samples), baseline: training mean');
  assert.equal(methodText(withMethod('smoothGrad', { smoothBase: 'saliency', smoothMode: 'vargrad' }), 'image'), 'SmoothGrad (Saliency, VarGrad, 50 samples)');
  for (const m of PANEL_METHODS) assert.ok(methodText(withMethod(m), 'image').length > 0);
});

test('a check result goes stale only when something it depends on changes', () => {
  const context = { testIndex: 3, checkpoint: 'c', exampleCount: 8, view: 'image' as const };
  const s = withMethod('integratedGradients', { target: 'labelFree' });
  const same = (kind: 'units' | 'consistency' | 'sanity', a: PanelAttributionSettings, b: PanelAttributionSettings, ca = context, cb = context): boolean => checkSignature(kind, a, ca) === checkSignature(kind, b, cb);
  assert.ok(same('units', s, { ...s, target: 'allUnits' }), 'per-unit maps ignore the target');
  assert.ok(!same('consistency', s, { ...s, target: 'latentUnit' }));
  assert.ok(same('consistency', s, { ...s, target: 'allUnits' }), 'all units is checked as label-free');
  assert.ok(!same('sanity', { ...s, target: 'class', classIndex: 1 }, { ...s, target: 'class', classIndex: 2 }));
  assert.ok(same('sanity', s, s, context, { ...context, exampleCount: 16 }), 'the sanity check uses one example');
  assert.ok(!same('units', s, s, context, { ...context, exampleCount: 16 }));
  assert.ok(!same('units', s, { ...s, steps: 20 }));
  assert.ok(same('units', withMethod('saliency'), withMethod('saliency', { steps: 20, baseline: 'mean' })), 'settings that do not apply do not matter');
  for (const kind of ['units', 'consistency', 'sanity'] as const) {
    assert.ok(!same(kind, s, s, context, { ...context, testIndex: 4 }));
    assert.ok(!same(kind, s, s, context, { ...context, checkpoint: 'd' }));
  }
});

test('moving to GradientSHAP selects training examples as baselines; moving away drops them', () => {
  const ig = withMethod('integratedGradients', { baseline: 'mean' });
  const shap = applyChange(ig, { method: 'gradientShap' });
  assert.equal(shap.baseline, 'training');
  assert.equal(applyChange(shap, { baseline: 'zeros' }).baseline, 'zeros', 'an explicit pick is kept');
  assert.equal(applyChange(shap, { method: 'deepLift' }).baseline, 'zeros');
  assert.equal(applyChange(applyChange(shap, { baseline: 'mean' }), { samples: { ...shap.samples, gradientShap: 20 } }).baseline, 'mean', 'other changes leave it alone');
  assert.equal(applyChange(withMethod('smoothGrad'), { smoothBase: 'gradientShap' }).baseline, 'training');
  assert.equal(applyChange(ig, { steps: 10 }).baseline, 'mean');
});
