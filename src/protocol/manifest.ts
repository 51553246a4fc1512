/**
 * The run manifest (`modeldebug.json`): one small file that ties a training run
 * together. The README documents the schema; `parseManifest` is its only reader,
 * so every consumer sees the same validation and the same error messages.
 * Paths inside the manifest are relative to the manifest's folder.
 */

export const MANIFEST_FILE_NAME = 'modeldebug.json';
export const MANIFEST_MAX_BYTES = 1 << 20;

export type DatasetFormat = 'idx' | 'npy' | 'npz' | 'csv' | 'jsonl' | 'png-folder';
export const DATASET_FORMATS: readonly DatasetFormat[] = ['idx', 'npy', 'npz', 'csv', 'jsonl', 'png-folder'];

export interface LabelSpec {
  /** A file holding one label per example: IDX, .npy, or CSV/JSONL (then `column` names the field). */
  path: string;
  format?: DatasetFormat;
  column?: string;
}

export interface DatasetSpec {
  path: string;
  /** Inferred from the file name when absent. */
  format?: DatasetFormat;
  /** Array name inside an .npz file. */
  key?: string;
  /** For CSV/JSONL: the label column inside the same file. */
  labelColumn?: string;
  /** For CSV/JSONL: the feature columns; all numeric columns but the label when absent. */
  featureColumns?: string[];
  /** Labels kept in a separate file. */
  labels?: LabelSpec;
  /** Multiplies raw values, e.g. 1/255 for 8-bit images. */
  scale?: number;
}

export type LossSpec =
  | { kind: 'reconstruction' }
  | { kind: 'denoising'; noiseStd: number; seed?: number }
  | { kind: 'inpainting'; maskFraction: number; seed?: number }
  | { kind: 'crossEntropy' }
  | { kind: 'vae'; beta?: number };

export const LOSS_KINDS: readonly LossSpec['kind'][] = ['reconstruction', 'denoising', 'inpainting', 'crossEntropy', 'vae'];

export interface CheckpointSpec {
  /** A `model.json`, or the folder holding it. */
  path: string;
  epoch: number;
  learningRate: number;
  /** VAE runs: the decoder p(x|z) saved at the same step as this (encoder) checkpoint. */
  decoder?: string;
  /** Supervised VAE runs: the latent classifier p(y|z1) saved at the same step. */
  classifier?: string;
  /** Supervised VAE runs: the label-conditioned encoder q(z|x,y) saved at the same step. */
  labelledEncoder?: string;
}

/** What a VAE run minimised: the beta-VAE ELBO, the beta-TCVAE decomposition, or the supervised VAE's Eq. 6. */
export type VaeObjective = 'betaVae' | 'betaTcVae' | 'supervised';
export const VAE_OBJECTIVES: readonly VaeObjective[] = ['betaVae', 'betaTcVae', 'supervised'];

/**
 * How a VAE run's checkpoints split into parts. The checkpoints are the encoders q(z|x), with the
 * posterior mean and log-variance as two named layers; the other parts are separate checkpoints.
 * Paths here are the parts of the last checkpoint; `checkpoints[i]` names the parts of each step.
 */
export interface VaeSpec {
  /** Default 'betaVae'; `loss.beta` weights the KL (betaVae), the total correlation (betaTcVae) or the convex combination (supervised, in [0, 1]). */
  objective?: VaeObjective;
  /** Units of z, the width of both mean and log-variance. */
  latentDim: number;
  /** Supervised VAE: the first classDims units of z are the class units z1, the rest the nuisance units z2. */
  classDims?: number;
  /** Supervised VAE: the weight of the latent classifier's log-likelihood. */
  alpha?: number;
  /** The layer whose output is the posterior mean μ (usually also the representation layer). */
  muLayer: string;
  /** The layer whose output is the posterior log-variance log σ². */
  logVarLayer: string;
  decoder?: string;
  classifier?: string;
  labelledEncoder?: string;
}

export interface RunManifest {
  version: 1;
  name?: string;
  /** The training script, opened beside the panel. */
  script?: string;
  checkpoints: CheckpointSpec[];
  train: DatasetSpec;
  test: DatasetSpec;
  classNames?: string[];
  loss: LossSpec;
  /** Name of the layer whose output is the representation f(x) explained label-free. */
  representationLayer: string;
  /** Names of the layers whose weights count for example importance; all trainable layers when absent. */
  relevantParameters?: string[];
  /** VAE runs: the latent split and where the decoder (and the supervised VAE's classifier) are. */
  vae?: VaeSpec;
}

export class ManifestError extends Error {
  constructor(
    readonly file: string,
    message: string,
  ) {
    super(`${file}: ${message}`);
    this.name = 'ManifestError';
  }
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

class Reader {
  constructor(private readonly file: string) {}

  fail(field: string, problem: string): never {
    throw new ManifestError(this.file, `"${field}" ${problem}`);
  }

  object(value: unknown, field: string): Json {
    if (!isObject(value)) this.fail(field, 'must be an object');
    return value;
  }

  string(value: unknown, field: string): string {
    if (typeof value !== 'string' || value.length === 0) this.fail(field, 'must be a non-empty string');
    if (value.includes('\0')) this.fail(field, 'must not contain NUL characters');
    return value;
  }

  optionalString(value: unknown, field: string): string | undefined {
    return value === undefined ? undefined : this.string(value, field);
  }

  number(value: unknown, field: string, min = -Infinity): number {
    if (typeof value !== 'number' || !Number.isFinite(value) || value < min) this.fail(field, `must be a finite number${min > -Infinity ? ` >= ${min}` : ''}`);
    return value;
  }

  integer(value: unknown, field: string, min: number): number {
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) this.fail(field, `must be an integer >= ${min}`);
    return value;
  }

  stringList(value: unknown, field: string): string[] {
    if (!Array.isArray(value)) this.fail(field, 'must be a list of strings');
    return value.map((item, i) => this.string(item, `${field}[${i}]`));
  }

  format(value: unknown, field: string): DatasetFormat | undefined {
    if (value === undefined) return undefined;
    if (typeof value !== 'string' || !(DATASET_FORMATS as readonly string[]).includes(value)) {
      this.fail(field, `must be one of ${DATASET_FORMATS.join(', ')}`);
    }
    return value as DatasetFormat;
  }
}

function readDataset(r: Reader, value: unknown, field: string): DatasetSpec {
  const o = r.object(value, field);
  const spec: DatasetSpec = { path: r.string(o.path, `${field}.path`) };
  const format = r.format(o.format, `${field}.format`);
  if (format) spec.format = format;
  if (o.key !== undefined) spec.key = r.string(o.key, `${field}.key`);
  if (o.labelColumn !== undefined) spec.labelColumn = r.string(o.labelColumn, `${field}.labelColumn`);
  if (o.featureColumns !== undefined) spec.featureColumns = r.stringList(o.featureColumns, `${field}.featureColumns`);
  if (o.scale !== undefined) spec.scale = r.number(o.scale, `${field}.scale`);
  if (o.labels !== undefined) {
    const l = r.object(o.labels, `${field}.labels`);
    const labels: LabelSpec = { path: r.string(l.path, `${field}.labels.path`) };
    const labelFormat = r.format(l.format, `${field}.labels.format`);
    if (labelFormat) labels.format = labelFormat;
    if (l.column !== undefined) labels.column = r.string(l.column, `${field}.labels.column`);
    spec.labels = labels;
  }
  return spec;
}

function readLoss(r: Reader, value: unknown): LossSpec {
  const o = r.object(value, 'loss');
  switch (o.kind) {
    case 'reconstruction':
    case 'crossEntropy':
      return { kind: o.kind };
    case 'denoising': {
      const loss: LossSpec = { kind: 'denoising', noiseStd: r.number(o.noiseStd, 'loss.noiseStd', 0) };
      if (o.seed !== undefined) loss.seed = r.number(o.seed, 'loss.seed');
      return loss;
    }
    case 'inpainting': {
      const fraction = r.number(o.maskFraction, 'loss.maskFraction', 0);
      if (fraction > 1) r.fail('loss.maskFraction', 'must be at most 1');
      const loss: LossSpec = { kind: 'inpainting', maskFraction: fraction };
      if (o.seed !== undefined) loss.seed = r.number(o.seed, 'loss.seed');
      return loss;
    }
    case 'vae': {
      const loss: LossSpec = { kind: 'vae' };
      if (o.beta !== undefined) loss.beta = r.number(o.beta, 'loss.beta', 0);
      return loss;
    }
    default:
      return r.fail('loss.kind', `must be one of ${LOSS_KINDS.join(', ')}`);
  }
}

const VAE_PARTS = ['decoder', 'classifier', 'labelledEncoder'] as const;
/** The parts that exist only for the supervised objective. */
const SUPERVISED_PARTS = new Set<string>(['classifier', 'labelledEncoder']);

function readVae(r: Reader, value: unknown, loss: LossSpec): VaeSpec {
  const o = r.object(value, 'vae');
  if (loss.kind !== 'vae') r.fail('vae', `describes a VAE, but "loss.kind" is "${loss.kind}", not "vae"`);
  let objective: VaeObjective | undefined;
  if (o.objective !== undefined) {
    if (typeof o.objective !== 'string' || !(VAE_OBJECTIVES as readonly string[]).includes(o.objective)) r.fail('vae.objective', `must be one of ${VAE_OBJECTIVES.join(', ')}`);
    objective = o.objective as VaeObjective;
  }
  const spec: VaeSpec = { latentDim: r.integer(o.latentDim, 'vae.latentDim', 1), muLayer: r.string(o.muLayer, 'vae.muLayer'), logVarLayer: r.string(o.logVarLayer, 'vae.logVarLayer') };
  if (objective) spec.objective = objective;
  if (spec.muLayer === spec.logVarLayer) r.fail('vae.logVarLayer', 'must name a different layer from "vae.muLayer"');
  const supervised = objective === 'supervised';
  if (o.classDims !== undefined) {
    if (!supervised) r.fail('vae.classDims', 'applies to the supervised objective only');
    spec.classDims = r.integer(o.classDims, 'vae.classDims', 1);
    if (spec.classDims >= spec.latentDim) r.fail('vae.classDims', `must be less than "vae.latentDim" (${spec.latentDim}), leaving at least one nuisance unit`);
  } else if (supervised) {
    r.fail('vae.classDims', 'is required by the supervised objective');
  }
  if (o.alpha !== undefined) {
    if (!supervised) r.fail('vae.alpha', 'applies to the supervised objective only');
    spec.alpha = r.number(o.alpha, 'vae.alpha', 0);
    if (spec.alpha === 0) r.fail('vae.alpha', 'must be greater than 0');
  }
  if (supervised && loss.kind === 'vae' && loss.beta !== undefined && loss.beta > 1) r.fail('loss.beta', 'must be at most 1 for the supervised objective (a convex combination)');
  for (const part of VAE_PARTS) {
    if (o[part] === undefined) continue;
    if (SUPERVISED_PARTS.has(part) && !supervised) r.fail(`vae.${part}`, 'applies to the supervised objective only');
    spec[part] = r.string(o[part], `vae.${part}`);
  }
  return spec;
}

/** checkpoints[i].decoder and friends: only in a VAE run, and only the parts its objective has. */
function readCheckpointParts(r: Reader, co: Json, field: string, vae: VaeSpec | undefined, checkpoint: CheckpointSpec): void {
  for (const part of VAE_PARTS) {
    if (co[part] === undefined) continue;
    if (!vae) r.fail(`${field}.${part}`, 'needs a "vae" section');
    if (SUPERVISED_PARTS.has(part) && vae.objective !== 'supervised') r.fail(`${field}.${part}`, 'applies to the supervised objective only');
    checkpoint[part] = r.string(co[part], `${field}.${part}`);
  }
}

/** Validates untrusted manifest JSON text; every error names the file and the field. */
export function parseManifest(text: string, file: string): RunManifest {
  if (text.length > MANIFEST_MAX_BYTES) throw new ManifestError(file, `is larger than ${MANIFEST_MAX_BYTES} bytes`);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new ManifestError(file, `is not valid JSON (${(error as Error).message})`);
  }
  const r: Reader = new Reader(file);
  const o = r.object(raw, '(top level)');
  if (o.version !== 1) r.fail('version', 'must be 1');
  const rawCheckpoints = o.checkpoints;
  if (!Array.isArray(rawCheckpoints) || rawCheckpoints.length === 0) r.fail('checkpoints', 'must be a non-empty list');
  const loss = readLoss(r, o.loss);
  const vae = o.vae === undefined ? undefined : readVae(r, o.vae, loss);
  const checkpoints = rawCheckpoints.map((c: unknown, i: number) => {
    const co = r.object(c, `checkpoints[${i}]`);
    const checkpoint: CheckpointSpec = {
      path: r.string(co.path, `checkpoints[${i}].path`),
      epoch: r.number(co.epoch, `checkpoints[${i}].epoch`, 0),
      learningRate: r.number(co.learningRate, `checkpoints[${i}].learningRate`, 0),
    };
    readCheckpointParts(r, co, `checkpoints[${i}]`, vae, checkpoint);
    return checkpoint;
  });
  const manifest: RunManifest = {
    version: 1,
    checkpoints,
    train: readDataset(r, o.train, 'train'),
    test: readDataset(r, o.test, 'test'),
    loss,
    representationLayer: r.string(o.representationLayer, 'representationLayer'),
  };
  const name = r.optionalString(o.name, 'name');
  if (name) manifest.name = name;
  const script = r.optionalString(o.script, 'script');
  if (script) manifest.script = script;
  if (o.classNames !== undefined) manifest.classNames = r.stringList(o.classNames, 'classNames');
  if (o.relevantParameters !== undefined) manifest.relevantParameters = r.stringList(o.relevantParameters, 'relevantParameters');
  if (vae) manifest.vae = vae;
  return manifest;
}
