/**
 * "Explain this checkpoint": from a model.json or a checkpoint folder
 * (right-clicked in the explorer, a CodeLens, or picked), or from the path
 * under the cursor in a training script, to an open panel beside the training
 * code. Never throws: every failure ends as an error message.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { describeError } from './panel/errors';
import { findManifestFor, matchCheckpoint } from './manifest/manifestDiscovery';
import { loadManifest } from './manifest/manifestLoader';
import { describeRunInteractively } from './manifest/manifestWizard';
import type { ExplainPanels } from './panel/explainPanels';
import type { SectionRequest } from '../protocol/webviewProtocol';
import { checkpointUnderCursor } from './editor/scriptEditor';
import { scriptLanguageForDocument } from './editor/scriptCheckpoints';

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

async function isDirectory(uri: vscode.Uri): Promise<boolean> {
  try {
    return ((await vscode.workspace.fs.stat(uri)).type & vscode.FileType.Directory) !== 0;
  } catch {
    return false;
  }
}

/**
 * What was right-clicked, as a model.json: the file itself, a checkpoint
 * folder's model.json, or (a training script in the editor) the checkpoint
 * the path under the cursor leads to.
 */
async function checkpointOf(target: vscode.Uri): Promise<vscode.Uri | undefined> {
  if (await isDirectory(target)) {
    const modelJson = vscode.Uri.joinPath(target, 'model.json');
    if (await exists(modelJson.fsPath)) return modelJson;
    throw new Error(`${vscode.workspace.asRelativePath(target)} holds no model.json: it is not a TF.js checkpoint folder.`);
  }
  if (path.basename(target.fsPath) === 'model.json') return target;
  const editor = vscode.window.activeTextEditor;
  if (editor && editor.document.uri.toString() === target.toString() && scriptLanguageForDocument(editor.document.languageId, editor.document.fileName)) {
    return explainTargetAtCursor(editor);
  }
  return target;
}

async function explainTargetAtCursor(editor: vscode.TextEditor): Promise<vscode.Uri | undefined> {
  const found = await checkpointUnderCursor(editor);
  if (!found) {
    void vscode.window.showInformationMessage('Model Debugger: the cursor is not on a path that leads to a checkpoint (a folder with a model.json, or a model.json).');
    return undefined;
  }
  return vscode.Uri.file(found.modelJson);
}

/** "Explain this checkpoint" from a context menu or CodeLens; without a target, the path under the cursor. */
export async function explainThisCheckpoint(deps: ExplainCommandDependencies, target?: unknown): Promise<void> {
  try {
    const editor = vscode.window.activeTextEditor;
    const modelJson = target instanceof vscode.Uri ? await checkpointOf(target) : editor ? await explainTargetAtCursor(editor) : undefined;
    if (!modelJson) {
      if (!(target instanceof vscode.Uri) && !editor) void vscode.window.showInformationMessage('Model Debugger: open a training script and put the cursor on a checkpoint path, or right-click a model.json.');
      return;
    }
    await explainCheckpoint(deps, modelJson);
  } catch (error) {
    const message = describeError(error);
    deps.log.error(message);
    void vscode.window.showErrorMessage(`Model Debugger: ${message}`);
  }
}

/** Resolves to the manifest the panel was opened for, or undefined when nothing was opened. */
export async function explainCheckpoint(deps: ExplainCommandDependencies, target?: unknown, section?: SectionRequest): Promise<string | undefined> {
  try {
    const modelJson = target instanceof vscode.Uri ? await checkpointOf(target) : await pickModelJson();
    if (!modelJson) return undefined;
    if (modelJson.scheme !== 'file') throw new Error(`${modelJson.toString()}: only checkpoints on the local disk can be explained.`);
    const workspaceFolder = vscode.workspace.getWorkspaceFolder(modelJson)?.uri.fsPath;
    const manifestPath =
      (await findManifestFor(modelJson.fsPath, workspaceFolder, exists)) ?? (await describeRunInteractively(modelJson, workspaceFolder, deps.storage));
    if (!manifestPath) return undefined;
    const manifest = await loadManifest(manifestPath, readBytes);
    const checkpoint = matchCheckpoint(manifest, manifestPath, modelJson.fsPath);
    if (!checkpoint) {
      void vscode.window.showWarningMessage(
        `Model Debugger: ${vscode.workspace.asRelativePath(modelJson)} is not among the checkpoints of ${vscode.workspace.asRelativePath(manifestPath)}; showing its last checkpoint.`,
      );
    }
    await openScript(manifestPath, manifest.script, deps.log);
    deps.panels.show(manifestPath, checkpoint?.path, section);
    return manifestPath;
  } catch (error) {
    const message = describeError(error);
    deps.log.error(message);
    void vscode.window.showErrorMessage(`Model Debugger: ${message}`);
    return undefined;
  }
}

/** Opens a panel for a run at its last checkpoint (the section commands, when no panel is open yet). */
export async function explainRun(deps: ExplainCommandDependencies, manifestPath: string, section?: SectionRequest): Promise<void> {
  try {
    const manifest = await loadManifest(manifestPath, readBytes);
    await openScript(manifestPath, manifest.script, deps.log);
    deps.panels.show(manifestPath, undefined, section);
  } catch (error) {
    const message = describeError(error);
    deps.log.error(message);
    void vscode.window.showErrorMessage(`Model Debugger: ${message}`);
  }
}

/** One of the workspace's runs: the only one without asking, else a quick pick. */
export async function pickRun(manifests: readonly string[], title: string): Promise<string | undefined> {
  if (manifests.length === 0) {
    void vscode.window.showWarningMessage('Model Debugger: this workspace has no run manifest (modeldebug.json). Explain a checkpoint first; its run is described then.');
    return undefined;
  }
  if (manifests.length === 1) return manifests[0];
  const picked = await vscode.window.showQuickPick(
    manifests.map((file) => ({ label: vscode.workspace.asRelativePath(file), file })),
    { title: `Model Debugger: ${title}`, placeHolder: 'A run manifest (modeldebug.json)' },
  );
  return picked?.file;
}
