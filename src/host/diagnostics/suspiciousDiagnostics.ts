/**
 * Inline diagnostics for suspicious training examples (issue 5). For every run
 * manifest with training labels, asks the engine which labels look wrong and
 * shows each flagged row in its labels file as a Warning with quick fixes
 * (show in the panel, change the label, mark as reviewed); for datasets without
 * lines, one summary on the training script's loading line with a CodeLens.
 *
 * The logic lives in the vscode-free modules beside this file; this file wires
 * the controller, its providers, commands and watchers into VS Code.
 */
import * as vscode from 'vscode';
import { MANIFEST_FILE_NAME } from '../../protocol/manifest';
import { describeError } from '../panel/errors';
import { REVIEWED_FILE, REVIEWED_FOLDER } from './reviewedStore';
import { SETTINGS_SECTION } from './settings';
import { SuspiciousCodeActions } from './suspiciousCodeActions';
import { SuspiciousCodeLenses } from './suspiciousCodeLens';
import { registerSuspiciousCommands } from './suspiciousCommands';
import { SuspiciousController, type SuspiciousDiagnosticsDeps } from './suspiciousController';

export { SUSPICIOUS_COMMANDS } from './suspiciousCommandIds';
export type { SuspiciousDiagnosticsDeps } from './suspiciousController';

const TEXT_SELECTORS: vscode.DocumentFilter[] = ['csv', 'jsonl', 'ndjson', 'CSV', 'JSONL'].map((ext) => ({ scheme: 'file', pattern: `**/*.${ext}` }));

/**
 * Registers the suspicious-label diagnostics: the diagnostic collection, the
 * quick fixes, the CodeLens, the commands (`modelDebugger.findSuspicious`,
 * `modelDebugger.reviewSuspicious` and two internal ones) and the watchers.
 * Starts the first check in the background. Push the result into
 * `context.subscriptions` (it is also returned for tests).
 */
export function registerSuspiciousDiagnostics(context: vscode.ExtensionContext, deps: SuspiciousDiagnosticsDeps): vscode.Disposable[] {
  const controller = new SuspiciousController(deps);
  // Deletions come from the watcher below, which also sees a run folder deleted whole.
  const manifests = vscode.workspace.createFileSystemWatcher(`**/${MANIFEST_FILE_NAME}`, false, false, true);
  const reviewed = vscode.workspace.createFileSystemWatcher(`**/${REVIEWED_FOLDER}/${REVIEWED_FILE}`);
  // Deleting a run's folder may be reported for the folder only, which the manifest glob never matches:
  // every deletion is matched against the known manifests (the manifest itself included).
  const deletions = vscode.workspace.createFileSystemWatcher('**/*', true, true, false);
  const disposables: vscode.Disposable[] = [
    controller,
    manifests,
    manifests.onDidCreate((uri) => controller.manifestChanged(uri)),
    manifests.onDidChange((uri) => controller.manifestChanged(uri)),
    deletions,
    deletions.onDidDelete((uri) => controller.pathDeleted(uri)),
    reviewed,
    reviewed.onDidCreate((uri) => controller.reviewedFileChanged(uri)),
    reviewed.onDidChange((uri) => controller.reviewedFileChanged(uri)),
    reviewed.onDidDelete((uri) => controller.reviewedFileChanged(uri)),
    vscode.workspace.onDidChangeTextDocument((event) => controller.documentChanged(event)),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration(SETTINGS_SECTION)) controller.settingsChanged();
    }),
    vscode.languages.registerCodeActionsProvider(TEXT_SELECTORS, new SuspiciousCodeActions(controller.publisher), { providedCodeActionKinds: [vscode.CodeActionKind.QuickFix] }),
    vscode.languages.registerCodeLensProvider({ scheme: 'file' }, new SuspiciousCodeLenses(controller.publisher)),
    ...registerSuspiciousCommands(controller, deps),
  ];
  void controller.discover().catch((error: unknown) => deps.log.error(`Finding run manifests for the suspicious-label diagnostics failed: ${describeError(error)}`));
  void context;
  return disposables;
}
