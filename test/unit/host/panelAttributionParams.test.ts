/**
 * The panel settings -> engine request mapping. Besides the expected shapes,
 * every mapped request is handed to the engine's own validator, so the panel
 * cannot send something the engine refuses.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { baselineChoices, defaultPanelSettings, PANEL_METHODS, SMOOTHABLE_METHODS, type PanelAttributionSettings, type PanelInputView } from '../../../src/protocol/webviewProtocol';
import { blurSigma, checkTarget, consecutiveIndices, toEngineSpec, toMethodSpec, toTargetSpec } from '../../../src/host/panel/attributionParams';
import { parseBaseline, parseTarget, resolveMethodSpec } from '../../../src/engine/jobs/methodSpecs';

const base = defaultPanelSettings(true);
const s = (patch: Partial<PanelAttributionSettings>): PanelAttributionSettings => ({ ...base, ...patch });

test('each method carries only the settings it uses', () => {
  assert.deepEqual(toMethodSpec(s({ method: 'saliency' })), { method: 'saliency' });
  assert.deepEqual(toMethodSpec(s({ method: 'saliency', absolute: true })), { method: 'saliency', absolute: true });
  assert.deepEqual(toMethodSpec(s({ method: 'gradientXInput', steps: 7 })), { method: 'gradientXInput' });
  assert.deepEqual(toMethodSpec(s({ method: 'integratedGradients', steps: 32, rule: 'riemann_trapezoid' })), { method: 'integratedGradients', steps: 32, rule: 'riemann_trapezoid' });
  assert.deepEqual(toMethodSpec(s({ method: 'gradientShap' })), { method: 'gradientShap', samples: 50 });
  assert.deepEqual(toMethodSpec(s({ method: 'deepLift' })), { method: 'deepLift' });
  assert.deepEqual(toMethodSpec(s({ method: 'lrp', lrpRule: 'zplus' })), { method: 'lrp', rule: 'zplus' });
  assert.deepEqual(toMethodSpec(s({ method: 'occlusion' })), { method: 'occlusion' });
  assert.deepEqual(toMethodSpec(s({ method: 'featureAblation' })), { method: 'featureAblation' });
  assert.deepEqual(toMethodSpec(s({ method: 'kernelShap' })), { method: 'kernelShap', samples: 1000 });
  assert.deepEqual(toMethodSpec(s({ method: 'lime', samples: { ...base.samples, lime: 64 } })), { method: 'lime', samples: 64 });
});

test('SmoothGrad wraps the chosen gradient method with its settings', () => {
  assert.deepEqual(toMethodSpec(s({ method: 'smoothGrad', smoothBase: 'integratedGradients', smoothMode: 'smoothgrad_sq', steps: 16 })), {
    method: 'smoothGrad',
    base: { method: 'integratedGradients', steps: 16, rule: 'gauss_legendre' },
    mode: 'smoothgrad_sq',
    samples: 50,
  });
});

test('targets: argmax or a chosen class, one unit, or the kinds without parameters', () => {
  assert.deepEqual(toTargetSpec(s({ target: 'class', classIndex: null })), { kind: 'class' });
  assert.deepEqual(toTargetSpec(s({ target: 'class', classIndex: 3 })), { kind: 'class', classIndex: 3 });
  assert.deepEqual(toTargetSpec(s({ target: 'latentUnit', unit: 2 })), { kind: 'latentUnit', unit: 2 });
  for (const kind of ['probabilityWeighted', 'labelFree', 'allUnits'] as const) assert.deepEqual(toTargetSpec(s({ target: kind, classIndex: 4, unit: 1 })), { kind });
  assert.deepEqual(checkTarget(s({ target: 'allUnits' })), { target: { kind: 'labelFree' }, kind: 'labelFree' });
  assert.deepEqual(checkTarget(s({ target: 'latentUnit', unit: 1 })).target, { kind: 'latentUnit', unit: 1 });
});

test('baselines: only for methods that take one; GradientSHAP\'s training examples are the engine default', () => {
  assert.equal(toEngineSpec(s({ method: 'saliency', baseline: 'mean' }), 'image', [28, 28, 1]).baseline, undefined);
  assert.deepEqual(toEngineSpec(s({ method: 'integratedGradients', baseline: 'mean' }), 'image', [28, 28, 1]).baseline, { kind: 'mean' });
  assert.deepEqual(toEngineSpec(s({ method: 'deepLift', baseline: 'blur' }), 'image', [28, 28, 1]).baseline, { kind: 'blur', sigma: 4 });
  assert.deepEqual(toEngineSpec(s({ method: 'lime', baseline: 'uniform' }), 'tabular', [12]).baseline, { kind: 'uniform', low: 0, high: 1, seed: 0 });
  const shap = toEngineSpec(s({ method: 'gradientShap', baseline: 'training' }), 'image', [28, 28, 1]);
  assert.equal(shap.baseline, undefined);
  assert.equal(shap.panelBaseline, 'training');
  const blurOnTable = toEngineSpec(s({ method: 'integratedGradients', baseline: 'blur' }), 'tabular', [12]);
  assert.deepEqual(blurOnTable.baseline, { kind: 'zeros' }, 'blur needs an image; the first choice is used instead');
  assert.equal(blurSigma([28, 28, 1]), 4);
  assert.equal(blurSigma([4, 4, 1]), 1);
});

test('every method, baseline and view maps to a request the engine accepts', () => {
  const cases: [PanelInputView, number[]][] = [
    ['image', [28, 28, 1]],
    ['tabular', [12]],
    ['timeSeries', [64, 2]],
  ];
  let checked = 0;
  for (const [view, shape] of cases) {
    for (const method of PANEL_METHODS) {
      for (const smoothBase of method === 'smoothGrad' ? SMOOTHABLE_METHODS : (['saliency'] as const)) {
        const choices = baselineChoices({ method, smoothBase }, view);
        for (const baseline of choices.length > 0 ? choices : (['zeros'] as const)) {
          for (const target of ['class', 'latentUnit', 'allUnits'] as const) {
            const spec = toEngineSpec(s({ method, smoothBase, baseline, target, unit: 1 }), view, shape);
            const parsedBaseline = parseBaseline(spec.baseline);
            assert.doesNotThrow(() => resolveMethodSpec(spec.method, parsedBaseline, shape), `${view} ${method}/${smoothBase} ${baseline}`);
            assert.doesNotThrow(() => parseTarget(spec.target));
            checked++;
          }
        }
      }
    }
  }
  assert.ok(checked > 100, `checked ${checked} combinations`);
});

test('the checks take consecutive test examples, wrapping at the end of the test set', () => {
  assert.deepEqual(consecutiveIndices(3, 4, 100), [3, 4, 5, 6]);
  assert.deepEqual(consecutiveIndices(98, 4, 100), [98, 99, 0, 1]);
  assert.deepEqual(consecutiveIndices(1, 10, 3), [1, 2, 0], 'never more than the test set');
});
