/**
 * Inline diagnostics for suspicious training examples (issue 5). For every run
 * manifest with training labels, asks the engine which labels look wrong and
 * shows each flagged row in its labels file as a Warning with quick fixes
 * (show in the panel, change the label, mark as reviewed); for datasets without
 * lines, one summary on the training script's loading line with a CodeLens.
 *
 * The logic lives in the vscode-free modules beside this file; this is the glue.
 * Nothing here throws into the extension host: every failure is logged or
 * shown with the file it is about.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { SuspiciousRequest, type SuspiciousTrainingExample } from '../../protocol/engineProtocol';
import { MANIFEST_FILE_NAME, type RunManifest } from '../../protocol/manifest';
import { progressLine } from '../../protocol/webviewProtocol';
import type { Progress } from '../../protocol/rpc';
import { STREAM_ABOVE_BYTES } from '../dataLines/streamText';
import type { TextRange } from '../dataLines/textRange';
import type { EngineSource } from '../engineHandle';
import { isInside } from '../manifest/manifestDiscovery';
import { loadManifest } from '../manifest/manifestLoader';
import { describeError, isCancellation } from '../panel/errors';
import { KeyedDebouncer } from './debounce';
import { rowDiagnosticSpec, selectExamples, shiftRows, specsAt, type RowDiagnosticSpec } from './flaggedRows';
import { labelTargetOf, type LabelTarget } from './labelTarget';
import { LatestRun, type RunTicket } from './latestRun';
import type { TextChange } from './lineShift';
import { codeLensTitle, DIAGNOSTIC_SOURCE, pickRow, summaryMessage } from './messages';
import { ReviewedStore, workspaceKeyPath, REVIEWED_FILE, REVIEWED_FOLDER, type ReviewedKey } from './reviewedStore';
import { mapRowsInFile, mapRowsInText, type Lookup, type MappedRow, type MappingReport } from './rowMapping';
import { findDatasetMention } from './scriptLine';
import { readDiagnosticsSettings, SETTINGS_SECTION, type DiagnosticsSettings } from './settings';
import { checkSuspiciousResult, type CheckedSuspicious } from './suspiciousResult';

export const SUSPICIOUS_COMMANDS = {
  /** Contributed: "Find Suspicious Training Examples". */
  find: 'modelDebugger.findSuspicious',
  /** Contributed (palette): the quick pick of a run's flagged examples; also the CodeLens command. */
  review: 'modelDebugger.reviewSuspicious',
  /** Internal: the code actions' commands. */
  show: 'modelDebugger.showSuspiciousExample',
  markReviewed: 'modelDebugger.markSuspiciousReviewed',
} as const;

export interface SuspiciousDiagnosticsDeps {
  /** The window's engine (EngineManager). */
  engine: EngineSource;
  log: vscode.LogOutputChannel;
  /** Opens the panel on a training example. */
  openExample: (manifestPath: string, split: 'train', index: number) => Thenable<unknown> | void;
}

const RERUN_DEBOUNCE_MS = 2000;
const REMAP_DEBOUNCE_MS = 400;
const MAX_MANIFESTS = 50;
const EXCLUDE = '**/{node_modules,.git}/**';
const TEXT_SELECTORS: vscode.DocumentFilter[] = ['csv', 'jsonl', 'ndjson', 'CSV', 'JSONL'].map((ext) => ({ scheme: 'file', pattern: `**/*.${ext}` }));

interface RunState {
  manifestPath: string;
  manifest: RunManifest;
  name: string;
  workspaceFolder: string;
  target: LabelTarget;
  /** The last result published (validated), and the limit it was asked with. */
  result?: CheckedSuspicious;
  limit?: number;
  /** What is shown, after the score filter. */
  shown: SuspiciousTrainingExample[];
  /** Text targets: where the shown examples are now. */
  rows: MappedRow[];
  /** Binary targets: the summary's file and range. */
  summary?: { file: string; range: TextRange };
  watchers: vscode.Disposable[];
}

const toRange = (r: TextRange): vscode.Range => new vscode.Range(r.start.line, r.start.character, r.end.line, r.end.character);
const samePath = (a: string, b: string): boolean => path.resolve(a) === path.resolve(b);

class SuspiciousDiagnostics implements vscode.CodeActionProvider, vscode.CodeLensProvider {
  /**
   * One diagnostic collection per run: VS Code keeps at most 1,000 diagnostics per file and collection
   * (the rest become one "Not showing N further problems" entry), and the demo's two runs flag the
   * same labels file, so one shared collection would cut a second run's rows.
   */
  private readonly collections = new Map<string, vscode.DiagnosticCollection>();
  private readonly states = new Map<string, RunState>();
  private readonly stores = new Map<string, ReviewedStore>();
  private readonly latest = new LatestRun();
  private readonly reruns = new KeyedDebouncer(RERUN_DEBOUNCE_MS);
  private readonly remaps = new KeyedDebouncer(REMAP_DEBOUNCE_MS);
  private readonly lensesChanged = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.lensesChanged.event;
  /** Per document URI: the row specs shown there, for the code actions. */
  private specs = new Map<string, Array<{ state: RunState; spec: RowDiagnosticSpec }>>();
  /** Per script URI: the summaries shown there, for the CodeLens. */
  private lenses = new Map<string, Array<{ state: RunState; range: TextRange }>>();
  private settings: DiagnosticsSettings;
  /** Engine runs go one at a time. */
  private queue: Promise<void> = Promise.resolve();
  private disposed = false;
  private readonly reported = new Set<string>();

  constructor(private readonly deps: SuspiciousDiagnosticsDeps) {
    this.settings = this.readSettings();
  }

  private readSettings(): DiagnosticsSettings {
    const config = vscode.workspace.getConfiguration(SETTINGS_SECTION);
    return readDiagnosticsSettings((key) => config.get(key));
  }

  // ---- discovery -------------------------------------------------------------------------------

  async discover(): Promise<void> {
    if (!this.settings.enabled) return;
    const found = await vscode.workspace.findFiles(`**/${MANIFEST_FILE_NAME}`, EXCLUDE, MAX_MANIFESTS);
    for (const uri of found) await this.loadState(uri.fsPath, { run: true });
  }

  /** (Re)reads a manifest; drops its state when it no longer describes a run with training labels. */
  private async loadState(manifestPath: string, options: { run: boolean; interactive?: boolean }): Promise<RunState | undefined> {
    const folder = vscode.workspace.getWorkspaceFolder(vscode.Uri.file(manifestPath))?.uri.fsPath;
    const old = this.states.get(manifestPath);
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
    this.states.set(manifestPath, state);
    this.storeFor(folder);
    this.watchCheckpoints(state);
    this.publish();
    if (options.run) this.scheduleRun(state);
    return state;
  }

  private dropState(manifestPath: string): void {
    const state = this.states.get(manifestPath);
    if (!state) return;
    this.latest.cancel(manifestPath);
    this.reruns.cancel(manifestPath);
    for (const watcher of state.watchers) watcher.dispose();
    this.states.delete(manifestPath);
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

  manifestChanged(uri: vscode.Uri, deleted: boolean): void {
    if (uri.scheme !== 'file' || this.disposed) return;
    const manifestPath = uri.fsPath;
    if (deleted) {
      this.dropState(manifestPath);
      return;
    }
    if (!this.settings.enabled) return;
    this.reruns.schedule(`manifest:${manifestPath}`, () => void this.loadState(manifestPath, { run: true }).catch((error: unknown) => this.problem(describeError(error), false)));
  }

  // ---- running ---------------------------------------------------------------------------------

  private scheduleRun(state: RunState, delayMs = 0): void {
    if (!this.settings.enabled || this.disposed) return;
    if (delayMs === 0) {
      void this.run(state.manifestPath, false);
      return;
    }
    this.reruns.schedule(state.manifestPath, () => void this.run(state.manifestPath, false));
  }

  /** Asks the engine; publishes only if this is still the latest run for the manifest when it answers. */
  run(manifestPath: string, interactive: boolean): Promise<void> {
    const ticket = this.latest.begin(manifestPath);
    const work = this.queue.then(() => this.runNow(ticket, interactive));
    this.queue = work.catch(() => undefined);
    return work;
  }

  private async runNow(ticket: RunTicket, interactive: boolean): Promise<void> {
    const state = this.states.get(ticket.key);
    if (!state || !this.latest.isCurrent(ticket)) return;
    const limit = this.settings.maxShown;
    try {
      await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `Model Debugger: finding suspicious training labels in ${state.name}`, cancellable: true },
        async (progress, token) => {
          const subscription = token.onCancellationRequested(() => this.latest.cancel(ticket.key));
          let reported = 0;
          const onProgress = (p: Progress): void => {
            const step: { message: string; increment?: number } = { message: progressLine(p) };
            if (p.fraction !== undefined && Number.isFinite(p.fraction)) {
              const percent = Math.min(100, Math.max(0, p.fraction * 100));
              if (percent > reported) step.increment = percent - reported;
              reported = Math.max(reported, percent);
            }
            progress.report(step);
          };
          try {
            const handle = await this.deps.engine.acquire();
            if (!this.latest.isCurrent(ticket)) return;
            const raw: unknown = await handle.rpc.call(SuspiciousRequest, { manifestPath: state.manifestPath, limit }, { signal: ticket.signal, onProgress });
            if (!this.latest.isCurrent(ticket)) return;
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
      this.latest.end(ticket);
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
      const report = await this.mapRows(state.target.file, state.target, { by: 'row', examples: shown });
      this.logMapping(state, report);
      rows = report.mapped;
    } else {
      summary = await this.summaryPlace(state);
    }
    if ((ticket && !this.latest.isCurrent(ticket)) || this.states.get(state.manifestPath) !== state || this.disposed) return;
    state.result = checked;
    state.limit = limit;
    state.shown = shown;
    state.rows = rows;
    state.summary = summary;
    this.deps.log.info(`${state.manifestPath}: ${checked.examples.length} suspicious of ${checked.trainCount} training examples at ${checked.checkpoint}; ${shown.length} at score ≥ ${this.settings.minScore}.`);
    this.publish();
  }

  private logMapping(state: RunState, report: MappingReport): void {
    const file = state.target.file;
    if (report.missing.length > 0) this.deps.log.warn(`${file}: ${report.missing.length} flagged rows are past the end of the file (it changed since the check?).`);
    if (report.changed.length > 0) this.deps.log.info(`${file}: ${report.changed.length} flagged rows no longer hold the flagged label; not shown.`);
    if (report.lineMismatches > 0) this.deps.log.warn(`${file}: the engine placed ${report.lineMismatches} flagged rows on other lines than the file has them; using the file's.`);
  }

  /** Rows from the open document when there is one (and it is small enough to be one), else from disk. */
  private async mapRows(file: string, target: Extract<LabelTarget, { kind: 'text' }>, lookup: Lookup): Promise<MappingReport> {
    let size: number;
    try {
      size = (await fs.stat(file)).size;
    } catch (error) {
      throw new Error(`${file}: cannot be read (${(error as Error).message})`);
    }
    if (size > STREAM_ABOVE_BYTES) return mapRowsInFile(file, target, lookup);
    const document = vscode.workspace.textDocuments.find((d) => d.uri.scheme === 'file' && samePath(d.uri.fsPath, file));
    const text = document ? document.getText() : await fs.readFile(file, 'utf8');
    return mapRowsInText(text, target, lookup);
  }

  private async summaryPlace(state: RunState): Promise<RunState['summary']> {
    const zero: TextRange = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
    const script = state.manifest.script && path.resolve(path.dirname(state.manifestPath), state.manifest.script);
    if (!script || !isInside(state.workspaceFolder, script)) return { file: state.manifestPath, range: zero };
    try {
      const info = await fs.stat(script);
      if (!info.isFile() || info.size > 4 * 1024 * 1024) return { file: script, range: zero };
      const document = vscode.workspace.textDocuments.find((d) => d.uri.scheme === 'file' && samePath(d.uri.fsPath, script));
      const text = document ? document.getText() : await fs.readFile(script, 'utf8');
      const target = state.target;
      const files = target.kind === 'binary' ? [target.file, ...(target.labelsFile ? [target.labelsFile] : [])] : [target.file];
      return { file: script, range: findDatasetMention(text, script, files).range };
    } catch (error) {
      this.deps.log.warn(`${script}: cannot read the training script (${(error as Error).message}); the summary goes on its first line.`);
      return { file: script, range: zero };
    }
  }

  // ---- edits -----------------------------------------------------------------------------------

  documentChanged(event: vscode.TextDocumentChangeEvent): void {
    if (event.document.uri.scheme !== 'file' || event.contentChanges.length === 0) return;
    const file = event.document.uri.fsPath;
    const changes: TextChange[] = event.contentChanges.map((c) => ({
      range: { start: { line: c.range.start.line, character: c.range.start.character }, end: { line: c.range.end.line, character: c.range.end.character } },
      text: c.text,
    }));
    let touched = false;
    for (const state of this.states.values()) {
      if (state.target.kind === 'text' && samePath(state.target.file, file) && state.rows.length > 0) {
        state.rows = shiftRows(state.rows, changes);
        touched = true;
        this.remaps.schedule(state.manifestPath, () => this.remap(state, event.document));
      } else if (state.summary && samePath(state.summary.file, file) && state.shown.length > 0) {
        this.remaps.schedule(`summary:${state.manifestPath}`, () => {
          void this.summaryPlace(state).then((summary) => {
            if (this.states.get(state.manifestPath) !== state) return;
            state.summary = summary;
            this.publish();
          });
        });
      }
    }
    if (touched) this.publish();
  }

  /** Checks every shifted row still holds its flagged label, without the engine. */
  private remap(state: RunState, document: vscode.TextDocument): void {
    if (this.states.get(state.manifestPath) !== state || state.target.kind !== 'text' || document.isClosed) return;
    try {
      const report = mapRowsInText(document.getText(), state.target, { by: 'line', rows: state.rows.map((r) => ({ example: r.example, line: r.line })) });
      state.rows = report.mapped;
      this.publish();
    } catch (error) {
      this.deps.log.warn(`${state.target.file}: re-placing the flagged rows after an edit failed: ${describeError(error)}`);
    }
  }

  // ---- settings --------------------------------------------------------------------------------

  settingsChanged(): void {
    const before = this.settings;
    this.settings = this.readSettings();
    const after = this.settings;
    if (!after.enabled) {
      this.latest.cancel();
      for (const state of this.states.values()) {
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
    for (const state of this.states.values()) {
      if (!state.result || (state.limit ?? 0) < after.maxShown) this.scheduleRun(state, RERUN_DEBOUNCE_MS);
      else if (before.minScore !== after.minScore || before.maxShown !== after.maxShown) {
        // A stricter or looser filter over the same answer: no engine run.
        const result = state.result;
        void this.apply(state, result, state.limit ?? after.maxShown).catch((error: unknown) => this.problem(describeError(error), false));
      }
    }
  }

  // ---- reviewed --------------------------------------------------------------------------------

  private storeFor(workspaceFolder: string): ReviewedStore {
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
    if (outcome.problem) this.deps.log.warn(`${store.file}: ${outcome.problem}; treating no rows as reviewed.`);
    if (outcome.ignored > 0) this.deps.log.warn(`${store.file}: ignored ${outcome.ignored} malformed entries.`);
    this.publish();
  }

  reviewedFileChanged(uri: vscode.Uri): void {
    for (const store of this.stores.values()) if (samePath(store.file, uri.fsPath)) void this.reloadStore(store);
  }

  private reviewKey(state: RunState, file: string, row: number, label: number): ReviewedKey | undefined {
    const manifest = workspaceKeyPath(state.workspaceFolder, state.manifestPath);
    const keyFile = workspaceKeyPath(state.workspaceFolder, file);
    return manifest && keyFile ? { manifest, file: keyFile, row, label } : undefined;
  }

  async markReviewed(manifestPath: unknown, row: unknown, label: unknown): Promise<void> {
    const state = typeof manifestPath === 'string' ? this.states.get(manifestPath) : undefined;
    if (!state || state.target.kind !== 'text' || typeof row !== 'number' || typeof label !== 'number') return;
    const key = this.reviewKey(state, state.target.file, row, label);
    if (!key) return;
    const store = this.storeFor(state.workspaceFolder);
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
    const byRun = new Map<string, Map<string, { uri: vscode.Uri; diagnostics: vscode.Diagnostic[] }>>();
    const specs = new Map<string, Array<{ state: RunState; spec: RowDiagnosticSpec }>>();
    const lenses = new Map<string, Array<{ state: RunState; range: TextRange }>>();
    const add = (state: RunState, file: string, diagnostic: vscode.Diagnostic): string => {
      const uri = vscode.Uri.file(file);
      const key = uri.toString();
      let byUri = byRun.get(state.manifestPath);
      if (!byUri) byRun.set(state.manifestPath, (byUri = new Map()));
      let entry = byUri.get(key);
      if (!entry) byUri.set(key, (entry = { uri, diagnostics: [] }));
      entry.diagnostics.push(diagnostic);
      return key;
    };
    const related = (state: RunState): vscode.DiagnosticRelatedInformation =>
      new vscode.DiagnosticRelatedInformation(
        new vscode.Location(vscode.Uri.file(state.manifestPath), new vscode.Position(0, 0)),
        `flagged by ${state.name} at ${state.result?.checkpoint ?? 'its last checkpoint'}`,
      );
    for (const state of this.states.values()) {
      const target = state.target;
      if (!state.result) continue;
      if (target.kind === 'text') {
        const store = this.storeFor(state.workspaceFolder);
        for (const row of state.rows) {
          const key = this.reviewKey(state, target.file, row.row, row.example.label);
          if (key && store.has(key)) continue;
          const spec = rowDiagnosticSpec(row, target.format);
          const diagnostic = new vscode.Diagnostic(toRange(spec.range), spec.message, vscode.DiagnosticSeverity.Warning);
          diagnostic.source = DIAGNOSTIC_SOURCE;
          diagnostic.code = spec.code;
          diagnostic.relatedInformation = [related(state)];
          const uriKey = add(state, target.file, diagnostic);
          let list = specs.get(uriKey);
          if (!list) specs.set(uriKey, (list = []));
          list.push({ state, spec });
        }
      } else if (state.summary && state.shown.length > 0) {
        const datasetName = path.basename(target.file);
        const diagnostic = new vscode.Diagnostic(toRange(state.summary.range), summaryMessage(state.shown, datasetName, this.settings.minScore), vscode.DiagnosticSeverity.Warning);
        diagnostic.source = DIAGNOSTIC_SOURCE;
        diagnostic.code = [...new Set(state.shown.flatMap((e) => e.reasons.map((r) => r.signal)))].join(',');
        diagnostic.relatedInformation = [related(state)];
        const uriKey = add(state, state.summary.file, diagnostic);
        let list = lenses.get(uriKey);
        if (!list) lenses.set(uriKey, (list = []));
        list.push({ state, range: state.summary.range });
      }
    }
    for (const [manifestPath, collection] of this.collections) {
      if (this.states.has(manifestPath)) collection.clear();
      else {
        collection.dispose();
        this.collections.delete(manifestPath);
      }
    }
    for (const [manifestPath, byUri] of byRun) {
      let collection = this.collections.get(manifestPath);
      if (!collection) this.collections.set(manifestPath, (collection = vscode.languages.createDiagnosticCollection(`modelDebugger.suspicious:${manifestPath}`)));
      for (const { uri, diagnostics } of byUri.values()) collection.set(uri, diagnostics);
    }
    this.specs = specs;
    this.lenses = lenses;
    this.lensesChanged.fire();
  }

  // ---- providers -------------------------------------------------------------------------------

  provideCodeActions(document: vscode.TextDocument, range: vscode.Range | vscode.Selection, context: vscode.CodeActionContext): vscode.CodeAction[] {
    const entries = this.specs.get(document.uri.toString());
    if (!entries) return [];
    const wanted = { start: { line: range.start.line, character: range.start.character }, end: { line: range.end.line, character: range.end.character } };
    const hits = specsAt(
      entries.map((e) => e.spec),
      wanted,
    );
    const actions: vscode.CodeAction[] = [];
    const matched = entries.filter((e) => hits.includes(e.spec));
    // Several runs may flag the same row: one edit per distinct change, and the run named on its own actions.
    const several = new Set(matched.map((e) => e.state.manifestPath)).size > 1;
    const changes = new Set<string>();
    for (const { state, spec } of matched) {
      const diagnostics = context.diagnostics.filter((d) => d.source === DIAGNOSTIC_SOURCE && d.range.isEqual(toRange(spec.range)));
      const suffix = several ? ` (${state.name})` : '';
      const changeKey = spec.change && `${JSON.stringify(spec.change.range)}\0${spec.change.text}`;
      if (spec.change && changeKey && !changes.has(changeKey)) {
        changes.add(changeKey);
        const change = new vscode.CodeAction(spec.change.title, vscode.CodeActionKind.QuickFix);
        change.edit = new vscode.WorkspaceEdit();
        change.edit.replace(document.uri, toRange(spec.change.range), spec.change.text);
        change.diagnostics = diagnostics;
        change.isPreferred = changes.size === 1;
        actions.push(change);
      }
      const show = new vscode.CodeAction(`Show in Model Debugger${suffix}`, vscode.CodeActionKind.QuickFix);
      show.command = { command: SUSPICIOUS_COMMANDS.show, title: 'Show in Model Debugger', arguments: [state.manifestPath, spec.index] };
      show.diagnostics = diagnostics;
      actions.push(show);
      const mark = new vscode.CodeAction(`Mark as reviewed${suffix}`, vscode.CodeActionKind.QuickFix);
      mark.command = { command: SUSPICIOUS_COMMANDS.markReviewed, title: 'Mark as reviewed', arguments: [state.manifestPath, spec.row, spec.label] };
      mark.diagnostics = diagnostics;
      actions.push(mark);
    }
    return actions;
  }

  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    const entries = this.lenses.get(document.uri.toString()) ?? [];
    return entries.map(
      ({ state, range }) =>
        new vscode.CodeLens(toRange(range), { title: codeLensTitle(state.shown.length), command: SUSPICIOUS_COMMANDS.review, arguments: [state.manifestPath] }),
    );
  }

  // ---- commands --------------------------------------------------------------------------------

  async pickRun(title: string, onlyWithResults: boolean): Promise<string | undefined> {
    if (!onlyWithResults) {
      const found = await vscode.workspace.findFiles(`**/${MANIFEST_FILE_NAME}`, EXCLUDE, MAX_MANIFESTS);
      for (const uri of found) if (!this.states.has(uri.fsPath)) await this.loadState(uri.fsPath, { run: false });
    }
    const candidates = [...this.states.values()].filter((s) => !onlyWithResults || s.shown.length > 0);
    if (candidates.length === 0) {
      void vscode.window.showInformationMessage(
        onlyWithResults ? 'Model Debugger: no run has flagged training examples yet.' : 'Model Debugger: no modeldebug.json in this workspace describes a training set with labels.',
      );
      return undefined;
    }
    if (candidates.length === 1) return candidates[0]!.manifestPath;
    const picked = await vscode.window.showQuickPick(
      candidates.map((s) => ({ label: s.name, description: vscode.workspace.asRelativePath(s.manifestPath), manifestPath: s.manifestPath })),
      { title },
    );
    return picked?.manifestPath;
  }

  async findCommand(target?: unknown): Promise<void> {
    try {
      let manifestPath: string | undefined;
      if (target instanceof vscode.Uri && target.scheme === 'file' && path.basename(target.fsPath) === MANIFEST_FILE_NAME) manifestPath = target.fsPath;
      else manifestPath = await this.pickRun('Model Debugger: find suspicious training examples in which run?', false);
      if (!manifestPath) return;
      const state = this.states.get(manifestPath) ?? (await this.loadState(manifestPath, { run: false, interactive: true }));
      if (!state) return;
      await this.run(manifestPath, true);
      if (state.result && state.shown.length === 0 && this.states.get(manifestPath) === state) {
        void vscode.window.showInformationMessage(`Model Debugger: no training example in ${state.name} scored ≥ ${this.settings.minScore} (modelDebugger.diagnostics.minScore).`);
      }
    } catch (error) {
      this.problem(describeError(error), true);
    }
  }

  async reviewCommand(manifestPath?: unknown): Promise<void> {
    try {
      const chosen = typeof manifestPath === 'string' && this.states.has(manifestPath) ? manifestPath : await this.pickRun('Model Debugger: review which run?', true);
      const state = chosen ? this.states.get(chosen) : undefined;
      if (!state) return;
      const items = state.shown.map((example) => ({ ...pickRow(example), example }));
      const picked = await vscode.window.showQuickPick(items, {
        title: `Model Debugger: ${items.length} suspicious training examples in ${state.name}`,
        matchOnDescription: true,
        matchOnDetail: true,
      });
      if (picked) await this.show(state.manifestPath, picked.example.index);
    } catch (error) {
      this.problem(describeError(error), true);
    }
  }

  async show(manifestPath: unknown, index: unknown): Promise<void> {
    if (typeof manifestPath !== 'string' || typeof index !== 'number' || !Number.isSafeInteger(index) || index < 0) return;
    try {
      await this.deps.openExample(manifestPath, 'train', index);
    } catch (error) {
      this.problem(`${manifestPath}: cannot show training example #${index}: ${describeError(error)}`, true);
    }
  }

  /** Logged always; shown once per distinct message for automatic runs, every time for a command. */
  private problem(message: string, interactive: boolean): void {
    this.deps.log.error(message);
    if (!interactive && this.reported.has(message)) return;
    this.reported.add(message);
    void vscode.window.showWarningMessage(`Model Debugger: ${message}`);
  }

  dispose(): void {
    this.disposed = true;
    this.latest.cancel();
    this.reruns.dispose();
    this.remaps.dispose();
    for (const state of this.states.values()) for (const watcher of state.watchers) watcher.dispose();
    this.states.clear();
    for (const collection of this.collections.values()) collection.dispose();
    this.collections.clear();
    this.lensesChanged.dispose();
  }
}

/**
 * Registers the suspicious-label diagnostics: the diagnostic collection, the
 * quick fixes, the CodeLens, the commands (`modelDebugger.findSuspicious`,
 * `modelDebugger.reviewSuspicious` and two internal ones) and the watchers.
 * Starts the first check in the background. Push the result into
 * `context.subscriptions` (it is also returned for tests).
 */
export function registerSuspiciousDiagnostics(context: vscode.ExtensionContext, deps: SuspiciousDiagnosticsDeps): vscode.Disposable[] {
  const controller = new SuspiciousDiagnostics(deps);
  const manifests = vscode.workspace.createFileSystemWatcher(`**/${MANIFEST_FILE_NAME}`);
  const reviewed = vscode.workspace.createFileSystemWatcher(`**/${REVIEWED_FOLDER}/${REVIEWED_FILE}`);
  const disposables: vscode.Disposable[] = [
    controller,
    manifests,
    manifests.onDidCreate((uri) => controller.manifestChanged(uri, false)),
    manifests.onDidChange((uri) => controller.manifestChanged(uri, false)),
    manifests.onDidDelete((uri) => controller.manifestChanged(uri, true)),
    reviewed,
    reviewed.onDidCreate((uri) => controller.reviewedFileChanged(uri)),
    reviewed.onDidChange((uri) => controller.reviewedFileChanged(uri)),
    reviewed.onDidDelete((uri) => controller.reviewedFileChanged(uri)),
    vscode.workspace.onDidChangeTextDocument((event) => controller.documentChanged(event)),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration(SETTINGS_SECTION)) controller.settingsChanged();
    }),
    vscode.languages.registerCodeActionsProvider(TEXT_SELECTORS, controller, { providedCodeActionKinds: [vscode.CodeActionKind.QuickFix] }),
    vscode.languages.registerCodeLensProvider({ scheme: 'file' }, controller),
    vscode.commands.registerCommand(SUSPICIOUS_COMMANDS.find, (target?: unknown) => controller.findCommand(target)),
    vscode.commands.registerCommand(SUSPICIOUS_COMMANDS.review, (manifestPath?: unknown) => controller.reviewCommand(manifestPath)),
    vscode.commands.registerCommand(SUSPICIOUS_COMMANDS.show, (manifestPath?: unknown, index?: unknown) => controller.show(manifestPath, index)),
    vscode.commands.registerCommand(SUSPICIOUS_COMMANDS.markReviewed, (manifestPath?: unknown, row?: unknown, label?: unknown) => controller.markReviewed(manifestPath, row, label)),
  ];
  void controller.discover().catch((error: unknown) => deps.log.error(`Finding run manifests for the suspicious-label diagnostics failed: ${describeError(error)}`));
  void context;
  return disposables;
}
