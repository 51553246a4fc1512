/**
 * Finds the run manifest that belongs to a checkpoint: `modeldebug.json` in the
 * checkpoint's folder or the nearest ancestor, never above the workspace folder.
 * File-system access is injected so the search is testable and cannot escape.
 */
import * as path from 'node:path';
import { MANIFEST_FILE_NAME, type CheckpointSpec, type RunManifest } from '../../protocol/manifest';

export type FileExists = (file: string) => Promise<boolean>;

/** True when `child` is `parent` or lies below it (both absolute). */
export function isInside(parent: string, child: string): boolean {
  const relative = path.relative(parent, child);
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}

/** The folders searched, nearest first: the checkpoint's folder up to and including the workspace folder. */
export function candidateFolders(checkpointFile: string, workspaceFolder: string | undefined): string[] {
  const folders: string[] = [];
  let dir = path.dirname(path.resolve(checkpointFile));
  const stop = workspaceFolder === undefined ? undefined : path.resolve(workspaceFolder);
  if (stop !== undefined && !isInside(stop, dir)) return [dir];
  for (;;) {
    folders.push(dir);
    if (stop === undefined ? folders.length >= 4 : dir === stop) break;
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return folders;
}

export async function findManifestFor(checkpointFile: string, workspaceFolder: string | undefined, exists: FileExists): Promise<string | undefined> {
  for (const folder of candidateFolders(checkpointFile, workspaceFolder)) {
    const candidate = path.join(folder, MANIFEST_FILE_NAME);
    if (await exists(candidate)) return candidate;
  }
  return undefined;
}

/** The manifest's checkpoint whose path names this `model.json` (or its folder), if any. */
export function matchCheckpoint(manifest: RunManifest, manifestPath: string, modelJsonFile: string): CheckpointSpec | undefined {
  const base = path.dirname(manifestPath);
  const target = path.resolve(modelJsonFile);
  return manifest.checkpoints.find((checkpoint) => {
    const resolved = path.resolve(base, checkpoint.path);
    return resolved === target || path.join(resolved, 'model.json') === target;
  });
}
