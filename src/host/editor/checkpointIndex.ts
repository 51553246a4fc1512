/**
 * Keeps the workspace's checkpoints and run manifests in view: a scan at
 * start and file watchers after, feeding the context keys the menus use
 * (`modelDebugger.checkpointFolders`, `modelDebugger.hasRuns`).
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { CONTEXT } from '../commands/catalog';
import { CheckpointFolderSet, MANIFEST_FILE } from './checkpointFolders';

const EXCLUDE = '**/{node_modules,.git,.modeldebug}/**';
const MAX_SCAN = 10_000;

export class CheckpointIndex implements vscode.Disposable {
  private readonly checkpoints = new CheckpointFolderSet();
  private readonly manifestFiles = new Set<string>();
  private readonly disposables: vscode.Disposable[] = [];
  private publishTimer: ReturnType<typeof setTimeout> | undefined;
  private scanned: Promise<void> | undefined;

  constructor(private readonly log: vscode.LogOutputChannel) {
    const checkpointWatcher = vscode.workspace.createFileSystemWatcher('**/model.json');
    const manifestWatcher = vscode.workspace.createFileSystemWatcher(`**/${MANIFEST_FILE}`);
    // Deleting a folder reports only the folder, so deletions are watched for everything.
    const deletions = vscode.workspace.createFileSystemWatcher('**/*', true, true, false);
    this.disposables.push(
      checkpointWatcher,
      manifestWatcher,
      deletions,
      checkpointWatcher.onDidCreate((uri) => this.changed(this.checkpoints.add(uri.fsPath))),
      manifestWatcher.onDidCreate((uri) => this.changed(this.addManifest(uri.fsPath))),
      deletions.onDidDelete((uri) => this.removed(uri.fsPath)),
      vscode.workspace.onDidChangeWorkspaceFolders(() => void this.rescan()),
    );
  }

  /** The first scan; later calls wait for the same one. */
  start(): Promise<void> {
    this.scanned ??= this.rescan();
    return this.scanned;
  }

  /** Every run manifest in the workspace, sorted. */
  async manifests(): Promise<string[]> {
    await this.start();
    return [...this.manifestFiles].sort();
  }

  private async rescan(): Promise<void> {
    try {
      const [models, manifests] = await Promise.all([
        vscode.workspace.findFiles('**/model.json', EXCLUDE, MAX_SCAN),
        vscode.workspace.findFiles(`**/${MANIFEST_FILE}`, EXCLUDE, MAX_SCAN),
      ]);
      for (const uri of models) if (uri.scheme === 'file') this.checkpoints.add(uri.fsPath);
      for (const uri of manifests) if (uri.scheme === 'file') this.manifestFiles.add(uri.fsPath);
      this.log.info(`Found ${this.checkpoints.size} checkpoint(s) and ${this.manifestFiles.size} run manifest(s) in the workspace.`);
    } catch (error) {
      this.log.warn(`Scanning the workspace for checkpoints failed: ${error instanceof Error ? error.message : String(error)}`);
    }
    this.publish();
  }

  private addManifest(file: string): boolean {
    if (this.manifestFiles.has(file)) return false;
    this.manifestFiles.add(file);
    return true;
  }

  private removed(file: string): void {
    let changed = this.checkpoints.remove(file);
    const prefix = file.endsWith(path.sep) ? file : file + path.sep;
    for (const manifest of [...this.manifestFiles]) {
      if (manifest === file || manifest.startsWith(prefix)) changed = this.manifestFiles.delete(manifest) || changed;
    }
    this.changed(changed);
  }

  private changed(changed: boolean): void {
    if (!changed) return;
    // A training run writes many checkpoints in a row: publish once it settles.
    if (this.publishTimer) clearTimeout(this.publishTimer);
    this.publishTimer = setTimeout(() => this.publish(), 300);
  }

  private publish(): void {
    this.publishTimer = undefined;
    void vscode.commands.executeCommand('setContext', CONTEXT.checkpointFolders, this.checkpoints.folders());
    void vscode.commands.executeCommand('setContext', CONTEXT.hasRuns, this.manifestFiles.size > 0);
  }

  dispose(): void {
    if (this.publishTimer) clearTimeout(this.publishTimer);
    for (const d of this.disposables) d.dispose();
  }
}
