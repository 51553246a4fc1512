/**
 * The gradient index of a run: for every checkpoint, a sketch of every
 * training example's loss gradient (BlockSketcher), kept on disk under
 * <workspace>/.modeldebug/cache/gradient-index/<key>/ and in memory once read.
 * Each row holds the k sketch entries followed by the exact squared gradient
 * norm, so TracIn self-influence is exact and costs nothing extra. A changed
 * checkpoint or training set gets a new key, so only its own part is rebuilt;
 * a cancelled build resumes from its last whole chunk.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { GradientIndexCheckpoint } from '../../../protocol/engineProtocol';
import { BlockSketcher } from '../../examples/blockSketch';
import { yieldOrAbort } from '../../examples/cancel';
import { buildSketchIndex, readSketchIndex, DEFAULT_SKETCH_CHUNK_SIZE } from '../../examples/sketchIndex';
import { feedShape } from '../../losses/modelShapes';
import type { Dataset } from '../../data/dataset';
import type { LoadedRun, RunStore } from '../../run/runStore';
import { lossPartFiles, trainingLoss } from '../../run/vaeParts';
import type { LossSpec, VaeSpec } from '../../../protocol/manifest';
import { datasetFingerprint } from './datasetFingerprint';
import { progressWithEta } from './progressEta';
import type { Progress } from '../../../protocol/rpc';

export const SKETCH_SEED = 20_221_031;
export const DEFAULT_INDEX_BATCH_SIZE = 256;
const MEMORY_BUDGET_BYTES = 3 * 1024 ** 3;
const INDEX_FORMAT = 'block-sketch-v2';

export function cacheRootOf(run: LoadedRun): string {
  return path.join(run.root, '.modeldebug', 'cache', 'gradient-index');
}

/** model.json and the weight files it lists, whose bytes key the index. */
export async function checkpointFileList(modelJson: string): Promise<string[]> {
  const raw = JSON.parse(await fs.readFile(modelJson, 'utf8')) as { weightsManifest?: Array<{ paths?: unknown }> };
  const folder = path.dirname(modelJson);
  const weights = (raw.weightsManifest ?? []).flatMap((group) => (Array.isArray(group.paths) ? group.paths.filter((p): p is string => typeof p === 'string') : []));
  return [modelJson, ...weights.map((p) => path.resolve(folder, p))];
}

export interface CheckpointSketchIndex {
  checkpoint: string;
  learningRate: number;
  key: string;
  sketchDim: number;
  /** Row-major [count, sketchDim + 1]: the sketch, then ‖g‖². */
  rows: Float32Array;
}

/** What of a VAE run's layout the loss reads (not the part paths, which move as the manifest grows). */
function vaeLossSettings(vae: VaeSpec): object {
  return { objective: vae.objective ?? 'betaVae', latentDim: vae.latentDim, muLayer: vae.muLayer, logVarLayer: vae.logVarLayer, classDims: vae.classDims ?? null, alpha: vae.alpha ?? null };
}

const sketchers = new Map<number, BlockSketcher>();

/** One sketcher per size, so every checkpoint and every query draws the same projection. */
export function sketcherFor(sketchDim: number): BlockSketcher {
  let sketcher = sketchers.get(sketchDim);
  if (!sketcher) {
    sketcher = new BlockSketcher({ sketchDim, seed: SKETCH_SEED });
    sketchers.set(sketchDim, sketcher);
  }
  return sketcher;
}

/**
 * Sketch rows [end - start, k + 1] of dataset rows [start, end). `loss` is the
 * checkpoint's training loss (trainingLoss: a VAE's carries its decoder); the
 * manifest's loss when absent.
 */
export async function sketchRows(
  model: tfl.LayersModel,
  run: LoadedRun,
  data: Dataset,
  split: 'train' | 'test',
  indices: readonly number[],
  sketchDim: number,
  batchSize: number,
  signal?: AbortSignal,
  loss: LossSpec = run.manifest.loss,
): Promise<Float32Array> {
  const sketcher = sketcherFor(sketchDim);
  const size = tf.util.sizeFromShape(data.exampleShape);
  const width = sketchDim + 1;
  const out = new Float32Array(indices.length * width);
  const shape = feedShape(model, data.exampleShape);
  for (let b = 0; b < indices.length; b += batchSize) {
    await yieldOrAbort(signal, 'sketching gradients');
    const ids = indices.slice(b, b + batchSize);
    const values = new Float32Array(ids.length * size);
    ids.forEach((id, i) => values.set(data.values.subarray(id * size, (id + 1) * size), i * size));
    const labels = data.labels ? Int32Array.from(ids, (id) => data.labels![id]!) : undefined;
    const x = tf.tensor(values, [ids.length, ...shape], 'float32');
    let result;
    try {
      result = sketcher.sketchExamples(model, loss, x, {
        ids: [...ids],
        split,
        ...(run.manifest.relevantParameters ? { relevantLayers: run.manifest.relevantParameters } : {}),
        ...(labels ? { labels } : {}),
      });
    } finally {
      x.dispose();
    }
    try {
      const [sketches, norms] = (await Promise.all([result.sketches.data(), result.squaredNorms.data()])) as [Float32Array, Float32Array];
      for (let i = 0; i < ids.length; i++) {
        out.set(sketches.subarray(i * sketchDim, (i + 1) * sketchDim), (b + i) * width);
        out[(b + i) * width + sketchDim] = norms[i]!;
      }
    } finally {
      tf.dispose([result.sketches, result.squaredNorms]);
    }
  }
  for (let i = 0; i < out.length; i++) {
    if (!Number.isFinite(out[i]!)) throw new Error(`the gradient of ${split} example ${indices[Math.floor(i / width)]} is not finite at this checkpoint`);
  }
  return out;
}

interface MemoryEntry {
  rows: Float32Array;
  used: number;
}

export interface EnsureIndexOptions {
  sketchDim: number;
  batchSize?: number;
  /** Checkpoint positions to ensure (in this order); every checkpoint when absent. Each checkpoint's part has its own key, so a subset builds nothing the others need. */
  only?: readonly number[];
  signal: AbortSignal;
  progress(progress: Progress): void;
}

export interface EnsuredIndex {
  checkpoints: CheckpointSketchIndex[];
  report: GradientIndexCheckpoint[];
  cacheDir: string;
}

export class GradientIndexStore {
  private readonly memory = new Map<string, MemoryEntry>();
  private clock = 0;

  private remember(key: string, rows: Float32Array): void {
    this.memory.set(key, { rows, used: ++this.clock });
    let bytes = [...this.memory.values()].reduce((sum, e) => sum + e.rows.byteLength, 0);
    // Least recently used first, but never the entry just added.
    for (const [k, entry] of [...this.memory.entries()].sort((a, b) => a[1].used - b[1].used)) {
      if (bytes <= MEMORY_BUDGET_BYTES || k === key) break;
      this.memory.delete(k);
      bytes -= entry.rows.byteLength;
    }
  }

  /** Builds what is missing (resuming half-built parts) and returns the sketches of every checkpoint (or of `options.only`). */
  async ensure(store: RunStore, run: LoadedRun, options: EnsureIndexOptions): Promise<EnsuredIndex> {
    const { sketchDim, signal } = options;
    const batchSize = options.batchSize ?? DEFAULT_INDEX_BATCH_SIZE;
    const cacheRoot = cacheRootOf(run);
    const settings = {
      format: INDEX_FORMAT,
      seed: SKETCH_SEED,
      loss: run.manifest.loss,
      relevantParameters: run.manifest.relevantParameters ?? null,
      train: datasetFingerprint(run.train),
      // Only VAE runs carry the field, so every other run keeps its key; the parts' bytes are in the file list.
      ...(run.manifest.loss.kind === 'vae' && run.manifest.vae ? { vae: vaeLossSettings(run.manifest.vae) } : {}),
    };
    const all = Array.from({ length: run.train.count }, (_, i) => i);
    const chunks = Math.ceil(run.train.count / DEFAULT_SKETCH_CHUNK_SIZE);
    const positions = options.only ?? run.checkpointFiles.map((_, c) => c);
    const total = positions.length * chunks;
    const report = progressWithEta(options.progress);
    const checkpoints: CheckpointSketchIndex[] = [];
    const built: GradientIndexCheckpoint[] = [];
    let done = 0;
    for (const c of positions) {
      const file = run.checkpointFiles[c]!;
      const entry = run.manifest.checkpoints[c]!;
      // A VAE checkpoint's sketches depend on its decoder (and other parts) too.
      const files = [...(await checkpointFileList(file)), ...(await Promise.all(lossPartFiles(run, c).map(checkpointFileList))).flat()];
      const started = performance.now();
      const model = await store.model(file);
      const loss = await trainingLoss(store, run, c);
      const { index, computedChunks } = await buildSketchIndex(
        { cacheRoot, checkpointFiles: files, settings, count: run.train.count, sketchDim: sketchDim + 1 },
        {
          signal,
          computeChunk: async (start, end) => {
            const rows = await sketchRows(model, run, run.train, 'train', all.slice(start, end), sketchDim, batchSize, signal, loss);
            done++;
            report(`gradient index, checkpoint ${c + 1}/${run.checkpointFiles.length}: ${end}/${run.train.count} training examples`, done / total);
            return rows;
          },
        },
      );
      done += chunks - computedChunks.length;
      let cached = this.memory.get(index.key);
      if (!cached || computedChunks.length > 0) {
        cached = { rows: await readSketchIndex(index), used: 0 };
        this.remember(index.key, cached.rows);
      } else {
        cached.used = ++this.clock;
      }
      checkpoints.push({ checkpoint: entry.path, learningRate: entry.learningRate, key: index.key, sketchDim, rows: cached.rows });
      built.push({
        path: entry.path,
        key: index.key,
        seconds: computedChunks.length > 0 ? (performance.now() - started) / 1000 : 0,
        computedChunks: computedChunks.length,
        totalChunks: chunks,
      });
    }
    return { checkpoints, report: built, cacheDir: cacheRoot };
  }

  dispose(): void {
    this.memory.clear();
    for (const s of sketchers.values()) s.dispose();
    sketchers.clear();
  }
}

/**
 * Σ_c η_c <s_test,c, s_n,c> for every training row n: one pass over each
 * checkpoint's [N, k+1] rows, in plain loops, so a query never copies the
 * index into the backend's memory.
 */
export function sketchedScores(checkpoints: readonly CheckpointSketchIndex[], testRows: readonly Float32Array[], testOffset: number, count: number): Float64Array {
  const scores = new Float64Array(count);
  checkpoints.forEach((c, ci) => {
    const k = c.sketchDim;
    const width = k + 1;
    const t = testRows[ci]!.subarray(testOffset * width, testOffset * width + k);
    const eta = c.learningRate;
    const rows = c.rows;
    for (let n = 0; n < count; n++) {
      let dot = 0;
      const base = n * width;
      for (let j = 0; j < k; j++) dot += t[j]! * rows[base + j]!;
      scores[n] += eta * dot;
    }
  });
  return scores;
}

/** Σ_c η_c ‖g_n,c‖², exact, from the index rows. */
export function selfInfluenceFromIndex(checkpoints: readonly CheckpointSketchIndex[], count: number): Float32Array {
  const out = new Float32Array(count);
  for (const c of checkpoints) {
    const width = c.sketchDim + 1;
    for (let n = 0; n < count; n++) out[n]! += c.learningRate * c.rows[n * width + c.sketchDim]!;
  }
  return out;
}
