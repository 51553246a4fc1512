/**
 * Host <-> webview channel for the explanation panel. The webview sends the
 * requests (it asks, the host answers); the host sends the notifications.
 * The host posts nothing until the webview's `PanelReadyRequest` arrives,
 * because messages posted before the page's listener exists are lost.
 * Everything here is untrusted on arrival and is validated by the receiver.
 */
import { defineNotification, defineRequest } from './rpc';
import type { AttributeMethodName, BackendName, Completeness, MeanStdCurve, ResolvedAttributeTarget, SanityCheckStep, ScoredExample } from './engineProtocol';

/** What the webview persists with `setState`, so a reload restores the same view. */
export interface PanelState {
  manifestPath: string;
  checkpoint?: string;
  testIndex: number;
  /** The attribution pickers; absent in states saved before they existed. */
  settings?: PanelAttributionSettings;
  /** How many test examples the checks average over. */
  checkExamples?: number;
}

export interface PanelInit {
  manifestPath: string;
  runName: string;
  checkpoints: string[];
  checkpoint: string;
  testCount: number;
  classNames?: string[];
  backend?: BackendName;
  /** The example to show first: the restored one, or 0. */
  testIndex: number;
  /** The attribution pickers to show first: the restored ones (checked), or the run's defaults. */
  settings: PanelAttributionSettings;
  checkExamples: number;
  /** Per-example shape of the test set, e.g. [28, 28, 1]. */
  exampleShape: number[];
  view: PanelInputView;
  /** The model has a class output, so class and probability-weighted targets apply. */
  hasClassOutput: boolean;
  /** Units of the representation layer, when the checkpoint's model.json says. */
  latentUnits?: number;
}

/** Sent by the webview once its listener is installed. */
export const PanelReadyRequest = defineRequest<{ restored?: PanelState }, PanelInit>('panel/ready', 300_000);

export interface Thumbnail {
  index: number;
  score: number;
  label?: number;
  labelName?: string;
  /** Display values in [0, 1], row-major, height x width. */
  pixels: number[];
}

export interface PanelExplanation {
  testIndex: number;
  label?: number;
  labelName?: string;
  height: number;
  width: number;
  image: number[];
  saliency: number[];
  method: string;
  labelFree: boolean;
  completeness?: Completeness;
  proponents: Thumbnail[];
  opponents: Thumbnail[];
  checkpoint: string;
  backend: BackendName;
}

/** Sent by the webview when the user picks a test example or a checkpoint. */
export const PanelExplainRequest = defineRequest<{ testIndex: number; checkpoint?: string }, PanelExplanation>('panel/explain', 60 * 60_000);

/** Sent by the webview when the user clicks a training example. */
export const RevealExampleRequest = defineRequest<{ split: 'train' | 'test'; index: number }, void>('panel/reveal', 10_000);

/** Sent by the host when the engine's backend becomes known or changes. */
export const BackendNotification = defineNotification<{ backend: BackendName }>('panel/backend');

export function toScoredThumbnail(example: ScoredExample, pixels: ArrayLike<number>): Thumbnail {
  const thumb: Thumbnail = { index: example.index, score: example.score, pixels: Array.from(pixels) };
  if (example.label !== undefined) thumb.label = example.label;
  if (example.labelName !== undefined) thumb.labelName = example.labelName;
  return thumb;
}

/*
 * Feature attribution in the panel. The page keeps the pickers' values as one
 * flat `PanelAttributionSettings` (so it persists and validates as a whole);
 * the host checks them and turns them into the engine's AttributeParams.
 */

export const PANEL_METHODS: readonly AttributeMethodName[] = [
  'saliency',
  'gradientXInput',
  'integratedGradients',
  'gradientShap',
  'smoothGrad',
  'deepLift',
  'lrp',
  'occlusion',
  'featureAblation',
  'kernelShap',
  'lime',
];

/** The gradient methods SmoothGrad can wrap. */
export const SMOOTHABLE_METHODS = ['saliency', 'gradientXInput', 'integratedGradients', 'gradientShap'] as const;
export type SmoothableMethod = (typeof SMOOTHABLE_METHODS)[number];

export const SMOOTH_MODES = ['smoothgrad', 'smoothgrad_sq', 'vargrad'] as const;
export type SmoothMode = (typeof SMOOTH_MODES)[number];

export const IG_RULES = ['gauss_legendre', 'riemann_left', 'riemann_middle', 'riemann_right', 'riemann_trapezoid'] as const;
export type IgRule = (typeof IG_RULES)[number];

export const LRP_RULES = ['epsilon', 'gamma', 'alphabeta', 'zplus'] as const;
export type LrpRule = (typeof LRP_RULES)[number];

/** Methods with a number-of-samples setting; each keeps its own, since good values differ by orders of magnitude. */
export const SAMPLED_METHODS = ['gradientShap', 'smoothGrad', 'kernelShap', 'lime'] as const;
export type SampledMethod = (typeof SAMPLED_METHODS)[number];

/** 'training' draws GradientSHAP's baselines from the training set; the others are one reference input. */
export const PANEL_BASELINES = ['zeros', 'mean', 'blur', 'uniform', 'training'] as const;
export type PanelBaseline = (typeof PANEL_BASELINES)[number];

export const PANEL_TARGETS = ['class', 'probabilityWeighted', 'labelFree', 'latentUnit', 'allUnits'] as const;
export type PanelTarget = (typeof PANEL_TARGETS)[number];

export interface PanelAttributionSettings {
  method: AttributeMethodName;
  /** Saliency: |gradient| instead of the signed gradient. */
  absolute: boolean;
  /** Integrated gradients: quadrature steps and rule. */
  steps: number;
  rule: IgRule;
  samples: Record<SampledMethod, number>;
  smoothBase: SmoothableMethod;
  smoothMode: SmoothMode;
  lrpRule: LrpRule;
  target: PanelTarget;
  /** For a class target: the class, or null for the model's prediction. */
  classIndex: number | null;
  /** For a latentUnit target. */
  unit: number;
  baseline: PanelBaseline;
}

export const PANEL_LIMITS = {
  steps: { min: 1, max: 1000 },
  samples: { min: 2, max: 20_000 },
  checkExamples: { min: 1, max: 64 },
} as const;

export const DEFAULT_CHECK_EXAMPLES = 8;

/** The defaults of a run: class targets for classifiers, label-free otherwise. */
export function defaultPanelSettings(hasClassOutput: boolean): PanelAttributionSettings {
  return {
    method: 'integratedGradients',
    absolute: false,
    steps: 50,
    rule: 'gauss_legendre',
    samples: { gradientShap: 50, smoothGrad: 50, kernelShap: 1000, lime: 500 },
    smoothBase: 'saliency',
    smoothMode: 'smoothgrad',
    lrpRule: 'epsilon',
    target: hasClassOutput ? 'class' : 'labelFree',
    classIndex: null,
    unit: 0,
    baseline: 'zeros',
  };
}

/** The method that takes the baseline: SmoothGrad's inner method, or the method itself. */
function baselineMethod(settings: Pick<PanelAttributionSettings, 'method' | 'smoothBase'>): AttributeMethodName {
  return settings.method === 'smoothGrad' ? settings.smoothBase : settings.method;
}

const TAKES_BASELINE: ReadonlySet<AttributeMethodName> = new Set(['integratedGradients', 'gradientShap', 'deepLift', 'occlusion', 'featureAblation', 'kernelShap', 'lime']);

/** The baselines that apply to these settings on examples of this view; empty when the method takes none. Blur needs an image. */
export function baselineChoices(settings: Pick<PanelAttributionSettings, 'method' | 'smoothBase'>, view: PanelInputView): PanelBaseline[] {
  const method = baselineMethod(settings);
  if (!TAKES_BASELINE.has(method)) return [];
  const choices: PanelBaseline[] = method === 'gradientShap' ? ['training', 'zeros', 'mean'] : ['zeros', 'mean'];
  if (view === 'image') choices.push('blur');
  choices.push('uniform');
  return choices;
}

/** The baseline that will be used: the picked one when it applies, else the method's first choice; undefined when none applies. */
export function effectiveBaseline(settings: Pick<PanelAttributionSettings, 'method' | 'smoothBase' | 'baseline'>, view: PanelInputView): PanelBaseline | undefined {
  const choices = baselineChoices(settings, view);
  if (choices.length === 0) return undefined;
  return choices.includes(settings.baseline) ? settings.baseline : choices[0];
}

/** How an example is drawn, from its per-example shape. */
export type PanelInputView = 'image' | 'tabular' | 'timeSeries';

/** A time series [T, C] has at most this many channels, each drawn as a line; wider rank-2 examples are images. */
export const MAX_SERIES_CHANNELS = 8;

export function inputViewFor(shape: readonly number[]): PanelInputView {
  if (shape.length <= 1) return 'tabular';
  if (shape.length === 2) return shape[1]! <= MAX_SERIES_CHANNELS && shape[0]! > shape[1]! ? 'timeSeries' : 'image';
  return 'image';
}

/** The example as the page draws it. */
export interface PanelInput {
  view: PanelInputView;
  /** image: H x W (channels averaged, display range [0, 1]); tabular: D raw values; timeSeries: T x C raw values, row-major. */
  values: number[];
  /** image: H, W; tabular: 1, D; timeSeries: T, C. */
  height: number;
  width: number;
  /** Feature names of tabular examples. */
  columns?: string[];
}

export interface PanelMap {
  unit?: number;
  /** Over the same grid as PanelInput.values (image maps summed over channels). */
  values: number[];
  completeness?: Completeness;
}

interface PanelResultBase {
  testIndex: number;
  checkpoint: string;
  method: AttributeMethodName;
  seconds: number;
  /** Served from a cache (the host's or the engine's). */
  cached: boolean;
}

export interface PanelAttribution extends PanelResultBase {
  label?: number;
  labelName?: string;
  input: PanelInput;
  maps: PanelMap[];
  target: ResolvedAttributeTarget;
  labelFree: boolean;
  /** The baseline used, when the method takes one. */
  baseline?: PanelBaseline;
  notes: string[];
}

/** Sent by the webview whenever the example, checkpoint or an attribution setting changes; supersedes the one before. */
export const PanelAttributeRequest = defineRequest<{ testIndex: number; checkpoint?: string; settings: PanelAttributionSettings }, PanelAttribution>('panel/attribute', 30 * 60_000);

interface PanelCheckParams {
  testIndex: number;
  checkpoint?: string;
  settings: PanelAttributionSettings;
  /** Test examples from testIndex on (wrapping around) that the statistics average over. */
  exampleCount: number;
}

export interface PanelUnits extends PanelResultBase {
  input: PanelInput;
  units: number;
  /** The maps of example testIndex, one per unit. */
  maps: PanelMap[];
  /** Saliency entropy of example testIndex; null when no feature is salient. (NaN does not survive every webview transport.) */
  entropy: number | null;
  salientCount: number;
  /** E_x of the entropy over the examples with a salient feature (null when none has one), and S_max = ln d_H. */
  averageEntropy: number | null;
  maxEntropy: number;
  /** Pearson r_ij between unit maps averaged over the examples, row-major units x units (null where undefined). */
  correlation: (number | null)[];
  meanCorrelation: number | null;
  exampleIndices: number[];
}

/** Sent by the webview's "Per-unit maps" button. */
export const PanelUnitsRequest = defineRequest<PanelCheckParams, PanelUnits>('panel/units', 60 * 60_000);

export interface PanelConsistency extends PanelResultBase {
  measure: 'shift' | 'drop';
  /** Fractions of features masked, in (0, 1]. */
  fractions: number[];
  maskedCounts: number[];
  top: MeanStdCurve;
  random: MeanStdCurve;
  exampleIndices: number[];
  /** The target the check explained (all units is checked as label-free). */
  targetKind: PanelTarget;
}

/** Sent by the webview's "Consistency check" button. */
export const PanelConsistencyRequest = defineRequest<PanelCheckParams, PanelConsistency>('panel/consistency', 60 * 60_000);

export interface PanelSanity extends PanelResultBase {
  target: ResolvedAttributeTarget;
  steps: SanityCheckStep[];
}

/** Sent by the webview's "Sanity check" button. */
export const PanelSanityRequest = defineRequest<{ testIndex: number; checkpoint?: string; settings: PanelAttributionSettings }, PanelSanity>('panel/sanity', 60 * 60_000);

/**
 * Every message on the webview channel travels in this envelope. With
 * `retainContextWhenHidden: false` the page is rebuilt each time the panel is
 * shown again and its request ids start over, so each page load tags its
 * messages with a random page id and the host keeps one endpoint per page.
 */
export const PAGE_ENVELOPE_TAG = 'modelDebugger/v1';

export interface PageEnvelope {
  tag: typeof PAGE_ENVELOPE_TAG;
  page: string;
  message: unknown;
}

export function isPageEnvelope(value: unknown): value is PageEnvelope {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return v.tag === PAGE_ENVELOPE_TAG && typeof v.page === 'string' && v.page.length > 0 && v.page.length <= 64;
}
