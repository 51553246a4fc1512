/** "Clear Cache": deletes <root>/.modeldebug/cache after a modal confirmation; reviewed.json stays. */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { cacheFolders, entriesToDelete } from './cacheFolders';

async function entries(folder: vscode.Uri): Promise<string[] | undefined> {
  try {
    return (await vscode.workspace.fs.readDirectory(folder)).map(([name]) => name);
  } catch {
    return undefined;
  }
}

/** Resolves to the number of cache folders emptied. */
export async function clearCache(manifests: readonly string[], log: vscode.LogOutputChannel): Promise<number> {
  const workspaceFolders = (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file').map((f) => f.uri.fsPath);
  const present: Array<{ folder: vscode.Uri; names: string[] }> = [];
  for (const folder of cacheFolders(workspaceFolders, manifests)) {
    const uri = vscode.Uri.file(folder);
    const names = await entries(uri);
    if (names && names.length > 0) present.push({ folder: uri, names });
  }
  if (present.length === 0) {
    void vscode.window.showInformationMessage('Model Debugger: there is no cache to clear.');
    return 0;
  }
  const listed = present.map((p) => vscode.workspace.asRelativePath(p.folder)).join(', ');
  const choice = await vscode.window.showWarningMessage(
    'Model Debugger: delete the cached results?',
    { modal: true, detail: `This deletes ${listed} (gradient indexes and cached results; they are recomputed when needed). Your review decisions in .modeldebug/reviewed.json are kept.` },
    'Delete Cache',
  );
  if (choice !== 'Delete Cache') return 0;
  for (const { folder, names } of present) {
    for (const name of entriesToDelete(names)) {
      const target = vscode.Uri.file(path.join(folder.fsPath, name));
      try {
        await vscode.workspace.fs.delete(target, { recursive: true, useTrash: false });
      } catch (error) {
        log.warn(`Could not delete ${target.fsPath}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    log.info(`Cleared ${folder.fsPath}.`);
  }
  void vscode.window.showInformationMessage(`Model Debugger: cleared ${listed}.`);
  return present.length;
}
