/**
 * Host <-> engine channel. The host (extension host or CLI) forks the engine
 * and sends every request below; the engine answers. The engine sends the
 * notifications. Payloads cross Node IPC with `serialization: 'advanced'`,
 * so Float32Array fields arrive as typed arrays, never as JSON number lists.
 */
import { defineNotification, defineRequest } from './rpc';

export type BackendName = 'tensorflow' | 'wasm' | 'cpu';

export interface BackendInfo {
  name: BackendName;
  /** Why better backends were skipped, one line each. */
  skipped: string[];
  tfjsVersion: string;
  /** V8's heap limit in the engine process (v8.getHeapStatistics), in MB; absent from older engines. */
  heapLimitMb?: number;
}

/** Sent by the host once after forking. */
export const InitializeRequest = defineRequest<{ preferredBackend?: BackendName }, BackendInfo>('engine/initialize', 120_000);

export interface DatasetSummary {
  file: string;
  count: number;
  /** Per-example shape, e.g. [28, 28, 1]. */
  exampleShape: number[];
  hasLabels: boolean;
}

export interface CheckpointSummary {
  path: string;
  epoch: number;
  learningRate: number;
}

export interface RunSummary {
  manifestPath: string;
  name: string;
  script?: string;
  checkpoints: CheckpointSummary[];
  train: DatasetSummary;
  test: DatasetSummary;
  classNames?: string[];
  lossKind: string;
  representationLayer: string;
}

/** Sent by the host: validates the manifest and its data and returns what the panel needs to show pickers. */
export const OpenRunRequest = defineRequest<{ manifestPath: string }, RunSummary>('run/open', 300_000);

export interface ExamplePixels {
  index: number;
  /** Display values, row-major over `shape`. */
  values: Float32Array;
  label?: number;
  labelName?: string;
}

export interface ExamplesResult {
  shape: number[];
  examples: ExamplePixels[];
}

/** Sent by the host to fetch raw examples (thumbnails, the picked test image). */
export const GetExamplesRequest = defineRequest<{ manifestPath: string; split: 'train' | 'test'; indices: number[] }, ExamplesResult>('run/examples', 60_000);

export interface Completeness {
  /** Sum of the attributions. */
  sum: number;
  /** g(x) - g(baseline): what the sum should equal. */
  expected: number;
}

export interface SaliencyResult {
  method: string;
  labelFree: boolean;
  shape: number[];
  values: Float32Array;
  completeness?: Completeness;
}

export interface ScoredExample {
  index: number;
  score: number;
  label?: number;
  labelName?: string;
}

export interface ExampleExplanation {
  index: number;
  label?: number;
  labelName?: string;
  saliency: SaliencyResult;
  proponents: ScoredExample[];
  opponents: ScoredExample[];
}

export interface ExplainParams {
  manifestPath: string;
  /** Checkpoint path as written in the manifest; the last checkpoint when absent. */
  checkpoint?: string;
  testIndices: number[];
  /** Integrated-gradients steps. */
  steps?: number;
  topK?: number;
}

export interface ExplainResult {
  backend: BackendName;
  checkpoint: string;
  examples: ExampleExplanation[];
  /** Seconds per phase. */
  timings: Record<string, number>;
}

/** Sent by the host: label-free saliency and TracIn proponents/opponents for some test examples. */
export const ExplainRequest = defineRequest<ExplainParams, ExplainResult>('explain/examples', 60 * 60_000);

/** Sent by the host every few seconds; the engine answers from its main loop, so a reply proves the event loop is turning. */
export const HeartbeatRequest = defineRequest<Record<string, never>, void>('engine/heartbeat', 5_000);

/** Sent by the host before it goes away; the engine disposes and exits. */
export const ShutdownRequest = defineRequest<Record<string, never>, void>('engine/shutdown', 10_000);

export interface LogParams {
  level: 'info' | 'warn' | 'error';
  message: string;
}

/** Sent by the engine: a line for the host's engine log. */
export const LogNotification = defineNotification<LogParams>('engine/log');

/*
 * Feature attribution and its checks. The host (panel or CLI) sends every
 * request below and the engine answers; long ones report progress and stop
 * at the next batch boundary when cancelled. Params are validated by the
 * engine, and a bad one is answered with an `invalidParams` error naming the field.
 */

export const ATTRIBUTE_METHOD_NAMES = [
  'saliency',
  'gradientXInput',
  'integratedGradients',
  'gradientShap',
  'smoothGrad',
  'occlusion',
  'featureAblation',
  'kernelShap',
  'lime',
  'deepLift',
  'lrp',
] as const;
export type AttributeMethodName = (typeof ATTRIBUTE_METHOD_NAMES)[number];

/**
 * A method and its settings, as the engine's attribution request JSON, e.g.
 * `{ method: 'integratedGradients', steps: 64, rule: 'gauss_legendre' }`,
 * `{ method: 'smoothGrad', base: { method: 'saliency' }, samples: 50 }`,
 * `{ method: 'deepLift' }` or `{ method: 'lrp', rule: 'epsilon', epsilon: 0.01 }`.
 * Settings left out get defaults; the perturbation methods' feature groups and
 * the occlusion window default from the example shape (superpixels for images,
 * one group per column for tabular rows).
 */
export interface AttributeMethodSpec {
  method: AttributeMethodName;
  [setting: string]: unknown;
}

/** What is explained. Class targets need a model with a class output; the others use the manifest's representation layer (μ for a VAE). */
export type AttributeTargetSpec =
  /** One class score; the predicted class when classIndex is absent. */
  | { kind: 'class'; classIndex?: number }
  /** b_i = a_i(Σ_j p_j(x) p_j, x), the class probabilities at x held fixed. */
  | { kind: 'probabilityWeighted' }
  /** g_x(x~) = <f(x), f(x~)> on the representation layer. */
  | { kind: 'labelFree' }
  | { kind: 'latentUnit'; unit: number }
  /** One map per unit of the representation layer. */
  | { kind: 'allUnits' };

/** The target as it was explained: class targets name the class the argmax picked. */
export type ResolvedAttributeTarget =
  | { kind: 'class'; classIndex: number; className?: string }
  | { kind: 'probabilityWeighted' }
  | { kind: 'labelFree' }
  | { kind: 'latentUnit'; unit: number }
  | { kind: 'allUnits'; units: number };

/** Reference input for the methods that take one; ignored by the others. 'mean' is the training-set mean. */
export type AttributeBaselineSpec =
  | { kind: 'zeros' }
  | { kind: 'constant'; value: number }
  | { kind: 'mean' }
  | { kind: 'blur'; sigma: number }
  | { kind: 'uniform'; low?: number; high?: number; seed?: number }
  | { kind: 'file'; values: Float32Array; shape: number[]; file?: string };

interface CheckpointChoice {
  manifestPath: string;
  /** Checkpoint path as written in the manifest; the last checkpoint when absent. */
  checkpoint?: string;
}

export interface AttributeParams extends CheckpointChoice {
  testIndex: number;
  method: AttributeMethodSpec;
  target: AttributeTargetSpec;
  /** Folded into the method's settings when the method takes a baseline; naming one in both places is an error. */
  baseline?: AttributeBaselineSpec;
  /** Model evaluations per batch; changes speed and memory, not results. */
  batchSize?: number;
}

export interface AttributionMap {
  /** The latent unit this map explains (allUnits targets). */
  unit?: number;
  /** Row-major over the result's `shape`. */
  values: Float32Array;
  /** For methods that promise completeness (IG, DeepLIFT, LRP, KernelSHAP, ...). */
  completeness?: Completeness;
}

export interface AttributeResult {
  method: AttributeMethodName;
  /** The settings after defaults and baseline folding: what actually ran. */
  settings: AttributeMethodSpec;
  target: ResolvedAttributeTarget;
  /** True when no label or class was used (labelFree, latentUnit, allUnits). */
  labelFree: boolean;
  shape: number[];
  /** Feature names of tabular examples, from the dataset header. */
  columns?: string[];
  maps: AttributionMap[];
  /** Caveats worth showing beside the map, e.g. that propagation methods explain the logits. */
  notes?: string[];
  /** Served from the engine's result cache. */
  cached: boolean;
  seconds: number;
}

export const AttributeRequest = defineRequest<AttributeParams, AttributeResult>('attribution/run', 30 * 60_000);

export const MAX_UNIT_EXAMPLES = 64;

export interface LatentUnitsParams extends CheckpointChoice {
  /** At most MAX_UNIT_EXAMPLES. */
  testIndices: number[];
  method: AttributeMethodSpec;
  baseline?: AttributeBaselineSpec;
  /** Send the per-unit maps back (default true); the statistics are computed either way. */
  includeMaps?: boolean;
  /** A feature counts for the entropy when its total |attribution| exceeds this fraction of the example's largest (default 1e-3). */
  relativeThreshold?: number;
  batchSize?: number;
}

export interface LatentUnitsExample {
  index: number;
  /** maps[j] explains unit j. */
  maps?: AttributionMap[];
  /** Mean saliency entropy S(i, x) over the salient features; NaN when none is salient. */
  entropy: number;
  salientCount: number;
}

export interface LatentUnitsResult {
  method: AttributeMethodName;
  settings: AttributeMethodSpec;
  shape: number[];
  columns?: string[];
  units: number;
  examples: LatentUnitsExample[];
  /** E_x of the per-example entropy, over the examples with a salient feature. */
  averageEntropy: number;
  /** S_max = ln d_H. */
  maxEntropy: number;
  /** Pearson r_ij between unit maps, averaged over examples; row-major units x units, NaN where undefined. */
  correlation: number[];
  /** Mean of r_ij over i != j. */
  meanCorrelation: number;
  /** Examples served from the cache. */
  cachedCount: number;
  seconds: number;
}

export const LatentUnitsRequest = defineRequest<LatentUnitsParams, LatentUnitsResult>('attribution/units', 60 * 60_000);

export interface ConsistencyParams extends CheckpointChoice {
  testIndices: number[];
  method: AttributeMethodSpec;
  /** Any target but allUnits. */
  target: AttributeTargetSpec;
  /** The attribution baseline, also written into the masked features (default zeros). */
  baseline?: AttributeBaselineSpec;
  /** Fractions of features masked, default [0.05, 0.1, 0.2, 0.5]. */
  fractions?: number[];
  /** Random masks per fraction and example, default 10. */
  randomMasks?: number;
  seed?: number;
  /** Rank features by signed attribution (default) or by its absolute value. */
  rankBy?: 'value' | 'absolute';
  batchSize?: number;
}

export interface MeanStdCurve {
  mean: number[];
  std: number[];
}

export interface ConsistencyResult {
  method: AttributeMethodName;
  settings: AttributeMethodSpec;
  target: AttributeTargetSpec;
  /** 'shift' = ||f(x) - f(m ⊙ x)|| on the representation; 'drop' = p_k(x) - p_k(m ⊙ x) for the explained (or predicted) class. */
  measure: 'shift' | 'drop';
  fractions: number[];
  maskedCounts: number[];
  /** Masking the top-M% features: mean ± std over examples. */
  top: MeanStdCurve;
  /** Random masks of the same size: mean ± std over all examples' masks. */
  random: MeanStdCurve;
  perExample: Array<{ index: number; top: number[]; randomMean: number[] }>;
  seconds: number;
}

export const ConsistencyRequest = defineRequest<ConsistencyParams, ConsistencyResult>('checks/consistency', 60 * 60_000);

export interface SanityCheckParams extends CheckpointChoice {
  testIndex: number;
  method: AttributeMethodSpec;
  /** Any target but allUnits. */
  target: AttributeTargetSpec;
  baseline?: AttributeBaselineSpec;
  seed?: number;
  /** Layers to randomise, output side first. Default: the trainable layers from the top down, stopping at the representation layer's inputs for representation targets. */
  layers?: string[];
  batchSize?: number;
}

export interface SanityCheckStep {
  /** Null for the first step, which randomises nothing (the method's own run-to-run noise). */
  layer: string | null;
  randomizedLayers: string[];
  spearman: number;
  spearmanAbsolute: number;
}

export interface SanityCheckResult {
  method: AttributeMethodName;
  settings: AttributeMethodSpec;
  target: ResolvedAttributeTarget;
  steps: SanityCheckStep[];
  seconds: number;
}

export const SanityCheckRequest = defineRequest<SanityCheckParams, SanityCheckResult>('checks/sanity', 60 * 60_000);

export const MAX_COMPARE_EXAMPLES = 1024;

export interface CompareRepresentationsParams extends CheckpointChoice {
  /** The second encoder: another manifest, another checkpoint, or both. */
  other: { manifestPath?: string; checkpoint?: string };
  /** Test examples of the first run, explained by both encoders; at most MAX_COMPARE_EXAMPLES. */
  testIndices: number[];
  /** Default: integrated gradients. */
  method?: AttributeMethodSpec;
  baseline?: AttributeBaselineSpec;
  batchSize?: number;
}

export interface ComparedEncoder {
  manifestPath: string;
  checkpoint: string;
  representationLayer: string;
}

export interface CompareRepresentationsResult {
  method: AttributeMethodName;
  settings: AttributeMethodSpec;
  a: ComparedEncoder;
  b: ComparedEncoder;
  /** Pearson r of the two label-free maps per example: mean ± std over examples where it is defined. */
  mean: number;
  std: number;
  perExample: Array<{ index: number; pearson: number }>;
  /** Examples whose r is undefined (a constant map). */
  undefinedCount: number;
  /** r over all (example, feature) pairs pooled. */
  pooled: number;
  seconds: number;
}

export const CompareRepresentationsRequest = defineRequest<CompareRepresentationsParams, CompareRepresentationsResult>('checks/compareRepresentations', 60 * 60_000);

/*
 * Example importance: which training examples made a prediction. The host
 * (panel or CLI) sends every request below and the engine answers; long ones
 * report progress (with an ETA once it can be estimated) and stop at the next
 * batch boundary when cancelled. Every method is label-free or supervised
 * through the manifest's loss, over the manifest's relevant parameters.
 */

export const EXAMPLE_METHOD_NAMES = ['tracin', 'influence', 'deepKnn', 'simplex'] as const;
export type ExampleMethodName = (typeof EXAMPLE_METHOD_NAMES)[number];

/** How TracIn-CP forms the gradient dot products. */
export const TRACIN_MODES = ['sketch', 'exact', 'lastLayers'] as const;
export type TracInMode = (typeof TRACIN_MODES)[number];

export type ExampleMethodSpec =
  /**
   * TracIn-CP, Σ_t η_t <∇L(x, θ_t), ∇L(xⁿ, θ_t)> over the manifest's checkpoints.
   * 'sketch' (default) answers from the on-disk gradient index (random
   * projections to `sketchDim`, built on first use and cached under
   * .modeldebug/cache); 'exact' uses every relevant parameter exactly;
   * 'lastLayers' uses the last `lastLayers` relevant layers exactly.
   */
  | { method: 'tracin'; mode?: TracInMode; sketchDim?: number; lastLayers?: number }
  /**
   * Influence functions −∇L(x)ᵀ H⁻¹ ∇L(xⁿ) at the chosen checkpoint.
   * 'lissa': recursion `depth` (100), `scale` (default 1.5 × the estimated
   * largest Hessian eigenvalue), `damping`, `samples` per recursion;
   * divergence is an error, never NaNs. 'arnoldi': low-rank
   * inverse of rank `rank` from `iterations` Arnoldi steps (the fast option).
   */
  | { method: 'influence'; inverse?: 'lissa' | 'arnoldi'; depth?: number; scale?: number; damping?: number; samples?: number; rank?: number; iterations?: number }
  /** Inverse latent distance 1/(‖f(x) − f(xⁿ)‖ + ε) on the representation layer; every example scored. */
  | { method: 'deepKnn' }
  /** SimplEx softmax weights fitted with Adam for `epochs` (lr `learningRate`), over the `nearest` latent neighbours or the whole corpus. */
  | { method: 'simplex'; epochs?: number; learningRate?: number; nearest?: number };

/** A training example in a ranking. */
export interface RankedExample extends ScoredExample {
  /** 0-based data row in the dataset file (not counting a header); equal to the index for binary files. */
  row: number;
  /** 1-based physical line of the row in the run's `trainFile`, for line-oriented files (CSV, JSONL, labels.csv). */
  line?: number;
  /** Latent distance, for representation methods. */
  distance?: number;
}

export const MAX_IMPORTANCE_EXAMPLES = 256;

export interface ExampleImportanceParams extends CheckpointChoice {
  /** Test examples to explain; at most MAX_IMPORTANCE_EXAMPLES. */
  testIndices: number[];
  method: ExampleMethodSpec;
  /** How many proponents and opponents (or most and least similar) to list; default 5. */
  topK?: number;
  /** Send every training example's score back (consistency, correlation); default false. */
  includeScores?: boolean;
  batchSize?: number;
}

export interface SimplexSummary {
  /** ‖f(x) − Σ λⁿ f(xⁿ)‖ in latent space. */
  reconstructionError: number;
  relativeError: number;
  corpusSize: number;
}

export interface ExampleImportanceExample {
  index: number;
  label?: number;
  labelName?: string;
  /**
   * Gradient methods: the top-k scores (helpful examples). Representation
   * methods: the most similar examples (Deep-KNN) or the largest SimplEx weights.
   */
  proponents: RankedExample[];
  /** Gradient methods: the k lowest scores. Empty for representation methods, which have no opponents. */
  opponents: RankedExample[];
  /** Representation methods: the k least similar examples, which are not opponents. */
  leastSimilar?: RankedExample[];
  simplex?: SimplexSummary;
  /** Every training example's score, when includeScores was set. */
  scores?: Float32Array;
}

export interface GradientIndexUse {
  sketchDim: number;
  /** Checkpoints whose index was built (or finished) by this request. */
  built: number;
  /** Checkpoints whose index was already complete on disk. */
  reused: number;
}

export interface ExampleImportanceResult {
  method: ExampleMethodName;
  /** The settings after defaults: what actually ran. */
  settings: ExampleMethodSpec;
  /** 'gradient' methods have opponents; 'representation' methods list least similar examples instead. */
  family: 'gradient' | 'representation';
  /** For gradient methods, whether a higher score means more helpful (TracIn) or the reverse (influence functions, whose helpful examples score negative; the lists are ordered by helpfulness either way). */
  higherIsHelpful: boolean;
  labelFree: boolean;
  checkpoint: string;
  trainCount: number;
  /** The dataset file whose rows `row` counts: the labels file when there is one. */
  trainFile: string;
  examples: ExampleImportanceExample[];
  index?: GradientIndexUse;
  notes?: string[];
  /** Seconds per phase (e.g. gradients, index, query). */
  timings: Record<string, number>;
  seconds: number;
}

/** Sent by the host: proponents and opponents (or most/least similar examples) of some test examples. */
export const ExampleImportanceRequest = defineRequest<ExampleImportanceParams, ExampleImportanceResult>('examples/importance', 4 * 60 * 60_000);

export interface BuildGradientIndexParams {
  manifestPath: string;
  sketchDim?: number;
  batchSize?: number;
}

export interface GradientIndexCheckpoint {
  path: string;
  /** The cache folder's key: a hash of the checkpoint's bytes and the settings. */
  key: string;
  /** Seconds spent building this checkpoint's part now (0 when reused). */
  seconds: number;
  computedChunks: number;
  totalChunks: number;
}

export interface BuildGradientIndexResult {
  sketchDim: number;
  trainCount: number;
  cacheDir: string;
  checkpoints: GradientIndexCheckpoint[];
  seconds: number;
}

/** Sent by the host: builds (or resumes) the gradient-sketch index of every checkpoint, so TracIn queries take one matrix product per checkpoint. */
export const BuildGradientIndexRequest = defineRequest<BuildGradientIndexParams, BuildGradientIndexResult>('examples/buildIndex', 8 * 60 * 60_000);

export const SELF_INFLUENCE_METHODS = ['tracin', 'influence'] as const;
export type SelfInfluenceMethod = (typeof SELF_INFLUENCE_METHODS)[number];

export interface SelfInfluenceParams extends CheckpointChoice {
  /** 'tracin': Σ_t η_t ‖∇L(xⁿ, θ_t)‖² (from the gradient index). 'influence': ∇L(xⁿ)ᵀ H⁻¹ ∇L(xⁿ) with the Arnoldi inverse. */
  method: SelfInfluenceMethod;
  /** How many of the highest to list; default 20. */
  topK?: number;
  batchSize?: number;
}

export interface SelfInfluenceResult {
  method: SelfInfluenceMethod;
  /** One per training example. */
  scores: Float32Array;
  top: RankedExample[];
  trainFile: string;
  seconds: number;
}

export const SelfInfluenceRequest = defineRequest<SelfInfluenceParams, SelfInfluenceResult>('examples/selfInfluence', 8 * 60 * 60_000);

export const SUSPICION_SIGNALS = ['selfInfluence', 'neighbourDisagreement', 'lowLabelProbability'] as const;
export type SuspicionSignal = (typeof SUSPICION_SIGNALS)[number];

export interface SuspiciousParams extends CheckpointChoice {
  /** How many to return, most suspicious first; default 100. */
  limit?: number;
  /** Neighbours in the label vote; default 10. */
  neighbours?: number;
  /** Signals to combine; default all that apply (lowLabelProbability needs a class output). */
  signals?: SuspicionSignal[];
  batchSize?: number;
}

export interface SuspicionReasonInfo {
  signal: SuspicionSignal;
  value: number;
  /** 0..100, higher is more suspicious. */
  percentile: number;
  /** The reason in words and numbers, e.g. "9 of 10 nearest neighbours are labelled 'Shirt'". */
  text: string;
}

export interface SuspiciousTrainingExample {
  index: number;
  row: number;
  /** 1-based physical line in `trainFile`, for line-oriented files. */
  line?: number;
  label: number;
  labelName?: string;
  /** Mean percentile of the scored signals, 0..100 (self-influence is scored only under a cross-entropy loss; otherwise it is shown but not scored). */
  score: number;
  reasons: SuspicionReasonInfo[];
  suggestedLabel?: number;
  suggestedLabelName?: string;
  suggestionSource?: 'neighbours' | 'model';
}

export interface SuspiciousResult {
  checkpoint: string;
  signals: SuspicionSignal[];
  trainCount: number;
  trainFile: string;
  examples: SuspiciousTrainingExample[];
  timings: Record<string, number>;
  seconds: number;
}

/** Sent by the host: training examples whose labels look wrong, each with its reasons in numbers and a suggested label. */
export const SuspiciousRequest = defineRequest<SuspiciousParams, SuspiciousResult>('examples/suspicious', 8 * 60 * 60_000);

export const SIMILARITY_RATE_MS = [1, 5, 10, 20, 50] as const;

export interface BoxStats {
  min: number;
  q1: number;
  median: number;
  q3: number;
  max: number;
  mean: number;
}

export interface ExampleConsistencyParams extends CheckpointChoice {
  /** Test examples; the similarity rate needs their labels and the training labels. */
  testIndices: number[];
  methods: ExampleMethodSpec[];
  /** Default SIMILARITY_RATE_MS. */
  ms?: number[];
  batchSize?: number;
}

export interface MethodSimilarityRates {
  method: ExampleMethodName;
  settings: ExampleMethodSpec;
  /** Per M: the share of the top-M examples that share the test example's label, over test examples. */
  top: BoxStats[];
  /** Per M: the same for the bottom-M (opponents or least similar). */
  bottom: BoxStats[];
  perExample: Array<{ index: number; top: number[]; bottom: number[] }>;
}

export interface ExampleConsistencyResult {
  ms: number[];
  methods: MethodSimilarityRates[];
  seconds: number;
}

/** Sent by the host: the similarity-rate consistency check of the label-free paper, as box plots per method. */
export const ExampleConsistencyRequest = defineRequest<ExampleConsistencyParams, ExampleConsistencyResult>('examples/consistency', 8 * 60 * 60_000);

export interface CompareExampleImportanceParams extends CheckpointChoice {
  /** The second encoder: another manifest, another checkpoint, or both; not the first encoder again. Both must share the training set. */
  other: { manifestPath?: string; checkpoint?: string };
  testIndices: number[];
  method: ExampleMethodSpec;
  batchSize?: number;
}

/**
 * Which checkpoints a comparison's scores come from. 'chosen': each encoder's
 * own checkpoint only. Always so for influence functions and the
 * representation methods; for TracIn when both encoders are checkpoints of
 * one run, scored by single-checkpoint TracIn η_c <∇L(x, θ_c), ∇L(x', θ_c)>,
 * since the sum over all the run's checkpoints would give both sides the same
 * scores and r = 1 by construction. 'eachRun': TracIn summed over all
 * checkpoints of each encoder's run (two different runs).
 */
export type ComparedCheckpoints = 'chosen' | 'eachRun';

export interface CompareExampleImportanceResult {
  method: ExampleMethodName;
  a: ComparedEncoder;
  b: ComparedEncoder;
  /** Which checkpoints the scores come from (see ComparedCheckpoints): hosts show it beside r. */
  scoredCheckpoints: ComparedCheckpoints;
  /** Pearson r between the two encoders' scores over all training examples, per test example: mean ± std. */
  mean: number;
  std: number;
  perExample: Array<{ index: number; pearson: number }>;
  seconds: number;
}

/** Sent by the host: how much two encoders agree on which training examples matter. */
export const CompareExampleImportanceRequest = defineRequest<CompareExampleImportanceParams, CompareExampleImportanceResult>('examples/compare', 8 * 60 * 60_000);

/*
 * Unsupervised and semantic explanations (issue 6). The host (panel or CLI)
 * sends both requests below and the engine answers; both report progress and
 * stop at the next batch (or restart, or draw) boundary when cancelled.
 *
 * NEON (Montavon et al., "Explaining the Predictions of Unsupervised Learning
 * Models"): an unsupervised model (k-means or a Gaussian KDE) is fitted on the
 * training set, in input space or on the manifest's representation layer,
 * rewritten as a neural network, and its output for a test example is
 * explained by relevance propagation. In representation space the relevance
 * is grounded on the layer's activations (the paper's Appendix A) and carried
 * down to the input by LRP-ε (ε = 0.01) through the encoder.
 */

export const NEON_SPACES = ['input', 'representation'] as const;
export type NeonSpace = (typeof NEON_SPACES)[number];

export const NEON_EXPLAINED = ['clusterMembership', 'outlierness', 'inlierness'] as const;
/** clusterMembership needs a k-means model; outlierness and inlierness need a KDE. */
export type NeonExplained = (typeof NEON_EXPLAINED)[number];

export type NeonModelSpec =
  /** k-means with k-means++ seeding, restarted `nInit` times (default 10), seeded by `seed` (default: the request's seed). 2 <= k <= 256. */
  | { kind: 'kmeans'; k: number; nInit?: number; seed?: number }
  /**
   * Gaussian KDE p̃(x) = (1/N) Σ_k exp(−γ ‖x − u_k‖²). `gamma` defaults to the
   * median heuristic γ = 1 / median ‖u_k − u_l‖² over the pairs of a seeded
   * sample of at most 512 of the fitted points.
   */
  | { kind: 'kde'; gamma?: number };

/** At most this many test examples per NEON request. */
export const MAX_NEON_EXAMPLES = 64;
/** Default number of training examples fitted on, in input space (a seeded subsample when the training set is larger). */
export const DEFAULT_NEON_FIT_EXAMPLES_INPUT = 2000;
/** Default number of training examples fitted on, in representation space. */
export const DEFAULT_NEON_FIT_EXAMPLES_REPRESENTATION = 10_000;
/** Upper bound of `fitExamples`. */
export const MAX_NEON_FIT_EXAMPLES = 100_000;

export interface NeonParams {
  manifestPath: string;
  /** Checkpoint path as written in the manifest; the last checkpoint when absent. Only the representation space uses it. */
  checkpoint?: string;
  /** Fit and explain on the raw inputs, or on the manifest's representationLayer (relevance then continues to the input by LRP). */
  space: NeonSpace;
  model: NeonModelSpec;
  explain: NeonExplained;
  /** Test examples, at most MAX_NEON_EXAMPLES. */
  testIndices: number[];
  /**
   * Soft-argmin stiffness of the min-pooling layer. Default: k-means 1 / mean_{k≠c} ‖μ_c − μ_k‖²;
   * outlierness γ (the KDE's own responsibilities). Not used by inlierness.
   */
  beta?: number;
  /** Inlierness: random Fourier features H per draw (default 2,500, at most 20,000). */
  features?: number;
  /** Inlierness: independent draws of the random features behind the error bars (default 10, 2..100). */
  draws?: number;
  /**
   * Training examples fitted on: a seeded subsample when fewer than the training set.
   * Default: all, capped at DEFAULT_NEON_FIT_EXAMPLES_INPUT (input space) or
   * DEFAULT_NEON_FIT_EXAMPLES_REPRESENTATION (representation space); at most MAX_NEON_FIT_EXAMPLES.
   */
  fitExamples?: number;
  /** Seeds the fit subsample, the median-heuristic pairs, the random-feature draws and (by default) k-means++. Default 0. */
  seed?: number;
  /** Examples per batch when computing training representations. */
  batchSize?: number;
}

export interface NeonConservation {
  /** Σ_i R_i over the input. */
  relevanceSum: number;
  /** The explained value (f_c, o(x) or î(x)). */
  value: number;
  /** value − relevanceSum: what the rules dissipated (the ε stabilisers, the ungrounded residual, LRP's biases). */
  dissipated: number;
  /** Representation space: Σ of the relevance grounded on the layer's activations, before LRP. */
  representationSum?: number;
  /** Representation space: value − representationSum, the part Appendix A could not ground on the activations. */
  groundedResidual?: number;
}

export interface NeonExample {
  index: number;
  label?: number;
  labelName?: string;
  /** Relevance of every input value, row-major over `shape`. Inlierness: the mean over the draws. */
  relevance: Float32Array;
  /** f_c(x) for cluster membership, o(x) = −(1/γ) log p̃(x) for outlierness, î(x) (mean over draws) for inlierness. */
  value: number;
  /** k-means: the cluster x is assigned to (the explained c). */
  cluster?: number;
  conservation: NeonConservation;
  /** Inlierness: sample standard deviation of each R_i over the draws, row-major over `shape`. */
  relevanceStd?: Float32Array;
  /** Inlierness: standard deviation of î(x) over the draws. */
  valueStd?: number;
  /** Inlierness: p̃(x) summed exactly, which î(x) approximates. */
  exactDensity?: number;
}

export interface NeonKMeansSummary {
  kind: 'kmeans';
  k: number;
  nInit: number;
  seed: number;
  /** Σ_n min_c ‖x_n − μ_c‖² after every restart; the lowest was kept. */
  restartObjectives: number[];
  objective: number;
  /** Lloyd iterations of the kept restart. */
  iterations: number;
  /** Fitted points per cluster. */
  clusterSizes: number[];
  /** Centroids, row-major [k, dim] in the fitted space. */
  centroids: Float32Array;
}

export interface NeonKdeSummary {
  kind: 'kde';
  gamma: number;
  /** 'median': the median heuristic chose γ; 'given': the request did. */
  gammaSource: 'median' | 'given';
}

export interface NeonResult {
  space: NeonSpace;
  explain: NeonExplained;
  /** The checkpoint used (representation space), or undefined in input space. */
  checkpoint?: string;
  /** The representation layer (representation space). */
  layer?: string;
  /** Per-example input shape of `relevance`. */
  shape: number[];
  /** Feature column names for tabular data. */
  columns?: string[];
  /** Dimension of the fitted space. */
  dim: number;
  /** Training examples fitted on, and whether that was a seeded subsample. */
  fitCount: number;
  subsampled: boolean;
  model: NeonKMeansSummary | NeonKdeSummary;
  /** The fitted model came from the engine's cache (same checkpoint, space, settings and training set). */
  cached: boolean;
  /** Settings after defaults: what actually ran. */
  settings: { beta?: number; features?: number; draws?: number; seed: number };
  examples: NeonExample[];
  /** Seconds per phase (representations, fit, explain). */
  timings: Record<string, number>;
  seconds: number;
}

/** Sent by the host: NEON explanations of k-means cluster membership, KDE outlierness or inlierness for some test examples. */
export const NeonRequest = defineRequest<NeonParams, NeonResult>('unsupervised/neon', 60 * 60_000);

/*
 * Semantic Shapley values (Frye et al., "Human-interpretable model
 * explainability on high-dimensional data"): Shapley values of features of a
 * semantic representation z(x) (e.g. Fourier radius bins), with v(S) the
 * model's expected class probability on decoded hybrids
 * x(z_S(x) ⊔ z_S̄(x')) over background training examples x'.
 */

export type SemanticRepresentationSpec =
  /** Real 2-D DFT of each image channel; the modes are grouped into `bins` equal-width radius bins (default 6, 1..64). */
  | { kind: 'fourier'; bins?: number }
  /**
   * A VAE's latent space, one feature per latent unit: z(x) = μ (the VAE run's
   * `vae.muLayer`) of its encoder checkpoint `checkpoint` (default: the last),
   * x(z) = the decoder that run declares for that checkpoint
   * (`checkpoints[i].decoder`, or `vae.decoder` for the last). `manifestPath`
   * names the VAE run (default: the request's own manifest); the explained
   * classifier is the request's. A run without a declared decoder is refused
   * with invalidParams.
   */
  | { kind: 'vae'; manifestPath?: string; checkpoint?: string };

/** At most this many test examples per semantic Shapley request. */
export const MAX_SEMANTIC_EXAMPLES = 256;
export const DEFAULT_SEMANTIC_BACKGROUND = 32;
export const MAX_SEMANTIC_BACKGROUND = 1024;

export interface SemanticShapleyParams {
  manifestPath: string;
  checkpoint?: string;
  representation: SemanticRepresentationSpec;
  /** The class probability explained: `classIndex`, or each example's predicted class when absent. Needs a model with a class output. */
  target: { kind: 'class'; classIndex?: number };
  /** Test examples, at most MAX_SEMANTIC_EXAMPLES. */
  testIndices: number[];
  /** 'local': values per example; 'global': also their mean and mean |value| over the examples. */
  scope: 'local' | 'global';
  /** Training examples marginalised over, a seeded sample (default DEFAULT_SEMANTIC_BACKGROUND, at most MAX_SEMANTIC_BACKGROUND and the training set). */
  background?: number;
  /** 'auto' (default): exact up to 12 features, permutation sampling above. */
  method?: 'auto' | 'exact' | 'permutation';
  /** Permutations sampled by the permutation method (antithetic pairs, so even; default 512). */
  samples?: number;
  /** Seeds the background sample and the permutations. Default 0. */
  seed?: number;
  /** Hybrids decoded and scored per model call. */
  batchSize?: number;
}

export interface SemanticShapleyExample {
  index: number;
  label?: number;
  labelName?: string;
  /** The explained class. */
  classIndex: number;
  className?: string;
  /** φ_i per feature, in featureNames order. */
  values: number[];
  /** Standard error of each φ_i (over the background examples when exact, Monte Carlo when sampled). */
  standardErrors: number[];
  /** v(N) = f_y(x(z(x))). */
  fullValue: number;
  /** v(∅): the mean over the background of f_y(x(z(x'))). */
  emptyValue: number;
  /** Σ φ_i − (v(N) − v(∅)); 0 up to rounding by efficiency. */
  efficiencyGap: number;
}

export interface SemanticShapleyGlobal {
  /** Mean of the local values per feature, with standard errors over the examples. */
  mean: number[];
  meanStandardErrors: number[];
  /** Mean |φ_i| per feature, with standard errors over the examples. */
  meanAbsolute: number[];
  meanAbsoluteStandardErrors: number[];
  /** Means over the examples of v(N) and v(∅). */
  fullValue: number;
  emptyValue: number;
  /** Σ mean_i − (fullValue − emptyValue). */
  efficiencyGap: number;
  examples: number;
}

export interface SemanticShapleyReply {
  checkpoint: string;
  representation:
    | { kind: 'fourier'; bins: number; edges: number[]; modesPerBin: number[] }
    /** The VAE run's manifest, its encoder checkpoint as written there, and the decoder as declared. */
    | { kind: 'vae'; latentDim: number; manifestPath: string; checkpoint: string; decoder: string };
  /** One per feature, e.g. "0.00–0.12 cycles/px" (Fourier) or "z3" (VAE; "z3 (class)" / "(nuisance)" for a supervised VAE). */
  featureNames: string[];
  method: 'exact' | 'permutation';
  /** Permutations per example (permutation method). */
  samples?: number;
  /** Training examples marginalised over. */
  backgroundIndices: number[];
  examples: SemanticShapleyExample[];
  /** Present when scope was 'global'. */
  global?: SemanticShapleyGlobal;
  /** Hybrids decoded and scored, over all examples. */
  evaluations: number;
  timings: Record<string, number>;
  seconds: number;
}

/** Sent by the host: semantic Shapley values of some test examples' class probabilities over the features of a semantic representation. */
export const SemanticShapleyRequest = defineRequest<SemanticShapleyParams, SemanticShapleyReply>('semantic/shapley', 60 * 60_000);

/*
 * Invariances of a supervised VAE (Nguyen and Rodríguez Martínez, "Learning
 * Invariances for Interpretability using Supervised VAE"): the manifest is the
 * VAE run itself, whose `vae.objective` must be 'supervised'. z = (z1, z2):
 * z1 = the first `vae.classDims` units (read by the run's latent classifier
 * p(y|z1)), z2 = the rest. A prediction is always argmax p(y | z1 = μ1(x)), μ the
 * encoder's `vae.muLayer`. The decoder and classifier are the ones the run
 * declares for the chosen checkpoint (`checkpoints[i].decoder` / `.classifier`,
 * or `vae.decoder` / `vae.classifier` for the last); a run declaring neither is
 * refused with invalidParams. Decoded images are in the data's own value range
 * (the decoder's output, as the test examples are shown), row-major over `shape`.
 */

export type InvarianceKind = 'samples' | 'curve' | 'counterfactuals' | 'divergence';
export const INVARIANCE_KINDS: readonly InvarianceKind[] = ['samples', 'curve', 'counterfactuals', 'divergence'];
/** Test examples per request for samples, counterfactuals and divergence. */
export const MAX_INVARIANCE_EXAMPLES = 64;
/** Test examples of one invariance curve. */
export const MAX_INVARIANCE_CURVE_EXAMPLES = 2000;
export const DEFAULT_INVARIANCE_CURVE_EXAMPLES = 100;
export const DEFAULT_INVARIANCE_SIGMAS: readonly number[] = [0.5, 1, 1.5, 2, 3, 4];
export const DEFAULT_INVARIANCE_SAMPLES = 16;
export const DEFAULT_INVARIANCE_CURVE_COUNT = 20;
export const MAX_INVARIANCE_COUNT = 256;

interface InvarianceCommon {
  /** The supervised VAE run's manifest. */
  manifestPath: string;
  /** Encoder checkpoint as written in the manifest; the last when absent. */
  checkpoint?: string;
  /** Seeds every draw (resampled units, baselines, GradientSHAP). Default 0. */
  seed?: number;
  /** Rows per model call; changes speed and memory, not results. */
  batchSize?: number;
}

/** Invariant samples: z1 = μ1(x) kept, z2 ~ N(0, σ² I) drawn `count` times, decoded. */
export interface InvarianceSamplesParams extends InvarianceCommon {
  kind: 'samples';
  /** At most MAX_INVARIANCE_EXAMPLES test examples. */
  testIndices: number[];
  /** Samples per example, default DEFAULT_INVARIANCE_SAMPLES, at most MAX_INVARIANCE_COUNT. */
  count?: number;
  /** Standard deviation of the resampled z2, default 1. */
  sigma?: number;
}

/**
 * The invariance test (the paper's Fig. 2): for each σ, the fraction of generated
 * samples (count per example) whose re-encoded sample keeps the example's
 * predicted class, resampling z2 ~ N(0, σ²) with z1 = μ1(x) kept (should stay
 * high), and the control resampling z1 ~ N(0, σ²) with z2 = μ2(x) kept (should drop).
 */
export interface InvarianceCurveParams extends InvarianceCommon {
  kind: 'curve';
  /** The test examples; when absent a seeded sample of `examples` of them. */
  testIndices?: number[];
  /** Default DEFAULT_INVARIANCE_CURVE_EXAMPLES, at most MAX_INVARIANCE_CURVE_EXAMPLES. */
  examples?: number;
  /** Default DEFAULT_INVARIANCE_SIGMAS; at most 32 values, each in (0, 100]. */
  sigmas?: number[];
  /** Samples per example and σ, default DEFAULT_INVARIANCE_CURVE_COUNT. */
  count?: number;
}

/**
 * Counterfactuals (the paper's Fig. 7): z1 moves on the straight line from μ1(x)
 * toward m_c, the mean of μ1 over the training examples the classifier predicts
 * as c (a seeded sample of `background` of them), z1(t) = μ1(x) + t (m_c − μ1(x)),
 * t = stepSize, 2·stepSize, ... up to maxStep, z2 = μ2(x) kept; the first t is
 * kept where p(y|z1(t)) predicts c ('latent') and, by default ('decoded'), the
 * decoded image re-encoded is predicted c too; z(t) is decoded.
 */
export interface InvarianceCounterfactualParams extends InvarianceCommon {
  kind: 'counterfactuals';
  testIndices: number[];
  /** Training examples whose μ1 make the class means; default 1000 (all when fewer). */
  background?: number;
  /** Default 0.05. */
  stepSize?: number;
  /** Default 2 (twice the way to the class mean). */
  maxStep?: number;
  /** 'decoded' (default): the decoded counterfactual must be read as c too; 'latent': p(y|z1(t)) alone. */
  criterion?: 'latent' | 'decoded';
}

/**
 * Eq. 9 attributed: d_k(x, x') = KL(q(z_k|x) ‖ q(z_k|x')) for k = 1 (class units)
 * and k = 2 (nuisance units), x fixed, explained by the project's GradientSHAP on
 * the segment between the baselines x' (training examples, or invariant samples
 * of x) and x. The maps are signed so that Σ map ≈ mean over the baselines of
 * d_k(x, x') (GradientSHAP at x of −d_k; completeness holds in expectation).
 */
export interface InvarianceDivergenceParams extends InvarianceCommon {
  kind: 'divergence';
  testIndices: number[];
  /** 'train' (default): a seeded sample of training examples; 'invariant': x's invariant samples (z2 ~ N(0, σ²)). */
  baseline?: 'train' | 'invariant';
  /** Baselines per example, default 32, at most 1024. */
  background?: number;
  /** σ of the invariant baselines' z2, default 1 ('invariant' only). */
  sigma?: number;
  /** GradientSHAP samples, default 50, at most 10,000. */
  samples?: number;
  /** GradientSHAP input noise σ, default 0. */
  noise?: number;
}

export type InvarianceParams = InvarianceSamplesParams | InvarianceCurveParams | InvarianceCounterfactualParams | InvarianceDivergenceParams;

/** What every reply says about the run. */
export interface InvarianceRunInfo {
  checkpoint: string;
  decoder: string;
  classifier: string;
  latentDim: number;
  classDims: number;
  classes: number;
  /** Per-example shape of the images (the test set's). */
  shape: number[];
  classNames?: string[];
  seconds: number;
}

export interface InvarianceExampleInfo {
  index: number;
  label?: number;
  labelName?: string;
  /** argmax p(y | μ1(x)). */
  predicted: number;
  /** μ(x), all latentDim units. */
  mu: number[];
}

export interface InvarianceSample {
  values: Float32Array;
  /** The drawn nuisance units. */
  z2: number[];
  /** argmax p(y | μ1 of the decoded sample). */
  predicted: number;
  matches: boolean;
}

export interface InvarianceSamplesExample extends InvarianceExampleInfo {
  /** decode(μ(x)) and its re-encoded prediction (σ = 0). */
  reconstruction: Float32Array;
  reconstructionPredicted: number;
  samples: InvarianceSample[];
  /** Fraction of samples whose prediction matches x's. */
  matchRate: number;
}

export interface InvarianceSamplesReply extends InvarianceRunInfo {
  kind: 'samples';
  sigma: number;
  count: number;
  examples: InvarianceSamplesExample[];
  /** Over all examples' samples. */
  matchRate: number;
}

export interface InvarianceCurvePoint {
  sigma: number;
  /** z2 resampled, z1 = μ1(x) kept: fraction of samples keeping the predicted class. */
  nuisance: number;
  /** z1 resampled, z2 = μ2(x) kept (the control). */
  classUnits: number;
  /** Samples per curve point (examples × count). */
  total: number;
}

export interface InvarianceCurveReply extends InvarianceRunInfo {
  kind: 'curve';
  testIndices: number[];
  count: number;
  points: InvarianceCurvePoint[];
  /** σ = 0: fraction of reconstructions decode(μ(x)) keeping the class. */
  reconstruction: number;
}

export interface InvarianceCounterfactual {
  classIndex: number;
  className?: string;
  /** False when no training example in the sample is predicted as this class. */
  available: boolean;
  /** The t kept (0 for the predicted class itself), or the last tried when the class was not reached. */
  step: number;
  /** Whether the criterion held at `step` (p(y|z1(t)) predicts the class, and with 'decoded' the decoded image is read as it). */
  reached: boolean;
  /** ‖z1(step) − μ1(x)‖. */
  distance: number;
  /** p(class | z1(step)). */
  probability: number;
  values?: Float32Array;
  /** argmax p(y | μ1 of the decoded counterfactual). */
  decodedPredicted?: number;
}

export interface InvarianceCounterfactualExample extends InvarianceExampleInfo {
  counterfactuals: InvarianceCounterfactual[];
}

export interface InvarianceCounterfactualReply extends InvarianceRunInfo {
  kind: 'counterfactuals';
  stepSize: number;
  maxStep: number;
  criterion: 'latent' | 'decoded';
  /** m_c per class (classDims values each; empty when unavailable) and how many training examples made it. */
  classMeans: number[][];
  classCounts: number[];
  backgroundCount: number;
  examples: InvarianceCounterfactualExample[];
}

export interface InvarianceDivergenceMap {
  /** 1: class units z1, 2: nuisance units z2. */
  k: 1 | 2;
  values: Float32Array;
  /** sum: Σ map; expected: mean d_k(x, x') over the baselines − d_k(x, x) (= 0). */
  completeness: Completeness;
  /** Σ |map|. */
  absoluteSum: number;
}

export interface InvarianceDivergenceExample extends InvarianceExampleInfo {
  maps: [InvarianceDivergenceMap, InvarianceDivergenceMap];
  /** The training examples used as baselines ('train'). */
  baselineIndices?: number[];
}

export interface InvarianceDivergenceReply extends InvarianceRunInfo {
  kind: 'divergence';
  baseline: 'train' | 'invariant';
  background: number;
  samples: number;
  examples: InvarianceDivergenceExample[];
}

export type InvarianceReply = InvarianceSamplesReply | InvarianceCurveReply | InvarianceCounterfactualReply | InvarianceDivergenceReply;

/** Sent by the host: invariant samples, the invariance test curve, counterfactuals or attributed Eq. 9 divergences of a supervised VAE run. */
export const InvarianceRequest = defineRequest<InvarianceParams, InvarianceReply>('vae/invariance', 60 * 60_000);
