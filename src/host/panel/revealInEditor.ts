/** Opens a dataset file at an example's row, or says where the example lives when the file has no rows. */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { lineOfRow, type ExampleLocation } from './exampleLocation';

export async function revealExample(location: ExampleLocation, split: 'train' | 'test', index: number): Promise<void> {
  const relative = vscode.workspace.asRelativePath(location.file);
  if (location.row === undefined) {
    void vscode.window.showInformationMessage(`${split === 'train' ? 'Training' : 'Test'} example #${index} is entry ${index} of ${relative} (${path.extname(location.file) || 'binary'} file).`);
    return;
  }
  const document = await vscode.workspace.openTextDocument(vscode.Uri.file(location.file));
  const line = lineOfRow(location, document.lineCount > 0 ? document.lineAt(0).text : '');
  if (line === undefined || line >= document.lineCount) {
    throw new Error(`${location.file}: has no line for ${split} example #${index} (it has ${document.lineCount} lines).`);
  }
  const range = document.lineAt(line).range;
  await vscode.window.showTextDocument(document, {
    viewColumn: vscode.ViewColumn.One,
    preserveFocus: false,
    selection: new vscode.Selection(range.start, range.end),
  });
}
