/**
 * Loads a run (manifest, datasets, checkpoints) once and keeps it while its
 * files are unchanged, so that picking another test example in the panel
 * does not reload 6,000 images or re-parse weights.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type * as tfl from '@tensorflow/tfjs-layers';
import { MANIFEST_MAX_BYTES, ManifestError, parseManifest, type RunManifest } from '../../protocol/manifest';
import { loadDataset, type Dataset } from '../data/dataset';
import { loadCheckpoint, modelJsonPath } from '../model/checkpoint';
import { defaultRoot, relativeToRoot } from './paths';

export interface LoadedRun {
  manifestPath: string;
  manifestDir: string;
  root: string;
  manifest: RunManifest;
  train: Dataset;
  test: Dataset;
  /** Absolute model.json paths, in manifest order. */
  checkpointFiles: string[];
}

async function readManifest(manifestPath: string): Promise<RunManifest> {
  let stat;
  try {
    stat = await fs.stat(manifestPath);
  } catch {
    throw new ManifestError(manifestPath, 'does not exist');
  }
  if (!stat.isFile()) throw new ManifestError(manifestPath, 'is not a file');
  if (stat.size > MANIFEST_MAX_BYTES) throw new ManifestError(manifestPath, `is larger than ${MANIFEST_MAX_BYTES} bytes`);
  return parseManifest(await fs.readFile(manifestPath, 'utf8'), manifestPath);
}

async function mtimeOf(file: string): Promise<number> {
  try {
    return (await fs.stat(file)).mtimeMs;
  } catch {
    return -1;
  }
}

export class RunStore {
  private readonly runs = new Map<string, { stamp: number; run: Promise<LoadedRun> }>();
  private readonly models = new Map<string, { stamp: number; model: Promise<tfl.LayersModel> }>();

  async open(manifestFile: string, root?: string, signal?: AbortSignal): Promise<LoadedRun> {
    const manifestPath = path.resolve(manifestFile);
    const stamp = await mtimeOf(manifestPath);
    const cached = this.runs.get(manifestPath);
    if (cached && cached.stamp === stamp) return cached.run;
    const run = this.load(manifestPath, root ?? defaultRoot(manifestPath), signal);
    this.runs.set(manifestPath, { stamp, run });
    run.catch(() => this.runs.delete(manifestPath));
    return run;
  }

  private async load(manifestPath: string, root: string, signal?: AbortSignal): Promise<LoadedRun> {
    const manifest = await readManifest(manifestPath);
    const manifestDir = path.dirname(manifestPath);
    const rebase = <T extends { path: string; labels?: { path: string } }>(spec: T): T => {
      const rebased = { ...spec, path: relativeToRoot(root, manifestDir, spec.path) };
      if (spec.labels) rebased.labels = { ...spec.labels, path: relativeToRoot(root, manifestDir, spec.labels.path) };
      return rebased;
    };
    const [train, test] = await Promise.all([
      loadDataset(rebase(manifest.train), root, { signal }),
      loadDataset(rebase(manifest.test), root, { signal }),
    ]);
    const checkpointFiles = manifest.checkpoints.map((c) => modelJsonPath(path.resolve(manifestDir, c.path)));
    return { manifestPath, manifestDir, root, manifest, train, test, checkpointFiles };
  }

  /** A checkpoint's model, reloaded when its model.json changes. */
  async model(modelJsonFile: string): Promise<tfl.LayersModel> {
    const stamp = await mtimeOf(modelJsonFile);
    const cached = this.models.get(modelJsonFile);
    if (cached && cached.stamp === stamp) return cached.model;
    if (cached) void cached.model.then((m) => m.dispose()).catch(() => undefined);
    const model = loadCheckpoint(modelJsonFile);
    this.models.set(modelJsonFile, { stamp, model });
    model.catch(() => this.models.delete(modelJsonFile));
    return model;
  }

  dispose(): void {
    for (const { model } of this.models.values()) void model.then((m) => m.dispose()).catch(() => undefined);
    this.models.clear();
    this.runs.clear();
  }
}

/** Picks the checkpoint named by the caller (as written in the manifest or as a path), or the last one. */
export function chooseCheckpoint(run: LoadedRun, requested?: string): number {
  if (requested === undefined) return run.checkpointFiles.length - 1;
  const asFile = modelJsonPath(path.resolve(run.manifestDir, requested));
  const index = run.manifest.checkpoints.findIndex((c, i) => c.path === requested || run.checkpointFiles[i] === asFile);
  if (index < 0) throw new ManifestError(run.manifestPath, `has no checkpoint "${requested}"`);
  return index;
}
