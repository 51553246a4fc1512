import * as path from 'node:path';

/**
 * Resolves a manifest-relative path and re-expresses it relative to the trust
 * root, the folder every data path must stay inside (the workspace folder in
 * the editor, the working directory for the CLI). The loaders then enforce
 * the containment, symlinks included.
 */
export function relativeToRoot(root: string, manifestDir: string, relativePath: string): string {
  if (path.isAbsolute(relativePath)) return relativePath; // the loader rejects it with the file named
  return path.relative(root, path.resolve(manifestDir, relativePath));
}

/** The default trust root: the manifest folder's parent, so a run may share a sibling data folder. */
export function defaultRoot(manifestPath: string): string {
  return path.dirname(path.dirname(path.resolve(manifestPath)));
}
