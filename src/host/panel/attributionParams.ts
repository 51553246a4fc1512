/**
 * The panel's flat settings as the engine's attribution request: the method
 * with only the settings it uses (so settings that do not apply never split
 * the cache), the target, and the baseline when the method takes one.
 */
import type { AttributeBaselineSpec, AttributeMethodSpec, AttributeTargetSpec } from '../../protocol/engineProtocol';
import { effectiveBaseline, type PanelAttributionSettings, type PanelBaseline, type PanelInputView, type PanelTarget, type SmoothableMethod } from '../../protocol/webviewProtocol';

export interface EngineAttributionSpec {
  method: AttributeMethodSpec;
  target: AttributeTargetSpec;
  /** Absent when the method takes no baseline, or takes GradientSHAP's training-set default. */
  baseline?: AttributeBaselineSpec;
  /** The baseline in the panel's terms, when the method takes one. */
  panelBaseline?: PanelBaseline;
}

type MethodSettings = Omit<PanelAttributionSettings, 'target' | 'classIndex' | 'unit' | 'baseline'>;

function gradientSpec(method: SmoothableMethod, s: MethodSettings): AttributeMethodSpec {
  switch (method) {
    case 'saliency':
      return s.absolute ? { method, absolute: true } : { method };
    case 'gradientXInput':
      return { method };
    case 'integratedGradients':
      return { method, steps: s.steps, rule: s.rule };
    case 'gradientShap':
      return { method, samples: s.samples.gradientShap };
  }
}

export function toMethodSpec(s: MethodSettings): AttributeMethodSpec {
  switch (s.method) {
    case 'saliency':
    case 'gradientXInput':
    case 'integratedGradients':
    case 'gradientShap':
      return gradientSpec(s.method, s);
    case 'smoothGrad':
      return { method: 'smoothGrad', base: gradientSpec(s.smoothBase, s), mode: s.smoothMode, samples: s.samples.smoothGrad };
    case 'lrp':
      return { method: 'lrp', rule: s.lrpRule };
    case 'kernelShap':
    case 'lime':
      return { method: s.method, samples: s.samples[s.method] };
    case 'deepLift':
    case 'occlusion':
    case 'featureAblation':
      return { method: s.method };
  }
}

export function toTargetSpec(s: Pick<PanelAttributionSettings, 'target' | 'classIndex' | 'unit'>): AttributeTargetSpec {
  switch (s.target) {
    case 'class':
      return s.classIndex === null ? { kind: 'class' } : { kind: 'class', classIndex: s.classIndex };
    case 'latentUnit':
      return { kind: 'latentUnit', unit: s.unit };
    case 'probabilityWeighted':
    case 'labelFree':
    case 'allUnits':
      return { kind: s.target };
  }
}

/** Blur that removes the shapes of a picture without moving its mean: an eighth of its smaller side. */
export function blurSigma(exampleShape: readonly number[]): number {
  return Math.max(1, Math.round(Math.min(exampleShape[0] ?? 8, exampleShape[1] ?? 8) / 8));
}

export function toBaselineSpec(baseline: PanelBaseline, exampleShape: readonly number[]): AttributeBaselineSpec | undefined {
  switch (baseline) {
    case 'zeros':
      return { kind: 'zeros' };
    case 'mean':
      return { kind: 'mean' };
    case 'blur':
      return { kind: 'blur', sigma: blurSigma(exampleShape) };
    case 'uniform':
      // A fixed seed: the same settings must give the same map (and the same cache entry).
      return { kind: 'uniform', low: 0, high: 1, seed: 0 };
    case 'training':
      return undefined;
  }
}

export function toEngineSpec(settings: PanelAttributionSettings, view: PanelInputView, exampleShape: readonly number[]): EngineAttributionSpec {
  const spec: EngineAttributionSpec = { method: toMethodSpec(settings), target: toTargetSpec(settings) };
  const panelBaseline = effectiveBaseline(settings, view);
  if (panelBaseline !== undefined) {
    spec.panelBaseline = panelBaseline;
    const baseline = toBaselineSpec(panelBaseline, exampleShape);
    if (baseline) spec.baseline = baseline;
  }
  return spec;
}

/** The checks explain one map per example: "all units" is checked as the label-free target. */
export function checkTarget(settings: PanelAttributionSettings): { target: AttributeTargetSpec; kind: PanelTarget } {
  if (settings.target === 'allUnits') return { target: { kind: 'labelFree' }, kind: 'labelFree' };
  return { target: toTargetSpec(settings), kind: settings.target };
}

/** `count` test indices from `start` on, wrapping around the test set. */
export function consecutiveIndices(start: number, count: number, testCount: number): number[] {
  const n = Math.min(count, testCount);
  return Array.from({ length: n }, (_, k) => (start + k) % testCount);
}
