/**
 * An on-disk index of gradient sketches for one training set and one
 * checkpoint, under <cacheRoot>/<key>/. The key hashes the checkpoint's bytes
 * (model.json and its weight files) and the settings, so a changed checkpoint
 * gets a new folder and the old one is never read again. Sketches are written
 * in chunks of `chunkSize` examples, each to a temporary file renamed into
 * place, so a cancel or a crash leaves only whole chunks and a rebuild
 * computes just the missing ones.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, promises as fs } from 'node:fs';
import { basename, join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { LossSpec } from '../../protocol/manifest';
import { canonicalJson } from '../cache/canonicalJson';
import { feedShape } from '../losses/modelShapes';
import { checkPositiveInteger, yieldOrAbort } from './cancel';
import type { DatasetValues } from './representations';
import { sketchGradients, type RandomProjection } from './sketch';

export const DEFAULT_SKETCH_CHUNK_SIZE = 1024;
const META_FILE = 'index.json';

export interface SketchIndexSpec {
  /** e.g. <workspace>/.modeldebug/cache */
  cacheRoot: string;
  /** The checkpoint's model.json and weight files: their bytes enter the key. */
  checkpointFiles: string[];
  /** Everything else the sketches depend on (sketch size, seed, loss, relevant layers, dataset identity). */
  settings: unknown;
  count: number;
  sketchDim: number;
  chunkSize?: number;
}

export interface SketchIndex {
  key: string;
  dir: string;
  count: number;
  sketchDim: number;
  chunkSize: number;
}

export interface BuildSketchIndexOptions {
  /** Sketches [end - start, sketchDim] of training examples [start, end). */
  computeChunk: (start: number, end: number) => Promise<Float32Array> | Float32Array;
  signal?: AbortSignal;
  onProgress?: (fraction: number, message: string) => void;
}

export interface BuildReport {
  index: SketchIndex;
  /** Chunks computed by this call; the others were already on disk. */
  computedChunks: number[];
}

async function hashFile(hash: ReturnType<typeof createHash>, path: string): Promise<void> {
  const stat = await fs.stat(path).catch((error: unknown) => {
    throw new Error(`cannot read checkpoint file ${path}: ${(error as Error).message}`);
  });
  if (!stat.isFile()) throw new Error(`checkpoint file ${path} is not a file`);
  hash.update(`${basename(path)}\0${stat.size}\0`);
  await new Promise<void>((resolve, reject) => {
    createReadStream(path)
      .on('data', (data) => hash.update(data))
      .on('end', resolve)
      .on('error', (error) => reject(new Error(`cannot read checkpoint file ${path}: ${error.message}`)));
  });
}

/** sha256 of the checkpoint files' names and bytes (in the given order) and the canonical settings. */
export async function sketchIndexKey(checkpointFiles: readonly string[], settings: unknown): Promise<string> {
  if (!Array.isArray(checkpointFiles) || checkpointFiles.length === 0) throw new Error('checkpointFiles must list the model.json and its weight files');
  const hash = createHash('sha256');
  for (const path of checkpointFiles) await hashFile(hash, path);
  hash.update(`\0settings\0${canonicalJson(settings)}`);
  return hash.digest('hex');
}

export function chunkFileName(chunk: number): string {
  return `chunk-${String(chunk).padStart(6, '0')}.f32`;
}

function chunkRange(index: SketchIndex, chunk: number): [number, number] {
  const start = chunk * index.chunkSize;
  return [start, Math.min(index.count, start + index.chunkSize)];
}

async function writeAtomic(path: string, data: Uint8Array | string): Promise<void> {
  const temp = `${path}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    await fs.writeFile(temp, data);
    await fs.rename(temp, path);
  } catch (error) {
    await fs.rm(temp, { force: true });
    throw error;
  }
}

async function chunkIsComplete(index: SketchIndex, chunk: number): Promise<boolean> {
  const [start, end] = chunkRange(index, chunk);
  try {
    const stat = await fs.stat(join(index.dir, chunkFileName(chunk)));
    return stat.size === (end - start) * index.sketchDim * 4;
  } catch {
    return false;
  }
}

async function openIndex(spec: SketchIndexSpec): Promise<SketchIndex> {
  checkPositiveInteger(spec.count, 'count');
  checkPositiveInteger(spec.sketchDim, 'sketchDim');
  const chunkSize = spec.chunkSize ?? DEFAULT_SKETCH_CHUNK_SIZE;
  checkPositiveInteger(chunkSize, 'chunkSize');
  // The layout is part of the key so two layouts never share a folder.
  const key = await sketchIndexKey(spec.checkpointFiles, { settings: spec.settings, count: spec.count, sketchDim: spec.sketchDim, chunkSize });
  const dir = join(spec.cacheRoot, key);
  const index: SketchIndex = { key, dir, count: spec.count, sketchDim: spec.sketchDim, chunkSize };
  await fs.mkdir(dir, { recursive: true });
  const metaPath = join(dir, META_FILE);
  const meta = JSON.stringify({ version: 1, count: spec.count, sketchDim: spec.sketchDim, chunkSize });
  const existing = await fs.readFile(metaPath, 'utf8').catch(() => undefined);
  if (existing === undefined) await writeAtomic(metaPath, meta);
  else if (existing !== meta) throw new Error(`sketch index ${metaPath} describes a different layout (${existing.slice(0, 200)}); delete the folder ${dir} to rebuild it`);
  return index;
}

/** Builds (or resumes) the index; chunks already on disk with the right size are kept. */
export async function buildSketchIndex(spec: SketchIndexSpec, options: BuildSketchIndexOptions): Promise<BuildReport> {
  const index = await openIndex(spec);
  const chunks = Math.ceil(index.count / index.chunkSize);
  const computedChunks: number[] = [];
  for (let chunk = 0; chunk < chunks; chunk++) {
    await yieldOrAbort(options.signal, 'building the sketch index');
    if (await chunkIsComplete(index, chunk)) continue;
    const [start, end] = chunkRange(index, chunk);
    const sketches = await options.computeChunk(start, end);
    if (!(sketches instanceof Float32Array) || sketches.length !== (end - start) * index.sketchDim) {
      throw new Error(`computeChunk(${start}, ${end}) must return a Float32Array of ${(end - start) * index.sketchDim} numbers`);
    }
    // A cancel during the computation must not leave the chunk behind half-checked.
    if (options.signal?.aborted) await yieldOrAbort(options.signal, 'building the sketch index');
    await writeAtomic(join(index.dir, chunkFileName(chunk)), new Uint8Array(sketches.buffer, sketches.byteOffset, sketches.byteLength));
    computedChunks.push(chunk);
    options.onProgress?.((chunk + 1) / chunks, `sketch index: ${end}/${index.count} examples`);
  }
  return { index, computedChunks };
}

/** All sketches [count, sketchDim]; throws naming the file if a chunk is missing or has the wrong size. */
export async function readSketchIndex(index: SketchIndex): Promise<Float32Array> {
  const out = new Float32Array(index.count * index.sketchDim);
  const bytes = new Uint8Array(out.buffer);
  const chunks = Math.ceil(index.count / index.chunkSize);
  for (let chunk = 0; chunk < chunks; chunk++) {
    const [start, end] = chunkRange(index, chunk);
    const path = join(index.dir, chunkFileName(chunk));
    const data = await fs.readFile(path).catch(() => {
      throw new Error(`sketch index chunk ${path} is missing; rebuild the index`);
    });
    const expected = (end - start) * index.sketchDim * 4;
    if (data.byteLength !== expected) throw new Error(`sketch index chunk ${path} has ${data.byteLength} bytes, expected ${expected}; rebuild the index`);
    bytes.set(data, start * index.sketchDim * 4);
  }
  return out;
}

export interface CheckpointSketches {
  learningRate: number;
  /** [trainCount, k] */
  train: Float32Array;
  /** [testCount, k], unscaled. */
  test: Float32Array;
}

/** Σ_c η_c · S_test,c · S_train,cᵀ as row-major [testCount, trainCount]: one matrix product per checkpoint. */
export function sketchedTracInScores(checkpoints: readonly CheckpointSketches[], trainCount: number, testCount: number, sketchDim: number): Float32Array {
  if (checkpoints.length === 0) throw new Error('checkpoints must be a non-empty list');
  checkPositiveInteger(trainCount, 'trainCount');
  checkPositiveInteger(testCount, 'testCount');
  checkPositiveInteger(sketchDim, 'sketchDim');
  checkpoints.forEach((c, i) => {
    if (!Number.isFinite(c.learningRate)) throw new Error(`checkpoints[${i}].learningRate must be a finite number, got ${c.learningRate}`);
    if (c.train.length !== trainCount * sketchDim) throw new Error(`checkpoints[${i}].train has ${c.train.length} numbers, expected ${trainCount * sketchDim}`);
    if (c.test.length !== testCount * sketchDim) throw new Error(`checkpoints[${i}].test has ${c.test.length} numbers, expected ${testCount * sketchDim}`);
  });
  const scores = tf.tidy(() => {
    let sum: tf.Tensor2D | undefined;
    for (const c of checkpoints) {
      const test = tf.mul<tf.Tensor2D>(tf.tensor2d(c.test, [testCount, sketchDim]), c.learningRate);
      const part = tf.matMul(test, tf.tensor2d(c.train, [trainCount, sketchDim]), false, true);
      sum = (sum ? tf.add(sum, part) : part) as tf.Tensor2D;
    }
    return sum!;
  });
  try {
    return scores.dataSync() as Float32Array;
  } finally {
    scores.dispose();
  }
}

export interface SketchDatasetOptions {
  loss: LossSpec;
  relevantLayers?: string[];
  labels?: Int32Array;
  split: 'train' | 'test';
  /** Dataset ids of the rows (they key denoising noise and inpainting masks); row numbers when absent. */
  ids?: readonly number[];
  batchSize?: number;
}

/** Gradient sketches [end - start, k] of dataset rows [start, end), in batches; a ready `computeChunk`. */
export function sketchDatasetRows(model: tfl.LayersModel, data: DatasetValues, projection: RandomProjection, options: SketchDatasetOptions, start: number, end: number): Float32Array {
  const size = tf.util.sizeFromShape(data.exampleShape);
  const k = projection.settings.sketchDim;
  const batchSize = options.batchSize ?? 256;
  checkPositiveInteger(batchSize, 'batchSize');
  if (!(Number.isInteger(start) && Number.isInteger(end) && 0 <= start && start < end && end <= data.count)) {
    throw new Error(`rows [${start}, ${end}) are not inside the dataset of ${data.count} examples`);
  }
  const out = new Float32Array((end - start) * k);
  const shape = feedShape(model, data.exampleShape);
  for (let b = start; b < end; b += batchSize) {
    const e = Math.min(end, b + batchSize);
    const sketches = tf.tidy(() => {
      const x = tf.tensor(data.values.subarray(b * size, e * size), [e - b, ...shape], 'float32');
      const ids = options.ids ? options.ids.slice(b, e) : Array.from({ length: e - b }, (_, i) => b + i);
      const labels = options.labels?.subarray(b, e);
      const gradientOptions = { ids, split: options.split, ...(options.relevantLayers ? { relevantLayers: options.relevantLayers } : {}), ...(labels ? { labels } : {}) };
      return sketchGradients(model, options.loss, x, gradientOptions, projection);
    });
    try {
      out.set(sketches.dataSync(), (b - start) * k);
    } finally {
      sketches.dispose();
    }
  }
  return out;
}
