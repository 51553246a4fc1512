/** The quick fixes on a flagged row: change the label, show it in the panel, mark it as reviewed. */
import * as vscode from 'vscode';
import { specsAt } from './flaggedRows';
import { DIAGNOSTIC_SOURCE } from './messages';
import { SUSPICIOUS_COMMANDS } from './suspiciousCommandIds';
import type { SuspiciousPublisher } from './suspiciousPublisher';
import { toRange } from './vscodeRange';

export class SuspiciousCodeActions implements vscode.CodeActionProvider {
  constructor(private readonly published: SuspiciousPublisher) {}

  provideCodeActions(document: vscode.TextDocument, range: vscode.Range | vscode.Selection, context: vscode.CodeActionContext): vscode.CodeAction[] {
    const entries = this.published.rowsIn(document.uri);
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
}
