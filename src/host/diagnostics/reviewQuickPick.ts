/** Choosing a run, and the quick pick of a run's flagged examples (the Review command and the CodeLens). */
import * as vscode from 'vscode';
import { pickRow } from './messages';
import { findManifests, type SuspiciousController } from './suspiciousController';

/** One run's manifest path: asks only when several runs qualify; undefined (after saying why) when none does. */
export async function pickRun(controller: SuspiciousController, title: string, onlyWithResults: boolean): Promise<string | undefined> {
  if (!onlyWithResults) {
    const found = await findManifests();
    for (const uri of found) if (!controller.states.has(uri.fsPath)) await controller.loadState(uri.fsPath, { run: false });
  }
  const candidates = [...controller.states.values()].filter((s) => !onlyWithResults || s.shown.length > 0);
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

/** Lists a run's shown examples; the picked one is handed to `show`. */
export async function reviewRun(controller: SuspiciousController, manifestPath: unknown, show: (manifestPath: string, index: number) => Promise<void>): Promise<void> {
  const chosen = typeof manifestPath === 'string' && controller.states.has(manifestPath) ? manifestPath : await pickRun(controller, 'Model Debugger: review which run?', true);
  const state = chosen ? controller.states.get(chosen) : undefined;
  if (!state) return;
  const items = state.shown.map((example) => ({ ...pickRow(example), example }));
  const picked = await vscode.window.showQuickPick(items, {
    title: `Model Debugger: ${items.length} suspicious training examples in ${state.name}`,
    matchOnDescription: true,
    matchOnDetail: true,
  });
  if (picked) await show(state.manifestPath, picked.example.index);
}
