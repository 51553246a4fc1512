/**
 * What the attribution pickers offer and show: labels, which controls apply
 * to the chosen method and target, and a one-line description of what ran.
 * Pure: no DOM.
 */
import type { AttributeMethodName, ResolvedAttributeTarget } from '../src/protocol/engineProtocol';
import {
  baselineChoices,
  effectiveBaseline,
  PANEL_LIMITS,
  type IgRule,
  type LrpRule,
  type PanelAttributionSettings,
  type PanelBaseline,
  type PanelInputView,
  type PanelTarget,
  type SampledMethod,
  type SmoothMode,
} from '../src/protocol/webviewProtocol';

export const METHOD_LABELS: Record<AttributeMethodName, string> = {
  saliency: 'Saliency',
  gradientXInput: 'Gradient × input',
  integratedGradients: 'Integrated gradients',
  gradientShap: 'GradientSHAP',
  smoothGrad: 'SmoothGrad',
  deepLift: 'DeepLIFT (rescale)',
  lrp: 'LRP',
  occlusion: 'Occlusion',
  featureAblation: 'Feature ablation',
  kernelShap: 'KernelSHAP',
  lime: 'LIME',
};

export const RULE_LABELS: Record<IgRule, string> = {
  gauss_legendre: 'Gauss–Legendre',
  riemann_left: 'Riemann left',
  riemann_middle: 'Riemann middle',
  riemann_right: 'Riemann right',
  riemann_trapezoid: 'Trapezoid',
};

export const LRP_RULE_LABELS: Record<LrpRule, string> = {
  epsilon: 'ε rule',
  gamma: 'γ rule',
  alphabeta: 'αβ rule',
  zplus: 'z⁺ rule',
};

export const SMOOTH_MODE_LABELS: Record<SmoothMode, string> = {
  smoothgrad: 'SmoothGrad (mean)',
  smoothgrad_sq: 'SmoothGrad² (mean of squares)',
  vargrad: 'VarGrad (variance)',
};

export const BASELINE_LABELS: Record<PanelBaseline, string> = {
  zeros: 'Zeros (black)',
  mean: 'Training mean',
  blur: 'Blurred input',
  uniform: 'Uniform noise [0, 1]',
  training: 'Training examples',
};

export const TARGET_LABELS: Record<PanelTarget, string> = {
  class: 'Class',
  probabilityWeighted: 'Probability-weighted',
  labelFree: 'Label-free (representation)',
  latentUnit: 'One latent unit',
  allUnits: 'All latent units',
};

/** Every control that may be shown besides the method and target pickers. */
export type Control = 'absolute' | 'steps' | 'rule' | 'samples' | 'smoothBase' | 'smoothMode' | 'lrpRule' | 'classIndex' | 'unit' | 'baseline';

export interface RunTraits {
  view: PanelInputView;
  hasClassOutput: boolean;
}

/** The controls that change what these settings compute; the others are hidden. */
export function visibleControls(s: PanelAttributionSettings, run: RunTraits): Set<Control> {
  const shown = new Set<Control>();
  const gradient = s.method === 'smoothGrad' ? s.smoothBase : s.method;
  if (s.method === 'smoothGrad') shown.add('smoothBase').add('smoothMode');
  if (gradient === 'saliency') shown.add('absolute');
  if (gradient === 'integratedGradients') shown.add('steps').add('rule');
  if (sampledMethod(s) !== undefined) shown.add('samples');
  if (s.method === 'lrp') shown.add('lrpRule');
  if (baselineChoices(s, run.view).length > 0) shown.add('baseline');
  if (s.target === 'class') shown.add('classIndex');
  if (s.target === 'latentUnit') shown.add('unit');
  return shown;
}

/** The method whose sample count the samples field edits (SmoothGrad's own count when it wraps GradientSHAP). */
export function sampledMethod(s: Pick<PanelAttributionSettings, 'method' | 'smoothBase'>): SampledMethod | undefined {
  switch (s.method) {
    case 'gradientShap':
    case 'smoothGrad':
    case 'kernelShap':
    case 'lime':
      return s.method;
    default:
      return undefined;
  }
}

export function targetChoices(run: Pick<RunTraits, 'hasClassOutput'>): PanelTarget[] {
  const label: PanelTarget[] = ['labelFree', 'latentUnit', 'allUnits'];
  return run.hasClassOutput ? ['class', 'probabilityWeighted', ...label] : label;
}

/** A whole number within [min, max], or the fallback when the text is not a number. */
export function clampInteger(text: string, min: number, max: number, fallback: number): number {
  const value = Math.round(Number(text));
  if (text.trim() === '' || !Number.isFinite(value)) return fallback;
  return Math.max(min, Math.min(max, value));
}

export function clampSteps(text: string, fallback: number): number {
  return clampInteger(text, PANEL_LIMITS.steps.min, PANEL_LIMITS.steps.max, fallback);
}

export function clampSamples(text: string, fallback: number): number {
  return clampInteger(text, PANEL_LIMITS.samples.min, PANEL_LIMITS.samples.max, fallback);
}

export function classLabel(index: number, classNames: readonly string[] | undefined): string {
  const name = classNames?.[index];
  return name === undefined ? `class ${index}` : `${index} · ${name}`;
}

export function targetText(target: ResolvedAttributeTarget, classNames: readonly string[] | undefined): string {
  switch (target.kind) {
    case 'class': {
      const name = target.className ?? classNames?.[target.classIndex];
      return name === undefined ? `class ${target.classIndex}` : `class ${target.classIndex} · ${name}`;
    }
    case 'probabilityWeighted':
      return 'probability-weighted classes';
    case 'labelFree':
      return 'label-free (representation)';
    case 'latentUnit':
      return `latent unit ${target.unit}`;
    case 'allUnits':
      return `all ${target.units} latent units`;
  }
}

/** "Integrated gradients (50 steps, Gauss–Legendre), baseline zeros": what the settings compute, for captions. */
export function methodText(s: PanelAttributionSettings, view: PanelInputView): string {
  const parts: string[] = [];
  const gradient = s.method === 'smoothGrad' ? s.smoothBase : s.method;
  if (gradient === 'saliency' && s.absolute) parts.push('absolute');
  if (gradient === 'integratedGradients') parts.push(`${s.steps} steps`, RULE_LABELS[s.rule]);
  const sampled = sampledMethod(s);
  if (sampled) parts.push(`${s.samples[sampled]} samples`);
  if (s.method === 'lrp') parts.push(LRP_RULE_LABELS[s.lrpRule]);
  if (s.method === 'smoothGrad') parts.unshift(`${METHOD_LABELS[s.smoothBase]}, ${SMOOTH_MODE_LABELS[s.smoothMode].replace(/ \(.*\)$/, '')}`);
  const name = s.method === 'smoothGrad' ? 'SmoothGrad' : METHOD_LABELS[s.method];
  const baseline = effectiveBaseline(s, view);
  const text = parts.length > 0 ? `${name} (${parts.join(', ')})` : name;
  return baseline ? `${text}, baseline: ${BASELINE_LABELS[baseline].toLowerCase()}` : text;
}

export type CheckKind = 'units' | 'consistency' | 'sanity';

export interface CheckContext {
  testIndex: number;
  checkpoint: string;
  exampleCount: number;
  view: PanelInputView;
}

function targetKey(s: PanelAttributionSettings, allUnitsAs: PanelTarget | undefined): string {
  const target = s.target === 'allUnits' && allUnitsAs ? allUnitsAs : s.target;
  if (target === 'class') return `class:${s.classIndex ?? 'argmax'}`;
  if (target === 'latentUnit') return `unit:${s.unit}`;
  return target;
}

/**
 * What a check's result depends on, as a string: equal signatures mean the
 * shown result still answers the current pickers. The per-unit maps ignore the
 * target; the checks explain "all units" as label-free, as the host does.
 */
export function checkSignature(kind: CheckKind, s: PanelAttributionSettings, c: CheckContext): string {
  const parts = [kind, c.checkpoint, String(c.testIndex), methodText(s, c.view)];
  if (kind !== 'sanity') parts.push(String(c.exampleCount));
  if (kind !== 'units') parts.push(targetKey(s, 'labelFree'));
  return parts.join('\n');
}

function usesGradientShap(s: Pick<PanelAttributionSettings, 'method' | 'smoothBase'>): boolean {
  return s.method === 'gradientShap' || (s.method === 'smoothGrad' && s.smoothBase === 'gradientShap');
}

/**
 * The settings after one picker changed. Moving to GradientSHAP selects its
 * usual baselines (training examples); moving away from it drops that choice,
 * which no other method has.
 */
export function applyChange(s: PanelAttributionSettings, patch: Partial<PanelAttributionSettings>): PanelAttributionSettings {
  const next = { ...s, ...patch };
  if (patch.baseline === undefined) {
    if (usesGradientShap(next) && !usesGradientShap(s)) next.baseline = 'training';
    else if (!usesGradientShap(next) && next.baseline === 'training') next.baseline = 'zeros';
  }
  return next;
}
