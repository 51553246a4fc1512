/**
 * Paths named by untrusted files (run manifests, model.json weight paths,
 * labels.csv) must stay inside the folder that named them, also after
 * symlinks are followed.
 */
import { realpath } from 'node:fs/promises';
import * as path from 'node:path';
import { DataFileError } from '../data/errors';

/** Why `relPath` is not a plain relative path, or undefined when it is. */
export function relativePathProblem(relPath: string): string | undefined {
  if (relPath.length === 0) return 'is empty';
  if (relPath.includes('\0')) return 'contains a NUL character';
  if (/^[A-Za-z][A-Za-z0-9+.-]*:/.test(relPath)) return 'is a URL or a drive-letter path, not a relative path';
  if (path.isAbsolute(relPath) || path.win32.isAbsolute(relPath)) return 'is an absolute path; paths must be relative';
  if (relPath.split(/[\\/]/).includes('..')) return "contains '..'; paths must stay inside their folder";
  return undefined;
}

/** True when `candidate` is `root` or below it; both must be absolute and normalised. */
export function isInside(root: string, candidate: string): boolean {
  const relative = path.relative(root, candidate);
  return relative === '' || (relative !== '..' && !relative.startsWith(`..${path.sep}`) && !path.isAbsolute(relative));
}

export interface ResolvedPath {
  /** `root` joined with the relative path: what messages show. */
  path: string;
  /** After following every symlink: what gets opened. */
  realPath: string;
}

async function real(target: string): Promise<string> {
  try {
    return await realpath(target);
  } catch (error) {
    const code = (error as { code?: string }).code;
    const problem = code === 'ENOENT' || code === 'ENOTDIR' ? 'does not exist' : code === 'ELOOP' ? 'is a symlink loop' : `cannot be resolved (${(error as Error).message})`;
    throw new DataFileError(target, problem);
  }
}

/** Resolves `relPath` under `root` and checks that its real location is inside the real `root`. */
export async function resolveInside(root: string, relPath: string): Promise<ResolvedPath> {
  const display = path.resolve(root, relPath);
  const problem = relativePathProblem(relPath);
  if (problem) throw new DataFileError(display, `path "${relPath}" ${problem}`);
  const realRoot = await real(path.resolve(root));
  const realPath = await real(display);
  if (!isInside(realRoot, realPath)) throw new DataFileError(display, `resolves to ${realPath}, outside ${root}`);
  return { path: display, realPath };
}
