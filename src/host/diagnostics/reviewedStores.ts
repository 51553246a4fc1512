/** One ReviewedStore per workspace folder, reloaded when its file changes on disk. */
import type * as vscode from 'vscode';
import { ReviewedStore, workspaceKeyPath, type ReviewedKey } from './reviewedStore';
import { samePath, type RunState } from './runState';

export class ReviewedStores {
  private readonly stores = new Map<string, ReviewedStore>();

  /** `changed` runs after every (re)load, so the diagnostics drop rows reviewed elsewhere. */
  constructor(
    private readonly log: vscode.LogOutputChannel,
    private readonly changed: () => void,
  ) {}

  storeFor(workspaceFolder: string): ReviewedStore {
    let store = this.stores.get(workspaceFolder);
    if (!store) {
      store = new ReviewedStore(workspaceFolder);
      this.stores.set(workspaceFolder, store);
      void this.reloadStore(store);
    }
    return store;
  }

  async reloadStore(store: ReviewedStore): Promise<void> {
    const outcome = await store.load();
    if (outcome.problem) this.log.warn(`${store.file}: ${outcome.problem}; treating no rows as reviewed.`);
    if (outcome.ignored > 0) this.log.warn(`${store.file}: ignored ${outcome.ignored} malformed entries.`);
    this.changed();
  }

  fileChanged(uri: vscode.Uri): void {
    for (const store of this.stores.values()) if (samePath(store.file, uri.fsPath)) void this.reloadStore(store);
  }

  reviewKey(state: RunState, file: string, row: number, label: number): ReviewedKey | undefined {
    const manifest = workspaceKeyPath(state.workspaceFolder, state.manifestPath);
    const keyFile = workspaceKeyPath(state.workspaceFolder, file);
    return manifest && keyFile ? { manifest, file: keyFile, row, label } : undefined;
  }

  isReviewed(state: RunState, file: string, row: number, label: number): boolean {
    const store = this.storeFor(state.workspaceFolder);
    const key = this.reviewKey(state, file, row, label);
    return key !== undefined && store.has(key);
  }
}
