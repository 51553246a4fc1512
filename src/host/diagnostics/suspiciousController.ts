/**
 * Keeps one RunState per run manifest with training labels and keeps its shown examples current:
 * (re)loads manifests, asks the engine when a run or its checkpoints change, re-filters after settings
 * changes. Showing them is SuspiciousPublisher's job; following edits, EditFollower's.
 *
 * Nothing here throws into the extension host: every failure is logged or
 * shown with the file it is about.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { SuspiciousRequest } from '../../protocol/engineProtocol';
import { MANIFEST_FILE_NAME, type RunManifest } from '../../protocol/manifest';
import type { EngineSource } from '../engineHandle';
import { isInside } from '../manifest/manifestDiscovery';
import { loadManifest } from '../manifest/manifestLoader';
import { describeError, isCancellation } from '../panel/errors';
import { manifestsUnder } from './deletedRuns';
import { EditFollower } from './editFollower';
import { selectExamples } from './flaggedRows';
import { labelTargetOf } from './labelTarget';
import type { RunTicket } from './latestRun';
import { notificationProgress } from '../notificationProgress';
import { REVIEWED_FOLDER } from './reviewedStore';
import { ReviewedStores } from './reviewedStores';
import type { MappedRow } from './rowMapping';
import { logMapping, mapRows, summaryPlace } from './rowPlacement';
import { RERUN_DEBOUNCE_MS, RunScheduler } from './runScheduler';
import { samePath, type RunState } from './runState';
import { readDiagnosticsSettings, SETTINGS_SECTION, type DiagnosticsSettings } from './settings';
import { SuspiciousPublisher } from './suspiciousPublisher';
import { checkSuspiciousResult, type CheckedSuspicious } from './suspiciousResult';

export interface SuspiciousDiagnosticsDeps {
  /** The window's engine (EngineManager). */
  engine: EngineSource;
  log: vscode.LogOutputChannel;
  /** Opens the panel on a training example. */
  openExample: (manifestPath: string, split: 'train', index: number) => Thenable<unknown> | void;
}

const MAX_MANIFESTS = 50;
const EXCLUDE = '**/{node_modules,.git}/**';

/** The workspace's run manifests, as many as the diagnostics look at. */
export const findManifests = (): Thenable<vscode.Uri[]> => vscode.workspace.findFiles(`**/${MANIFEST_FILE_NAME}`, EXCLUDE, MAX_MANIFESTS);

export class SuspiciousController implements vscode.Disposable {
  private readonly runStates = new Map<string, RunState>();
  readonly publisher = new SuspiciousPublisher();
  private readonly reviewed: ReviewedStores;
  private readonly scheduler = new RunScheduler((ticket, interactive) => this.runNow(ticket, interactive));
  private readonly edits: EditFollower;
  private settings: DiagnosticsSettings;
  private disposed = false;
  private readonly reported = new Set<string>();

  constructor(private readonly deps: SuspiciousDiagnosticsDeps) {
    this.settings = this.readSettings();
    this.reviewed = new ReviewedStores(deps.log, () => this.publish());
    this.edits = new EditFollower(this.runStates, deps.log, () => this.publish());
  }

  get states(): ReadonlyMap<string, RunState> {
    return this.runStates;
  }

  get minScore(): number {
    return this.settings.minScore;
  }

  private readSettings(): DiagnosticsSettings {
    const config = vscode.workspace.getConfiguration(SETTINGS_SECTION);
    return readDiagnosticsSettings((key) => config.get(key));
  }

  // ---- discovery -------------------------------------------------------------------------------

  async discover(): Promise<void> {
    if (!this.settings.enabled) return;
    const found = await findManifests();
    for (const uri of found) await this.loadState(uri.fsPath, { run: true });
  }

  /** (Re)reads a manifest; drops its state when it no longer describes a run with training labels. */
  async loadState(manifestPath: string, options: { run: boolean; interactive?: boolean }): Promise<RunState | undefined> {
    const folder = vscode.workspace.getWorkspaceFolder(vscode.Uri.file(manifestPath))?.uri.fsPath;
    const old = this.runStates.get(manifestPath);
    if (!folder) return undefined;
    let manifest: RunManifest;
    try {
      manifest = await loadManifest(manifestPath, (file) => fs.readFile(file));
    } catch (error) {
      this.dropState(manifestPath);
      this.problem(`${describeError(error)}`, options.interactive === true);
      return undefined;
    }
    const target = labelTargetOf(manifest, manifestPath);
    if (!target) {
      this.dropState(manifestPath);
      this.deps.log.info(`${manifestPath}: the training set has no labels; no suspicious-label diagnostics for this run.`);
      if (options.interactive) void vscode.window.showInformationMessage(`Model Debugger: ${vscode.workspace.asRelativePath(manifestPath)} names a training set without labels, so there are no labels to check.`);
      return undefined;
    }
    if (!isInside(folder, target.file)) {
      this.dropState(manifestPath);
      this.problem(`${manifestPath}: the training labels (${target.file}) lie outside the workspace folder; not checking them.`, options.interactive === true);
      return undefined;
    }
    for (const watcher of old?.watchers ?? []) watcher.dispose();
    const state: RunState = {
      manifestPath,
      manifest,
      name: manifest.name ?? vscode.workspace.asRelativePath(manifestPath),
      workspaceFolder: folder,
      target,
      shown: [],
      rows: [],
      watchers: [],
    };
    // A changed manifest may name other files: results from the old one are not carried over.
    this.runStates.set(manifestPath, state);
    this.reviewed.storeFor(folder);
    this.watchCheckpoints(state);
    this.publish();
    if (options.run) this.scheduleRun(state);
    return state;
  }

  private dropState(manifestPath: string): void {
    const state = this.runStates.get(manifestPath);
    if (!state) return;
    this.scheduler.forget(manifestPath);
    for (const watcher of state.watchers) watcher.dispose();
    this.runStates.delete(manifestPath);
    this.publish();
  }

  private watchCheckpoints(state: RunState): void {
    const base = path.dirname(state.manifestPath);
    const folders = new Set<string>();
    for (const checkpoint of state.manifest.checkpoints) {
      const resolved = path.resolve(base, checkpoint.path);
      const folder = path.basename(resolved) === 'model.json' ? path.dirname(resolved) : resolved;
      if (isInside(state.workspaceFolder, folder)) folders.add(folder);
    }
    for (const folder of folders) {
      // model.json and its weight shards; never the engine's own cache under .modeldebug/.
      const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(folder), '**/{model.json,*.bin}'));
      const changed = (uri: vscode.Uri): void => {
        if (!uri.fsPath.split(/[\\/]/).includes(REVIEWED_FOLDER)) this.scheduleRun(state, RERUN_DEBOUNCE_MS);
      };
      state.watchers.push(watcher, watcher.onDidCreate(changed), watcher.onDidChange(changed), watcher.onDidDelete(changed));
    }
  }

  /** A file or folder was deleted: drops the runs whose manifest it was or held. */
  pathDeleted(uri: vscode.Uri): void {
    if (uri.scheme !== 'file' || this.disposed) return;
    for (const manifestPath of manifestsUnder(uri.fsPath, this.runStates.keys())) this.dropState(manifestPath);
  }

  manifestChanged(uri: vscode.Uri): void {
    if (uri.scheme !== 'file' || this.disposed) return;
    const manifestPath = uri.fsPath;
    if (!this.settings.enabled) return;
    this.scheduler.debounce(`manifest:${manifestPath}`, () => void this.loadState(manifestPath, { run: true }).catch((error: unknown) => this.problem(describeError(error), false)));
  }

  // ---- running ---------------------------------------------------------------------------------

  private scheduleRun(state: RunState, delayMs = 0): void {
    if (!this.settings.enabled || this.disposed) return;
    if (delayMs === 0) {
      void this.run(state.manifestPath, false);
      return;
    }
    this.scheduler.debounce(state.manifestPath, () => void this.run(state.manifestPath, false));
  }

  /** Asks the engine; publishes only if this is still the latest run for the manifest when it answers. */
  run(manifestPath: string, interactive: boolean): Promise<void> {
    return this.scheduler.run(manifestPath, interactive);
  }

  private async runNow(ticket: RunTicket, interactive: boolean): Promise<void> {
    const state = this.runStates.get(ticket.key);
    if (!state || !this.scheduler.isCurrent(ticket)) return;
    const limit = this.settings.maxShown;
    try {
      await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `Model Debugger: finding suspicious training labels in ${state.name}`, cancellable: true },
        async (progress, token) => {
          const subscription = token.onCancellationRequested(() => this.scheduler.cancel(ticket.key));
          const onProgress = notificationProgress(progress);
          try {
            const handle = await this.deps.engine.acquire();
            if (!this.scheduler.isCurrent(ticket)) return;
            const raw: unknown = await handle.rpc.call(SuspiciousRequest, { manifestPath: state.manifestPath, limit }, { signal: ticket.signal, onProgress });
            if (!this.scheduler.isCurrent(ticket)) return;
            const checked = checkSuspiciousResult(raw, state.manifestPath);
            if (checked.dropped > 0) this.deps.log.warn(`${state.manifestPath}: ignored ${checked.dropped} malformed suspicious-example entries from the engine.`);
            progress.report({ message: 'placing the results in the labels file' });
            await this.apply(state, checked, limit, ticket);
          } finally {
            subscription.dispose();
          }
        },
      );
    } catch (error) {
      if (isCancellation(error) || ticket.signal.aborted) {
        this.deps.log.info(`${state.manifestPath}: the suspicious-label check was cancelled or superseded.`);
      } else if (/without labels/.test(describeError(error)) && !interactive) {
        this.deps.log.info(`${state.manifestPath}: ${describeError(error)}`);
      } else {
        this.problem(`${state.manifestPath}: finding suspicious training examples failed: ${describeError(error)}`, interactive);
      }
    } finally {
      this.scheduler.end(ticket);
    }
  }

  /** Filters, maps and publishes a validated result, unless a newer run or a cancel made it stale. */
  private async apply(state: RunState, checked: CheckedSuspicious, limit: number, ticket?: RunTicket): Promise<void> {
    const shown = selectExamples(checked.examples, this.settings.minScore, this.settings.maxShown);
    let rows: MappedRow[] = [];
    let summary: RunState['summary'];
    if (state.target.kind === 'text') {
      if (!samePath(checked.trainFile, state.target.file)) {
        throw new Error(`${state.manifestPath}: the engine read the training labels from ${checked.trainFile}, but the manifest names ${state.target.file}`);
      }
      const report = await mapRows(state.target.file, state.target, { by: 'row', examples: shown });
      logMapping(this.deps.log, state, report);
      rows = report.mapped;
    } else {
      summary = await summaryPlace(this.deps.log, state);
    }
    if ((ticket && !this.scheduler.isCurrent(ticket)) || this.runStates.get(state.manifestPath) !== state || this.disposed) return;
    state.result = checked;
    state.limit = limit;
    state.shown = shown;
    state.rows = rows;
    state.summary = summary;
    this.deps.log.info(`${state.manifestPath}: ${checked.examples.length} suspicious of ${checked.trainCount} training examples at ${checked.checkpoint}; ${shown.length} at score ≥ ${this.settings.minScore}.`);
    this.publish();
  }

  documentChanged(event: vscode.TextDocumentChangeEvent): void {
    this.edits.documentChanged(event);
  }

  // ---- settings --------------------------------------------------------------------------------

  settingsChanged(): void {
    const before = this.settings;
    this.settings = this.readSettings();
    const after = this.settings;
    if (!after.enabled) {
      this.scheduler.cancel();
      for (const state of this.runStates.values()) {
        state.result = undefined;
        state.shown = [];
        state.rows = [];
        state.summary = undefined;
      }
      this.publish();
      return;
    }
    if (!before.enabled) {
      void this.discover().catch((error: unknown) => this.problem(describeError(error), false));
      return;
    }
    for (const state of this.runStates.values()) {
      if (!state.result || (state.limit ?? 0) < after.maxShown) this.scheduleRun(state, RERUN_DEBOUNCE_MS);
      else if (before.minScore !== after.minScore || before.maxShown !== after.maxShown) {
        // A stricter or looser filter over the same answer: no engine run.
        const result = state.result;
        void this.apply(state, result, state.limit ?? after.maxShown).catch((error: unknown) => this.problem(describeError(error), false));
      }
    }
  }

  // ---- reviewed --------------------------------------------------------------------------------

  reviewedFileChanged(uri: vscode.Uri): void {
    this.reviewed.fileChanged(uri);
  }

  async markReviewed(manifestPath: unknown, row: unknown, label: unknown): Promise<void> {
    const state = typeof manifestPath === 'string' ? this.runStates.get(manifestPath) : undefined;
    if (!state || state.target.kind !== 'text' || typeof row !== 'number' || typeof label !== 'number') return;
    const key = this.reviewed.reviewKey(state, state.target.file, row, label);
    if (!key) return;
    const store = this.reviewed.storeFor(state.workspaceFolder);
    try {
      await store.add([key]);
      this.publish();
    } catch (error) {
      this.problem(describeError(error), true);
    }
  }

  // ---- publishing ------------------------------------------------------------------------------

  publish(): void {
    if (this.disposed) return;
    this.publisher.publish(this.runStates, (state, file, row, label) => this.reviewed.isReviewed(state, file, row, label), this.settings.minScore);
  }

  /** Logged always; shown once per distinct message for automatic runs, every time for a command. */
  problem(message: string, interactive: boolean): void {
    this.deps.log.error(message);
    if (!interactive && this.reported.has(message)) return;
    this.reported.add(message);
    void vscode.window.showWarningMessage(`Model Debugger: ${message}`);
  }

  dispose(): void {
    this.disposed = true;
    this.scheduler.dispose();
    this.edits.dispose();
    for (const state of this.runStates.values()) for (const watcher of state.watchers) watcher.dispose();
    this.runStates.clear();
    this.publisher.dispose();
  }
}
