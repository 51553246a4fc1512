/**
 * "Explain this checkpoint": from a model.json (right-clicked, or picked) to an
 * open panel. Never throws: every failure ends as an error message.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { describeError } from './panel/errors';
import { findManifestFor, matchCheckpoint } from './manifest/manifestDiscovery';
import { loadManifest } from './manifest/manifestLoader';
import { describeRunInteractively } from './manifest/manifestWizard';
import type { ExplainPanels } from './panel/explainPanels';

export interface ExplainCommandDependencies {
  panels: ExplainPanels;
  storage: vscode.Uri;
  log: vscode.LogOutputChannel;
}

async function exists(file: string): Promise<boolean> {
  try {
    await vscode.workspace.fs.stat(vscode.Uri.file(file));
    return true;
  } catch {
    return false;
  }
}

function readBytes(file: string): Promise<Uint8Array> {
  return Promise.resolve(vscode.workspace.fs.readFile(vscode.Uri.file(file)));
}

async function pickModelJson(): Promise<vscode.Uri | undefined> {
  const found = await vscode.workspace.findFiles('**/model.json', '**/{node_modules,.git}/**', 500);
  if (found.length === 0) {
    void vscode.window.showWarningMessage('Model Debugger: there is no model.json in this workspace. Save a TF.js checkpoint with model.save("file://…") first.');
    return undefined;
  }
  const items = found
    .map((uri) => ({ label: vscode.workspace.asRelativePath(uri), uri }))
    .sort((a, b) => a.label.localeCompare(b.label, undefined, { numeric: true }));
  const picked = await vscode.window.showQuickPick(items, { title: 'Model Debugger: explain which checkpoint?', placeHolder: 'A TF.js model.json' });
  return picked?.uri;
}

async function openScript(manifestPath: string, script: string | undefined, log: vscode.LogOutputChannel): Promise<void> {
  if (!script) return;
  const file = path.resolve(path.dirname(manifestPath), script);
  if (!(await exists(file))) {
    log.warn(`${manifestPath}: the training script ${script} does not exist; not opening it.`);
    return;
  }
  await vscode.window.showTextDocument(vscode.Uri.file(file), { viewColumn: vscode.ViewColumn.One, preview: false, preserveFocus: false });
}

export async function explainCheckpoint(deps: ExplainCommandDependencies, target?: unknown): Promise<void> {
  try {
    const modelJson = target instanceof vscode.Uri ? target : await pickModelJson();
    if (!modelJson) return;
    if (modelJson.scheme !== 'file') throw new Error(`${modelJson.toString()}: only checkpoints on the local disk can be explained.`);
    const workspaceFolder = vscode.workspace.getWorkspaceFolder(modelJson)?.uri.fsPath;
    const manifestPath =
      (await findManifestFor(modelJson.fsPath, workspaceFolder, exists)) ?? (await describeRunInteractively(modelJson, workspaceFolder, deps.storage));
    if (!manifestPath) return;
    const manifest = await loadManifest(manifestPath, readBytes);
    const checkpoint = matchCheckpoint(manifest, manifestPath, modelJson.fsPath);
    if (!checkpoint) {
      void vscode.window.showWarningMessage(
        `Model Debugger: ${vscode.workspace.asRelativePath(modelJson)} is not among the checkpoints of ${vscode.workspace.asRelativePath(manifestPath)}; showing its last checkpoint.`,
      );
    }
    await openScript(manifestPath, manifest.script, deps.log);
    deps.panels.show(manifestPath, checkpoint?.path);
  } catch (error) {
    const message = describeError(error);
    deps.log.error(message);
    void vscode.window.showErrorMessage(`Model Debugger: ${message}`);
  }
}
