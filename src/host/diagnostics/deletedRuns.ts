/**
 * The runs a deletion takes away. A file watcher on `**\/modeldebug.json` may report only the folder
 * when a whole run folder is deleted (`rm -rf run/`, or the Explorer), so every deletion is matched
 * against the known manifests: the manifest itself, or any manifest below a deleted folder.
 */
import { isInside } from '../manifest/manifestDiscovery';

export function manifestsUnder(deletedPath: string, manifestPaths: Iterable<string>): string[] {
  return [...manifestPaths].filter((manifestPath) => isInside(deletedPath, manifestPath));
}
