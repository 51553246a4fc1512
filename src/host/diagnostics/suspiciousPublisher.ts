/**
 * Turns the runs' shown examples into Warnings, one diagnostic collection per run, and keeps
 * where each was put so the code actions and the CodeLens can find them again.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { TextRange } from '../dataLines/textRange';
import { rowDiagnosticSpec, type RowDiagnosticSpec } from './flaggedRows';
import { DIAGNOSTIC_SOURCE, summaryMessage } from './messages';
import type { RunState } from './runState';
import { toRange } from './vscodeRange';

export interface PublishedRow {
  state: RunState;
  spec: RowDiagnosticSpec;
}

export interface PublishedLens {
  state: RunState;
  range: TextRange;
}

export type IsReviewed = (state: RunState, file: string, row: number, label: number) => boolean;

export class SuspiciousPublisher implements vscode.Disposable {
  /**
   * One diagnostic collection per run: VS Code keeps at most 1,000 diagnostics per file and collection
   * (the rest become one "Not showing N further problems" entry), and the demo's two runs flag the
   * same labels file, so one shared collection would cut a second run's rows.
   */
  private readonly collections = new Map<string, vscode.DiagnosticCollection>();
  private readonly lensesChanged = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.lensesChanged.event;
  /** Per document URI: the row specs shown there, for the code actions. */
  private specs = new Map<string, PublishedRow[]>();
  /** Per script URI: the summaries shown there, for the CodeLens. */
  private lenses = new Map<string, PublishedLens[]>();

  rowsIn(uri: vscode.Uri): PublishedRow[] | undefined {
    return this.specs.get(uri.toString());
  }

  lensesIn(uri: vscode.Uri): PublishedLens[] | undefined {
    return this.lenses.get(uri.toString());
  }

  /** Replaces everything shown with the given runs' results; runs no longer in `states` lose their collection. */
  publish(states: ReadonlyMap<string, RunState>, isReviewed: IsReviewed, minScore: number): void {
    const byRun = new Map<string, Map<string, { uri: vscode.Uri; diagnostics: vscode.Diagnostic[] }>>();
    const specs = new Map<string, PublishedRow[]>();
    const lenses = new Map<string, PublishedLens[]>();
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
    for (const state of states.values()) {
      const target = state.target;
      if (!state.result) continue;
      if (target.kind === 'text') {
        for (const row of state.rows) {
          if (isReviewed(state, target.file, row.row, row.example.label)) continue;
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
        const diagnostic = new vscode.Diagnostic(toRange(state.summary.range), summaryMessage(state.shown, datasetName, minScore), vscode.DiagnosticSeverity.Warning);
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
      if (states.has(manifestPath)) collection.clear();
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

  dispose(): void {
    for (const collection of this.collections.values()) collection.dispose();
    this.collections.clear();
    this.lensesChanged.dispose();
  }
}
