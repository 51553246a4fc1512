/**
 * The training-script entry points: the `modelDebugger.cursorOnCheckpoint`
 * context key (updated on selection change, debounced) for the editor's
 * context menu, and a CodeLens "Explain this checkpoint" above every line
 * whose path leads to a checkpoint on disk.
 */
import * as vscode from 'vscode';
import { COMMANDS, CONTEXT } from '../commands/catalog';
import type { CheckpointLocation, ResolveOptions } from '../scriptPaths/resolveCheckpoint';
import { checkpointAtCursor, findLensCandidates, resolveLenses, scriptLanguageForDocument, SCRIPT_LANGUAGE_IDS } from './scriptCheckpoints';

const DEBOUNCE_MS = 250;

function resolveOptions(document: vscode.TextDocument): ResolveOptions {
  return { scriptPath: document.uri.fsPath, searchFolders: (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file').map((f) => f.uri.fsPath) };
}

/** The checkpoint the path under the editor's cursor leads to, if any. */
export async function checkpointUnderCursor(editor: vscode.TextEditor): Promise<CheckpointLocation | undefined> {
  const document = editor.document;
  if (document.uri.scheme !== 'file') return undefined;
  const language = scriptLanguageForDocument(document.languageId, document.fileName);
  if (!language) return undefined;
  return checkpointAtCursor(document.getText(), document.offsetAt(editor.selection.active), language, resolveOptions(document));
}

export class CursorCheckpointContext implements vscode.Disposable {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private last = false;
  private sequence = 0;
  private readonly subscriptions: vscode.Disposable[];

  constructor(private readonly isTrusted: () => boolean) {
    this.subscriptions = [
      vscode.window.onDidChangeTextEditorSelection((event) => this.schedule(event.textEditor)),
      vscode.window.onDidChangeActiveTextEditor((editor) => this.schedule(editor)),
    ];
    this.schedule(vscode.window.activeTextEditor);
  }

  private schedule(editor: vscode.TextEditor | undefined): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.update(editor), DEBOUNCE_MS);
  }

  private async update(editor: vscode.TextEditor | undefined): Promise<void> {
    const sequence = ++this.sequence;
    let on = false;
    if (editor && this.isTrusted()) on = (await checkpointUnderCursor(editor).catch(() => undefined)) !== undefined;
    // A newer selection already decided.
    if (sequence !== this.sequence || on === this.last) return;
    this.last = on;
    await vscode.commands.executeCommand('setContext', CONTEXT.cursorOnCheckpoint, on);
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    for (const s of this.subscriptions) s.dispose();
  }
}

export class CheckpointCodeLensProvider implements vscode.CodeLensProvider {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;

  constructor(private readonly isTrusted: () => boolean) {}

  /** Checkpoints appeared or went, or trust changed: lenses are recomputed. */
  refresh(): void {
    this.changed.fire();
  }

  async provideCodeLenses(document: vscode.TextDocument, token: vscode.CancellationToken): Promise<vscode.CodeLens[]> {
    if (!this.isTrusted() || document.uri.scheme !== 'file') return [];
    const language = scriptLanguageForDocument(document.languageId, document.fileName);
    if (!language) return [];
    const candidates = findLensCandidates(document.getText(), language);
    if (candidates.length === 0 || token.isCancellationRequested) return [];
    const resolved = await resolveLenses(candidates, (offset) => document.positionAt(offset).line, resolveOptions(document));
    return resolved.map(({ match, checkpoint }) => {
      const line = document.positionAt(match.callStart ?? match.start).line;
      const title = `$(debug-alt) Explain this checkpoint (${vscode.workspace.asRelativePath(checkpoint.folder)})`;
      return new vscode.CodeLens(new vscode.Range(line, 0, line, 0), {
        title,
        tooltip: `Model Debugger: explain ${vscode.workspace.asRelativePath(checkpoint.modelJson)}`,
        command: COMMANDS.explainThis.id,
        arguments: [vscode.Uri.file(checkpoint.modelJson)],
      });
    });
  }

  dispose(): void {
    this.changed.dispose();
  }
}

export const CODE_LENS_SELECTOR: vscode.DocumentSelector = SCRIPT_LANGUAGE_IDS.map((language) => ({ language, scheme: 'file' }));
