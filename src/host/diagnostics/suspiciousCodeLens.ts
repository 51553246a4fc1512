/** The CodeLens over a training script's summary; it opens the review quick pick of that run. */
import * as vscode from 'vscode';
import { codeLensTitle } from './messages';
import { SUSPICIOUS_COMMANDS } from './suspiciousCommandIds';
import type { SuspiciousPublisher } from './suspiciousPublisher';
import { toRange } from './vscodeRange';

export class SuspiciousCodeLenses implements vscode.CodeLensProvider {
  readonly onDidChangeCodeLenses: vscode.Event<void>;

  constructor(private readonly published: SuspiciousPublisher) {
    this.onDidChangeCodeLenses = published.onDidChangeCodeLenses;
  }

  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    const entries = this.published.lensesIn(document.uri) ?? [];
    return entries.map(
      ({ state, range }) =>
        new vscode.CodeLens(toRange(range), { title: codeLensTitle(state.shown.length), command: SUSPICIOUS_COMMANDS.review, arguments: [state.manifestPath] }),
    );
  }
}
