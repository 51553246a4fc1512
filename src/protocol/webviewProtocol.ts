/**
 * Host <-> webview channel for the explanation panel. The webview sends the
 * requests (it asks, the host answers); the host sends the notifications.
 * The host posts nothing until the webview's `PanelReadyRequest` arrives,
 * because messages posted before the page's listener exists are lost.
 * Everything here is untrusted on arrival and is validated by the receiver.
 */
import { defineNotification, defineRequest } from './rpc';
import type {
  AttributeMethodName,
  BackendName,
  BoxStats,
  ComparedCheckpoints,
  Completeness,
  ExampleMethodName,
  ExampleMethodSpec,
  InvarianceCurvePoint,
  InvarianceKind,
  MeanStdCurve,
  NeonConservation,
  NeonExplained,
  NeonSpace,
  ResolvedAttributeTarget,
  SanityCheckStep,
  ScoredExample,
  SimplexSummary,
  SuspicionSignal,
  SuspiciousTrainingExample,
  TracInMode,
} from './engineProtocol';

/** What the webview persists with `setState`, so a reload restores the same view. */
export interface PanelState {
  manifestPath: string;
  checkpoint?: string;
  testIndex: number;
  /** The attribution pickers; absent in states saved before they existed. */
  settings?: PanelAttributionSettings;
  /** How many test examples the checks average over. */
  checkExamples?: number;
  /** The training-examples section's pickers; absent in states saved before it existed. */
  examples?: PanelExamplesState;
  /** The NEON, semantic Shapley and invariance pickers; absent in states saved before they existed. */
  neon?: PanelNeonSettings;
  semantic?: PanelSemanticSettings;
  invariance?: PanelInvarianceSettings;
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
  /** The training-examples pickers to show first: the restored ones (checked), or the defaults. */
  examples: PanelExamplesState;
  trainCount: number;
  /** The test set has labels, so the example-consistency check (similarity rate) applies. */
  testHasLabels: boolean;
  /** The training set has labels, so suspicious-label detection applies. */
  trainHasLabels: boolean;
  /** The host can ask the user for another run's manifest to compare encoders with. */
  canPickManifest: boolean;
  /** A command opened the panel at this section (see RevealSectionNotification). */
  revealSection?: SectionRequest;
  /** The NEON, semantic Shapley and invariance pickers to show first: the restored ones (repaired field by field), or the defaults. */
  neon: PanelNeonSettings;
  semantic: PanelSemanticSettings;
  invariance: PanelInvarianceSettings;
  /** Which of those sections apply to this run, and why not when they do not. */
  sections: PanelSectionAvailability;
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

/** Sent by the webview when the user clicks a training example. */
export const RevealExampleRequest = defineRequest<{ split: 'train' | 'test'; index: number }, void>('panel/reveal', 10_000);

/** Sent by the host when the engine's backend becomes known or changes. */
export const BackendNotification = defineNotification<{ backend: BackendName }>('panel/backend');

/**
 * Parts of the panel a command can open it at: the per-unit maps, the consistency check, the two-encoder
 * comparison, the suspicious training examples, NEON, semantic Shapley values, the supervised VAE's invariances.
 */
export const PANEL_SECTIONS = ['units', 'consistency', 'compare', 'suspicious', 'neon', 'semantic', 'invariance'] as const;
export type PanelSection = (typeof PANEL_SECTIONS)[number];

export function isPanelSection(value: unknown): value is PanelSection {
  return typeof value === 'string' && (PANEL_SECTIONS as readonly string[]).includes(value);
}

/** `run` also starts the section's computation; `trainIndex` (suspicious section) is the training example to focus once the list is shown. */
export interface SectionRequest {
  section: PanelSection;
  run: boolean;
  trainIndex?: number;
}

/** Sent by the host when a command (or a diagnostic's quick fix) asks for a section of an open panel. */
export const RevealSectionNotification = defineNotification<SectionRequest>('panel/revealSection');

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

/*
 * Example importance in the panel: which training examples made the
 * prediction. The page keeps its pickers as one flat `PanelExampleSettings`;
 * the host checks them and turns them into the engine's ExampleMethodSpec.
 */

export const INFLUENCE_INVERSES = ['lissa', 'arnoldi'] as const;
export type InfluenceInverse = (typeof INFLUENCE_INVERSES)[number];

export interface PanelExampleSettings {
  method: ExampleMethodName;
  /** TracIn: the gradient index (sketch), every relevant parameter exactly, or the last layers exactly. */
  tracinMode: TracInMode;
  /** Influence functions: LiSSA or the (fast) Arnoldi low-rank inverse. */
  inverse: InfluenceInverse;
  /** LiSSA recursion depth, scale (0: automatic, 1.5 × the estimated largest Hessian eigenvalue), damping and training examples per recursion step. */
  depth: number;
  scale: number;
  damping: number;
  samples: number;
  /** SimplEx: Adam epochs, learning rate and the latent neighbours it decomposes over. */
  epochs: number;
  learningRate: number;
  nearest: number;
  /** How many proponents and opponents (or most and least similar) to list. */
  topK: number;
}

/** Ranges the host enforces; integers except scale, damping and learningRate. */
export const EXAMPLE_LIMITS = {
  depth: { min: 1, max: 10_000 },
  scale: { min: 0, max: 1e9 },
  damping: { min: 0, max: 0.999 },
  samples: { min: 1, max: 4096 },
  epochs: { min: 1, max: 100_000 },
  learningRate: { min: 1e-7, max: 10 },
  nearest: { min: 1, max: 100_000 },
  topK: { min: 1, max: 50 },
  consistencyExamples: { min: 2, max: 256 },
  suspiciousLimit: { min: 1, max: 1000 },
} as const;

export function defaultExampleSettings(): PanelExampleSettings {
  return { method: 'tracin', tracinMode: 'sketch', inverse: 'lissa', depth: 100, scale: 0, damping: 0.01, samples: 32, epochs: 10_000, learningRate: 0.001, nearest: 50, topK: 5 };
}

/** Everything the training-examples section persists. */
export interface PanelExamplesState {
  settings: PanelExampleSettings;
  /** The methods the example-consistency check compares. */
  consistencyMethods: ExampleMethodName[];
  /** Test examples (from the shown one on) the consistency check and the encoder comparison run over. */
  consistencyExamples: number;
  suspiciousLimit: number;
  /** The other checkpoint of this run the encoder comparison uses. */
  compareCheckpoint?: string;
}

export function defaultExamplesState(): PanelExamplesState {
  return { settings: defaultExampleSettings(), consistencyMethods: ['tracin', 'deepKnn', 'simplex'], consistencyExamples: 32, suspiciousLimit: 50 };
}

/** A training example in a ranking, with its thumbnail and where it lives in the dataset file. */
export interface PanelRankedExample extends Thumbnail {
  /** 0-based data row in `trainFile` (not counting a header). */
  row: number;
  /** 1-based line in `trainFile`, for line-oriented files. */
  line?: number;
  distance?: number;
}

export interface PanelExampleImportance {
  testIndex: number;
  checkpoint: string;
  label?: number;
  labelName?: string;
  method: ExampleMethodName;
  /** What ran, after the engine's defaults. */
  settings: ExampleMethodSpec;
  family: 'gradient' | 'representation';
  higherIsHelpful: boolean;
  labelFree: boolean;
  /** Thumbnail size. */
  height: number;
  width: number;
  /** Gradient methods: proponents. Representation methods: the most similar examples. */
  proponents: PanelRankedExample[];
  /** Gradient methods only. */
  opponents: PanelRankedExample[];
  /** Representation methods: the least similar examples (not opponents). */
  leastSimilar: PanelRankedExample[];
  simplex?: SimplexSummary;
  /** The dataset file whose rows `row` counts, relative to the workspace when it is inside. */
  trainFile: string;
  trainCount: number;
  notes: string[];
  /** The gradient index this answer used, for TracIn in sketch mode. */
  index?: { sketchDim: number; built: number; reused: number };
  seconds: number;
  cached: boolean;
}

/** Sent by the webview whenever the example, checkpoint or a training-examples setting changes; supersedes the one before. */
export const PanelExampleImportanceRequest = defineRequest<{ testIndex: number; checkpoint?: string; settings: PanelExampleSettings }, PanelExampleImportance>(
  'panel/exampleImportance',
  4 * 60 * 60_000,
);

export interface PanelIndexBuilt {
  sketchDim: number;
  trainCount: number;
  checkpoints: number;
  /** Checkpoints built (or finished) now, and already complete on disk. */
  built: number;
  reused: number;
  seconds: number;
}

/** Sent by the webview's "Build gradient index" button. */
export const PanelBuildIndexRequest = defineRequest<Record<string, never>, PanelIndexBuilt>('panel/buildIndex', 8 * 60 * 60_000);

export interface PanelSuspicious {
  checkpoint: string;
  signals: SuspicionSignal[];
  trainCount: number;
  trainFile: string;
  examples: SuspiciousTrainingExample[];
  seconds: number;
  cached: boolean;
}

/** Sent by the webview's "Find suspicious training examples" button. */
export const PanelSuspiciousRequest = defineRequest<{ checkpoint?: string; limit: number }, PanelSuspicious>('panel/suspicious', 8 * 60 * 60_000);

export interface PanelMethodRates {
  method: ExampleMethodName;
  settings: ExampleMethodSpec;
  /** Per M: the similarity rate of the top-M / bottom-M examples over test examples; null where undefined (NaN does not survive every webview transport). */
  top: (BoxStats | null)[];
  bottom: (BoxStats | null)[];
}

export interface PanelExampleConsistency {
  testIndex: number;
  checkpoint: string;
  ms: number[];
  methods: PanelMethodRates[];
  exampleIndices: number[];
  seconds: number;
  cached: boolean;
}

interface PanelExampleCheckParams {
  testIndex: number;
  checkpoint?: string;
  settings: PanelExampleSettings;
  /** Test examples from testIndex on (wrapping around). */
  exampleCount: number;
}

/** Sent by the webview's "Example consistency" button: the similarity rate of each chosen method. */
export const PanelExampleConsistencyRequest = defineRequest<PanelExampleCheckParams & { methods: ExampleMethodName[] }, PanelExampleConsistency>(
  'panel/exampleConsistency',
  8 * 60 * 60_000,
);

/** The other encoder: another checkpoint of this run, or another run's manifest the host asks the user for. */
export type PanelCompareWith = { kind: 'checkpoint'; checkpoint: string } | { kind: 'pickManifest' };

export interface PanelExampleComparison {
  testIndex: number;
  method: ExampleMethodName;
  /** The two encoders, as "manifest · checkpoint" (workspace-relative). */
  a: string;
  b: string;
  /** As the engine's result says: each encoder's own checkpoint, or (TracIn, two runs) all of each run's. */
  scoredCheckpoints: ComparedCheckpoints;
  mean: number | null;
  std: number | null;
  perExample: { index: number; pearson: number | null }[];
  seconds: number;
  cached: boolean;
}

/** Sent by the webview's "Compare encoders" button; answers null when the user dismissed the manifest picker. */
export const PanelCompareExamplesRequest = defineRequest<PanelExampleCheckParams & { other: PanelCompareWith }, PanelExampleComparison | null>(
  'panel/compareExamples',
  8 * 60 * 60_000,
);

/** "about 40 s left", "about 3 min left", "about 1 h 5 min left": an engine ETA for people; empty when there is none. */
export function etaText(seconds: number | undefined): string {
  if (seconds === undefined || !Number.isFinite(seconds) || seconds < 0) return '';
  const s = Math.round(seconds);
  if (s < 60) return `about ${Math.max(1, s)} s left`;
  const minutes = Math.round(s / 60);
  if (minutes < 60) return `about ${minutes} min left`;
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  return `about ${hours} h${rest > 0 ? ` ${rest} min` : ''} left`;
}

/** A progress line with its ETA, e.g. "checkpoint 2 of 6 · about 3 min left". */
export function progressLine(progress: { message: string; etaSeconds?: number }): string {
  const eta = etaText(progress.etaSeconds);
  return eta ? `${progress.message} · ${eta}` : progress.message;
}

/*
 * Issue 6 in the panel: NEON (unsupervised models explained), semantic
 * Shapley values and a supervised VAE's invariances. As for the other
 * sections, the page keeps each section's pickers as one flat settings object
 * (persisted in PanelState); the host checks them (a bad field is refused with
 * invalidParams naming it, before anything reaches the engine) and turns them
 * into the engine's NeonParams, SemanticShapleyParams and InvarianceParams.
 */

/** Whether a section applies to the open run; `reason` is one line for people when it does not. */
export interface SectionAvailability {
  available: boolean;
  reason?: string;
}

export interface PanelSectionAvailability {
  neon: SectionAvailability;
  semantic: SectionAvailability;
  /** The semantic section's VAE representation: the run's manifest declares a decoder. */
  semanticVae: SectionAvailability;
  /** The manifest is a supervised VAE run (vae.objective 'supervised'). */
  invariance: SectionAvailability;
}

export const NEON_MODELS = ['kmeans', 'kde'] as const;
export type NeonModelKind = (typeof NEON_MODELS)[number];

export interface PanelNeonSettings {
  model: NeonModelKind;
  /** k-means: clusters. */
  k: number;
  /** KDE: γ, or 0 for the median heuristic ("auto"). */
  gamma: number;
  space: NeonSpace;
  /** clusterMembership needs k-means; outlierness and inlierness need a KDE. */
  explain: NeonExplained;
  /** Inlierness: random Fourier features H per draw, and draws behind the error bars. */
  features: number;
  draws: number;
}

/** Ranges the host enforces; integers except gamma. */
export const NEON_LIMITS = {
  k: { min: 2, max: 256 },
  gamma: { min: 0, max: 1e9 },
  features: { min: 10, max: 20_000 },
  draws: { min: 2, max: 100 },
} as const;

/** The explanations each NEON model gives. */
export function neonExplanations(model: NeonModelKind): readonly NeonExplained[] {
  return model === 'kmeans' ? ['clusterMembership'] : ['outlierness', 'inlierness'];
}

export function defaultNeonSettings(): PanelNeonSettings {
  return { model: 'kmeans', k: 10, gamma: 0, space: 'representation', explain: 'clusterMembership', features: 2500, draws: 10 };
}

/** k-means summary as the page shows it (the centroids stay on the host). */
export interface PanelNeonKMeans {
  kind: 'kmeans';
  k: number;
  nInit: number;
  restartObjectives: number[];
  objective: number;
  iterations: number;
  clusterSizes: number[];
}

export interface PanelNeonKde {
  kind: 'kde';
  gamma: number;
  gammaSource: 'median' | 'given';
}

export interface PanelNeon {
  testIndex: number;
  /** The checkpoint used (representation space). */
  checkpoint?: string;
  /** The representation layer (representation space). */
  layer?: string;
  label?: number;
  labelName?: string;
  settings: PanelNeonSettings;
  input: PanelInput;
  /** The relevance on the input's grid (image channels summed). */
  relevance: PanelMap;
  /** Inlierness: the per-feature standard deviation over the draws, on the input's grid (image channels averaged). */
  relevanceStd?: number[];
  /** f_c(x), o(x) or î(x) (mean over the draws). */
  value: number;
  /** Inlierness: the standard deviation of î(x) over the draws, and p̃(x) summed exactly. */
  valueStd?: number;
  exactDensity?: number;
  /** k-means: the assigned (and explained) cluster. */
  cluster?: number;
  conservation: NeonConservation;
  model: PanelNeonKMeans | PanelNeonKde;
  dim: number;
  fitCount: number;
  subsampled: boolean;
  /** The fitted model came from the engine's cache. */
  modelCached: boolean;
  /** Settings after the engine's defaults. */
  ran: { beta?: number; features?: number; draws?: number; seed: number };
  seconds: number;
  /** Served from the host's cache. */
  cached: boolean;
}

/** Sent by the webview's NEON "Explain" button: the NEON explanation of the shown test example. */
export const PanelNeonRequest = defineRequest<{ testIndex: number; checkpoint?: string; settings: PanelNeonSettings }, PanelNeon>('panel/neon', 60 * 60_000);

export const SEMANTIC_REPRESENTATIONS = ['fourier', 'vae'] as const;
export type SemanticRepresentationKind = (typeof SEMANTIC_REPRESENTATIONS)[number];

export interface PanelSemanticSettings {
  /** Fourier radius bins of the image, or the run's own VAE latent units (needs a declared decoder). */
  representation: SemanticRepresentationKind;
  bins: number;
  /** 'local': the shown example; 'global': also the mean over `examples` test examples from it on. */
  scope: 'local' | 'global';
  examples: number;
  /** Training examples marginalised over. */
  background: number;
}

export const SEMANTIC_LIMITS = {
  bins: { min: 1, max: 64 },
  examples: { min: 2, max: 256 },
  background: { min: 1, max: 1024 },
} as const;

export function defaultSemanticSettings(): PanelSemanticSettings {
  return { representation: 'fourier', bins: 6, scope: 'local', examples: 16, background: 32 };
}

export interface PanelSemanticValues {
  values: number[];
  standardErrors: number[];
  fullValue: number;
  emptyValue: number;
  efficiencyGap: number;
}

export interface PanelSemantic {
  testIndex: number;
  checkpoint: string;
  settings: PanelSemanticSettings;
  /** What the features are, e.g. "Fourier radius, 6 bins" or "VAE latent units (decoder …)". */
  representationText: string;
  featureNames: string[];
  method: 'exact' | 'permutation';
  samples?: number;
  backgroundCount: number;
  /** The shown test example's local values. */
  example: PanelSemanticValues & { index: number; label?: number; labelName?: string; classIndex: number; className?: string };
  /** Scope 'global': mean φ (with standard errors over the examples) and mean |φ|. */
  global?: PanelSemanticValues & { meanAbsolute: number[]; meanAbsoluteStandardErrors: number[]; exampleIndices: number[] };
  evaluations: number;
  seconds: number;
  cached: boolean;
}

/** Sent by the webview's semantic "Compute" button: semantic Shapley values of the shown example's class probability (and their mean over examples when global). */
export const PanelSemanticRequest = defineRequest<{ testIndex: number; checkpoint?: string; settings: PanelSemanticSettings }, PanelSemantic>('panel/semantic', 60 * 60_000);

export interface PanelInvarianceSettings {
  /** σ of the resampled z2 (the samples gallery, and the divergence's invariant baselines). */
  sigma: number;
  /** Invariant samples per example. */
  count: number;
  /** The invariance curve: test examples (a seeded sample) and samples per example and σ. */
  curveExamples: number;
  curveCount: number;
  /** Counterfactuals: step along z1 toward a class mean, and the farthest step. */
  stepSize: number;
  maxStep: number;
  /** Divergence maps: baselines from the training set or x's invariant samples, how many, and GradientSHAP samples. */
  baseline: 'train' | 'invariant';
  background: number;
  samples: number;
}

/** Ranges the host enforces; integers except sigma, stepSize and maxStep (each > min). */
export const INVARIANCE_LIMITS = {
  sigma: { min: 0, max: 100 },
  count: { min: 1, max: 256 },
  curveExamples: { min: 1, max: 2000 },
  curveCount: { min: 1, max: 256 },
  stepSize: { min: 0, max: 1 },
  maxStep: { min: 0, max: 10 },
  background: { min: 1, max: 1024 },
  samples: { min: 1, max: 10_000 },
} as const;

export function defaultInvarianceSettings(): PanelInvarianceSettings {
  return { sigma: 1, count: 16, curveExamples: 100, curveCount: 20, stepSize: 0.05, maxStep: 2, baseline: 'train', background: 32, samples: 50 };
}

/** A decoded image on the panel's grid, with the class the classifier reads from its re-encoded z1. */
export interface PanelDecoded {
  values: number[];
  predicted: number;
}

interface PanelInvarianceBase {
  testIndex: number;
  checkpoint: string;
  classNames?: string[];
  latentDim: number;
  classDims: number;
  seconds: number;
  cached: boolean;
}

export interface PanelInvarianceSamples extends PanelInvarianceBase {
  kind: 'samples';
  input: PanelInput;
  predicted: number;
  sigma: number;
  reconstruction: PanelDecoded;
  samples: (PanelDecoded & { matches: boolean })[];
  matchRate: number;
}

export interface PanelInvarianceCurve extends PanelInvarianceBase {
  kind: 'curve';
  points: InvarianceCurvePoint[];
  /** σ = 0: the share of reconstructions keeping the class. */
  reconstruction: number;
  examples: number;
  count: number;
}

export interface PanelCounterfactual {
  classIndex: number;
  available: boolean;
  reached: boolean;
  step: number;
  distance: number;
  probability: number;
  decoded?: PanelDecoded;
}

export interface PanelInvarianceCounterfactuals extends PanelInvarianceBase {
  kind: 'counterfactuals';
  input: PanelInput;
  predicted: number;
  stepSize: number;
  maxStep: number;
  counterfactuals: PanelCounterfactual[];
}

export interface PanelInvarianceDivergence extends PanelInvarianceBase {
  kind: 'divergence';
  input: PanelInput;
  predicted: number;
  baseline: 'train' | 'invariant';
  background: number;
  samples: number;
  /** k = 1 (class units z1) and k = 2 (nuisance units z2), on the input's grid, with Σ map against the mean divergence. */
  maps: { k: 1 | 2; map: PanelMap; absoluteSum: number }[];
}

export type PanelInvariance = PanelInvarianceSamples | PanelInvarianceCurve | PanelInvarianceCounterfactuals | PanelInvarianceDivergence;

/** Sent by the webview's invariance buttons (one per kind): samples, the curve, counterfactuals or divergence maps of a supervised VAE run. */
export const PanelInvarianceRequest = defineRequest<{ testIndex: number; checkpoint?: string; kind: InvarianceKind; settings: PanelInvarianceSettings }, PanelInvariance>(
  'panel/invariance',
  60 * 60_000,
);
