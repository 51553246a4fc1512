/**
 * Loads a tfjs-layers checkpoint (model.json plus weight shards) from disk
 * without file:// or fetch: model.json is size-capped and validated, every
 * shard must resolve inside the checkpoint folder, and the shard bytes must
 * match the weight specs exactly before a single tensor is made.
 */
import { stat } from 'node:fs/promises';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { asDataFileError, DataFileError } from '../data/errors';
import { elementCount } from '../data/ndarray';
import { readFileCapped } from '../data/readFile';
import { decodeUtf8 } from '../data/text';
import { relativePathProblem, resolveInside, type ResolvedPath } from './safePaths';

export const MODEL_JSON_FILE_NAME = 'model.json';
export const DEFAULT_MAX_MODEL_JSON_BYTES = 32 * 1024 ** 2;
export const DEFAULT_MAX_WEIGHT_BYTES = 1024 ** 3;

export interface LoadCheckpointOptions {
  maxModelJsonBytes?: number;
  maxWeightBytes?: number;
}

const BYTES_PER_DTYPE: Readonly<Record<string, number>> = { float32: 4, int32: 4, bool: 1 };
const BYTES_PER_QUANTIZED_DTYPE: Readonly<Record<string, number>> = { uint8: 1, uint16: 2, float16: 2 };
const MAX_WEIGHT_RANK = 8;

/** The model.json a checkpoint path names: the path itself when it is a .json file, else `<folder>/model.json`. */
export function modelJsonPath(pathOrDir: string): string {
  return pathOrDir.toLowerCase().endsWith('.json') ? pathOrDir : path.join(pathOrDir, MODEL_JSON_FILE_NAME);
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

interface CheckedGroup {
  paths: string[];
  weights: tf.io.WeightsManifestEntry[];
  bytes: number;
}

interface CheckedModelJson {
  artifacts: tf.io.ModelArtifacts;
  groups: CheckedGroup[];
}

class ModelJsonChecker {
  private totalBytes = 0;
  private readonly names = new Set<string>();

  constructor(
    private readonly file: string,
    private readonly maxWeightBytes: number,
  ) {}

  fail(field: string, problem: string): never {
    throw new DataFileError(this.file, `"${field}" ${problem}`);
  }

  weight(raw: unknown, field: string): { entry: tf.io.WeightsManifestEntry; bytes: number } {
    if (!isObject(raw)) this.fail(field, 'must be an object');
    const { name, shape, dtype, quantization, group } = raw;
    if (typeof name !== 'string' || name === '') this.fail(`${field}.name`, 'must be a non-empty string');
    if (this.names.has(name)) this.fail(`${field}.name`, `repeats the weight name "${name}"`);
    this.names.add(name);
    if (!Array.isArray(shape) || shape.length > MAX_WEIGHT_RANK || !shape.every((d) => Number.isSafeInteger(d) && (d as number) >= 0)) {
      this.fail(`${field}.shape`, `must be a list of at most ${MAX_WEIGHT_RANK} non-negative integers`);
    }
    if (typeof dtype !== 'string' || BYTES_PER_DTYPE[dtype] === undefined) {
      this.fail(`${field}.dtype`, `is ${JSON.stringify(dtype)}; supported: ${Object.keys(BYTES_PER_DTYPE).join(', ')}`);
    }
    if (group !== undefined && group !== 'model' && group !== 'optimizer') this.fail(`${field}.group`, 'must be "model" or "optimizer"');
    let bytesPerElement = BYTES_PER_DTYPE[dtype]!;
    const entry: tf.io.WeightsManifestEntry = { name, shape: shape as number[], dtype: dtype as tf.io.WeightsManifestEntry['dtype'] };
    if (group !== undefined) entry.group = group;
    if (quantization !== undefined) {
      if (!isObject(quantization)) this.fail(`${field}.quantization`, 'must be an object');
      const q = quantization;
      if (typeof q.dtype !== 'string' || BYTES_PER_QUANTIZED_DTYPE[q.dtype] === undefined) {
        this.fail(`${field}.quantization.dtype`, `is ${JSON.stringify(q.dtype)}; supported: uint8, uint16, float16`);
      }
      if (dtype === 'bool') this.fail(`${field}.quantization`, 'cannot apply to a bool weight');
      const spec: NonNullable<tf.io.WeightsManifestEntry['quantization']> = { dtype: q.dtype as 'uint8' | 'uint16' | 'float16' };
      if (q.dtype !== 'float16') {
        if (typeof q.scale !== 'number' || !Number.isFinite(q.scale)) this.fail(`${field}.quantization.scale`, 'must be a finite number');
        if (typeof q.min !== 'number' || !Number.isFinite(q.min)) this.fail(`${field}.quantization.min`, 'must be a finite number');
        spec.scale = q.scale;
        spec.min = q.min;
      }
      entry.quantization = spec;
      bytesPerElement = BYTES_PER_QUANTIZED_DTYPE[q.dtype]!;
    }
    const count = elementCount(entry.shape, Math.floor(this.maxWeightBytes / bytesPerElement));
    if (count === undefined) this.fail(`${field}.shape`, `[${entry.shape.join(', ')}] needs more than the limit of ${this.maxWeightBytes} bytes`);
    const bytes = count * bytesPerElement;
    this.totalBytes += bytes;
    if (this.totalBytes > this.maxWeightBytes) this.fail(field, `brings the weights past the limit of ${this.maxWeightBytes} bytes`);
    return { entry, bytes };
  }

  group(raw: unknown, field: string): CheckedGroup {
    if (!isObject(raw)) this.fail(field, 'must be an object');
    if (!Array.isArray(raw.paths) || !raw.paths.every((p) => typeof p === 'string')) this.fail(`${field}.paths`, 'must be a list of strings');
    if (!Array.isArray(raw.weights)) this.fail(`${field}.weights`, 'must be a list');
    const paths = raw.paths as string[];
    paths.forEach((p, i) => {
      const problem = relativePathProblem(p);
      if (problem) this.fail(`${field}.paths[${i}]`, `"${p}" ${problem}`);
    });
    const checked = raw.weights.map((w, i) => this.weight(w, `${field}.weights[${i}]`));
    const bytes = checked.reduce((sum, w) => sum + w.bytes, 0);
    if (bytes > 0 && paths.length === 0) this.fail(`${field}.paths`, 'is empty but the group has weights');
    return { paths, weights: checked.map((w) => w.entry), bytes };
  }

  modelJson(raw: unknown): CheckedModelJson {
    if (!isObject(raw)) throw new DataFileError(this.file, 'must hold a JSON object');
    if (raw.format !== undefined && raw.format !== 'layers-model') {
      this.fail('format', `is ${JSON.stringify(raw.format)}; only tfjs layers models ("layers-model") can be loaded`);
    }
    if (!isObject(raw.modelTopology)) this.fail('modelTopology', 'must be an object');
    if (!Array.isArray(raw.weightsManifest)) this.fail('weightsManifest', 'must be a list');
    const groups = raw.weightsManifest.map((g, i) => this.group(g, `weightsManifest[${i}]`));
    const artifacts: tf.io.ModelArtifacts = { modelTopology: raw.modelTopology, format: 'layers-model' };
    if (typeof raw.generatedBy === 'string') artifacts.generatedBy = raw.generatedBy;
    if (typeof raw.convertedBy === 'string') artifacts.convertedBy = raw.convertedBy;
    if (isObject(raw.userDefinedMetadata)) artifacts.userDefinedMetadata = raw.userDefinedMetadata as Record<string, object>;
    return { artifacts, groups };
  }
}

async function shardSize(shard: ResolvedPath): Promise<number> {
  const stats = await stat(shard.realPath);
  if (!stats.isFile()) throw new DataFileError(shard.path, 'is not a regular file');
  return stats.size;
}

/** Resolves and sizes every shard, then reads them into one buffer in manifest order. */
async function readWeightData(folder: string, groups: CheckedGroup[], file: string): Promise<ArrayBuffer> {
  const resolvedGroups: { shards: ResolvedPath[]; sizes: number[] }[] = [];
  let total = 0;
  for (const [g, group] of groups.entries()) {
    const shards = await Promise.all(group.paths.map((p) => resolveInside(folder, p)));
    const sizes = await Promise.all(shards.map(shardSize));
    const actual = sizes.reduce((a, b) => a + b, 0);
    if (actual !== group.bytes) {
      const named = shards.length === 1 ? shards[0]!.path : file;
      const which = shards.length === 1 ? 'holds' : `the ${shards.length} shards of weightsManifest[${g}] hold`;
      throw new DataFileError(named, `${which} ${actual} bytes, but the weight specs in ${path.basename(file)} need ${group.bytes}`);
    }
    resolvedGroups.push({ shards, sizes });
    total += actual;
  }
  const weightData = new Uint8Array(total);
  let offset = 0;
  for (const { shards, sizes } of resolvedGroups) {
    for (const [i, shard] of shards.entries()) {
      const bytes = await readFileCapped(shard.realPath, shard.path, sizes[i]!);
      if (bytes.length !== sizes[i]) throw new DataFileError(shard.path, 'changed size while it was being read');
      weightData.set(bytes, offset);
      offset += bytes.length;
    }
  }
  return weightData.buffer;
}

/**
 * Builds the model from its topology through an IOHandler, then loads the
 * weights itself so a failure can dispose everything it created: tfjs-layers
 * leaks the model's variables when loadWeights throws inside loadLayersModel.
 * A topology that fails half-way leaves no model to dispose, so variables
 * registered during the build are swept instead; builds run one at a time so
 * the sweep cannot touch another load's variables.
 */
async function buildModel(artifacts: tf.io.ModelArtifacts, specs: tf.io.WeightsManifestEntry[], weightData: ArrayBuffer, file: string): Promise<tfl.LayersModel> {
  const before = new Set(Object.keys(tf.engine().registeredVariables));
  let model: tfl.LayersModel | undefined;
  try {
    const handler: tf.io.IOHandler = { load: async () => artifacts };
    model = await tfl.loadLayersModel(handler, { strict: true });
    const decoded = tf.io.decodeWeights(weightData, specs);
    try {
      const modelWeights: tf.NamedTensorMap = {};
      for (const spec of specs) if (spec.group !== 'optimizer') modelWeights[spec.name] = decoded[spec.name]!;
      model.loadWeights(modelWeights, true);
    } finally {
      tf.dispose(Object.values(decoded));
    }
    return model;
  } catch (error) {
    let disposed = false;
    try {
      model?.dispose();
      disposed = model !== undefined;
    } catch {
      // Fall through to the sweep.
    }
    if (!disposed) {
      for (const [name, variable] of Object.entries(tf.engine().registeredVariables)) {
        if (!before.has(name)) variable.dispose();
      }
    }
    throw new DataFileError(file, `does not describe a model tfjs-layers can load (${(error as Error).message})`);
  }
}

let buildQueue: Promise<unknown> = Promise.resolve();

function oneAtATime<T>(run: () => Promise<T>): Promise<T> {
  const result = buildQueue.then(run, run);
  buildQueue = result.catch(() => undefined);
  return result;
}

export async function loadCheckpoint(modelPath: string, options: LoadCheckpointOptions = {}): Promise<tfl.LayersModel> {
  const maxModelJsonBytes = options.maxModelJsonBytes ?? DEFAULT_MAX_MODEL_JSON_BYTES;
  const maxWeightBytes = options.maxWeightBytes ?? DEFAULT_MAX_WEIGHT_BYTES;
  const file = path.resolve(modelJsonPath(modelPath));
  try {
    const text = decodeUtf8(await readFileCapped(file, file, maxModelJsonBytes), file);
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch (error) {
      throw new DataFileError(file, `is not valid JSON (${(error as Error).message})`);
    }
    const { artifacts, groups } = new ModelJsonChecker(file, maxWeightBytes).modelJson(raw);
    const weightData = await readWeightData(path.dirname(file), groups, file);
    return await oneAtATime(() => buildModel(artifacts, groups.flatMap((g) => g.weights), weightData, file));
  } catch (error) {
    throw asDataFileError(file, error);
  }
}
