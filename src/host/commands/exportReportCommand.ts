/** "Export Report": the explain pipeline through the engine, with progress and Cancel, then a save dialog for the HTML and JSON. */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { notificationProgress } from '../notificationProgress';
import type { EngineSource } from '../engineHandle';
import { describeError, isCancellation } from '../panel/errors';
import { pickRun } from '../explainCommand';
import { buildReport, reportPaths, type ExportedReport } from './reportExport';

export interface ExportDependencies {
  engine: EngineSource;
  log: vscode.LogOutputChannel;
  manifests(): Promise<string[]>;
  /** The run and checkpoint of the open panel, the default. */
  current(): { manifestPath: string; checkpoint: string | undefined } | undefined;
  showLogCommand: string;
}

export async function exportReport(deps: ExportDependencies): Promise<void> {
  const current = deps.current();
  const manifestPath = current?.manifestPath ?? (await pickRun(await deps.manifests(), 'export the report of which run?'));
  if (!manifestPath) return;
  let built: ExportedReport;
  try {
    built = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: 'Model Debugger: explaining for the report', cancellable: true },
      async (progress, token) => {
        const controller = new AbortController();
        const subscription = token.onCancellationRequested(() => controller.abort());
        try {
          const engine = await deps.engine.acquire();
          return await buildReport(engine, manifestPath, {
            ...(current?.checkpoint !== undefined && current.manifestPath === manifestPath ? { checkpoint: current.checkpoint } : {}),
            signal: controller.signal,
            onProgress: notificationProgress(progress),
          });
        } finally {
          subscription.dispose();
        }
      },
    );
  } catch (error) {
    if (isCancellation(error)) {
      void vscode.window.showInformationMessage('Model Debugger: the report export was cancelled.');
      return;
    }
    const message = describeError(error);
    deps.log.error(`Export Report: ${message}`);
    void vscode.window.showErrorMessage(`Model Debugger: the report could not be made. ${message}`, 'Show Log').then((choice) => {
      if (choice) void vscode.commands.executeCommand(deps.showLogCommand);
    });
    return;
  }
  const target = await vscode.window.showSaveDialog({
    title: 'Model Debugger: save the report (the HTML and the JSON are written side by side)',
    defaultUri: vscode.Uri.file(path.join(path.dirname(path.dirname(manifestPath)), 'report.html')),
    filters: { 'HTML report': ['html'], 'JSON report': ['json'] },
    saveLabel: 'Save Report',
  });
  if (!target) return;
  const files = reportPaths(target.fsPath);
  try {
    await vscode.workspace.fs.writeFile(vscode.Uri.file(files.html), new TextEncoder().encode(built.html));
    await vscode.workspace.fs.writeFile(vscode.Uri.file(files.json), new TextEncoder().encode(built.json));
  } catch (error) {
    void vscode.window.showErrorMessage(`Model Debugger: could not write the report: ${describeError(error)}`);
    return;
  }
  deps.log.info(`Wrote ${files.html} and ${files.json} (${built.report.examples.length} examples, ${built.report.backend} backend).`);
  const choice = await vscode.window.showInformationMessage(`Model Debugger: saved ${path.basename(files.html)} and ${path.basename(files.json)}.`, 'Open HTML', 'Open JSON');
  if (choice === 'Open HTML') await vscode.env.openExternal(vscode.Uri.file(files.html));
  if (choice === 'Open JSON') await vscode.window.showTextDocument(vscode.Uri.file(files.json));
}
