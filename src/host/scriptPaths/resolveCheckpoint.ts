/**
 * Turns a path found in a training script into a checkpoint on disk: a
 * `model.json`, or a folder holding one (what TensorFlow.js `model.save`
 * writes). Relative paths are tried against the script's folder first, then
 * the given folders (a script usually runs from the workspace root). The file
 * system is injected so this can be tested without one.
 */
import * as path from 'node:path';
import { stat as statFile } from 'node:fs/promises';

export interface PathKind {
  isFile: boolean;
  isDirectory: boolean;
}

/** Undefined when nothing is there. */
export type StatPath = (absolutePath: string) => Promise<PathKind | undefined>;

export interface CheckpointLocation {
  modelJson: string;
  folder: string;
}

export interface ResolveOptions {
  scriptPath: string;
  /** Other folders a relative path may be relative to, in order (e.g. workspace folders). */
  searchFolders?: readonly string[];
  stat?: StatPath;
}

export const CHECKPOINT_FILE = 'model.json';

export const statOnDisk: StatPath = async (absolutePath) => {
  try {
    const info = await statFile(absolutePath);
    return { isFile: info.isFile(), isDirectory: info.isDirectory() };
  } catch {
    return undefined;
  }
};

function candidates(found: { path: string; anchoredAtScript: boolean }, options: ResolveOptions): string[] {
  const scriptFolder = path.dirname(path.resolve(options.scriptPath));
  if (path.isAbsolute(found.path)) return [path.normalize(found.path)];
  const bases = found.anchoredAtScript ? [scriptFolder] : [scriptFolder, ...(options.searchFolders ?? [])];
  return [...new Set(bases.map((base) => path.resolve(base, found.path)))];
}

export async function resolveCheckpoint(found: { path: string; anchoredAtScript: boolean }, options: ResolveOptions): Promise<CheckpointLocation | undefined> {
  if (typeof found?.path !== 'string' || found.path.trim() === '') return undefined;
  if (typeof options?.scriptPath !== 'string' || options.scriptPath === '') throw new TypeError('resolveCheckpoint: scriptPath must be a non-empty path');
  const stat = options.stat ?? statOnDisk;
  for (const candidate of candidates(found, options)) {
    const kind = await stat(candidate);
    if (!kind) continue;
    if (kind.isFile && path.basename(candidate) === CHECKPOINT_FILE) return { modelJson: candidate, folder: path.dirname(candidate) };
    if (kind.isDirectory) {
      const modelJson = path.join(candidate, CHECKPOINT_FILE);
      if ((await stat(modelJson))?.isFile) return { modelJson, folder: candidate };
    }
  }
  return undefined;
}
