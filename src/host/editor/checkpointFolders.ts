/**
 * The folders that hold a checkpoint (a `model.json`), kept as the value of
 * the `modelDebugger.checkpointFolders` context key so the explorer offers
 * "Explain this checkpoint" on them (`resourcePath in modelDebugger.checkpointFolders`).
 * Fed by a workspace scan and a file watcher. Free of `vscode`.
 */
import * as path from 'node:path';

export const CHECKPOINT_FILE = 'model.json';
export const MANIFEST_FILE = 'modeldebug.json';
/** A context key holding more folders than this would slow every menu; past it the folder entry is dropped. */
export const MAX_CHECKPOINT_FOLDERS = 5_000;

export function isCheckpointFile(file: string): boolean {
  return path.basename(file) === CHECKPOINT_FILE;
}

export class CheckpointFolderSet {
  private readonly files = new Set<string>();

  constructor(initial: Iterable<string> = []) {
    for (const file of initial) this.add(file);
  }

  /** A model.json appeared; false when it was known already or is no checkpoint file. */
  add(modelJson: string): boolean {
    if (!isCheckpointFile(modelJson) || this.files.has(modelJson)) return false;
    this.files.add(modelJson);
    return true;
  }

  /**
   * Something was deleted: a model.json, or a folder with checkpoints below it
   * (watchers report only the folder). True when the set changed.
   */
  remove(deleted: string): boolean {
    let changed = this.files.delete(deleted);
    const prefix = deleted.endsWith(path.sep) ? deleted : deleted + path.sep;
    for (const file of [...this.files]) {
      if (file.startsWith(prefix)) changed = this.files.delete(file) || changed;
    }
    return changed;
  }

  /** The context key's value: each checkpoint's folder as `resourcePath` spells it, sorted, capped. */
  folders(): string[] {
    const folders = [...new Set([...this.files].map((file) => path.dirname(file)))].sort();
    return folders.slice(0, MAX_CHECKPOINT_FOLDERS);
  }

  get size(): number {
    return this.files.size;
  }
}
