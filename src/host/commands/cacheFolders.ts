/**
 * Which folders "Clear Cache" empties: `<root>/.modeldebug/cache` for every
 * workspace folder and every run's root (the engine keeps a run's cache under
 * the parent of its manifest's folder), as long as that root lies inside a
 * workspace folder. Only the cache folder goes; `.modeldebug/reviewed.json`
 * (the user's review decisions) sits beside it and is never touched. Free of `vscode`.
 */
import * as path from 'node:path';

export const CACHE_SUBPATH = ['.modeldebug', 'cache'] as const;
/** Kept even if it somehow ends up inside the cache folder. */
export const PROTECTED_FILES = new Set(['reviewed.json']);

function isInside(parent: string, child: string): boolean {
  const relative = path.relative(parent, child);
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}

/** The engine's default root for a run: the folder above the manifest's folder (src/engine/run/paths.ts). */
export function runRoot(manifestPath: string): string {
  return path.dirname(path.dirname(path.resolve(manifestPath)));
}

export function cacheFolders(workspaceFolders: readonly string[], manifestPaths: readonly string[]): string[] {
  const roots = new Set(workspaceFolders.map((folder) => path.resolve(folder)));
  for (const manifest of manifestPaths) {
    const root = runRoot(manifest);
    if (workspaceFolders.some((folder) => isInside(path.resolve(folder), root))) roots.add(root);
  }
  return [...roots].sort().map((root) => path.join(root, ...CACHE_SUBPATH));
}

/** The entries of a cache folder to delete: everything but the protected files. */
export function entriesToDelete(entries: readonly string[]): string[] {
  return entries.filter((name) => !PROTECTED_FILES.has(name));
}
