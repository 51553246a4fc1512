/**
 * The in-editor suite, run inside VS Code's extension host by runTest.ts.
 * Deliberately free of mocha: plain async checks with node:assert and a
 * closing "N passed, N failed" line.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';

const EXTENSION_ID = 'model-debugger.model-debugger';

function workspaceRoot(): string {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the suite runs with demo-workspace/ open');
  return folder.uri.fsPath;
}

async function until<T>(what: string, ms: number, probe: () => T | undefined): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms / 1000} s waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

function lastCheckpointModelJson(): vscode.Uri {
  const manifestDir = path.join(workspaceRoot(), 'autoencoder');
  // The demo writes epoch-1..epoch-N; the suite explains the last one, as a user would.
  const manifest = JSON.parse(readFileSync(path.join(manifestDir, 'modeldebug.json'), 'utf8')) as { checkpoints: { path: string; epoch: number }[] };
  const last = [...manifest.checkpoints].sort((a, b) => a.epoch - b.epoch).at(-1)!;
  const folder = path.resolve(manifestDir, last.path.endsWith('model.json') ? path.dirname(last.path) : last.path);
  return vscode.Uri.file(path.join(folder, 'model.json'));
}

const tests: [string, () => Promise<void>][] = [
  [
    'the extension activates and contributes its commands',
    async () => {
      const extension = vscode.extensions.getExtension(EXTENSION_ID);
      assert.ok(extension, `${EXTENSION_ID} is installed`);
      await extension.activate();
      const commands = await vscode.commands.getCommands(true);
      for (const id of ['modelDebugger.explainCheckpoint', 'modelDebugger.showEngineLog', 'modelDebugger.restartEngine']) assert.ok(commands.includes(id), `${id} is registered`);
    },
  ],
  [
    'Explain this checkpoint opens the training script and the panel beside it',
    async () => {
      await vscode.commands.executeCommand('modelDebugger.explainCheckpoint', lastCheckpointModelJson());
      const panelTab = await until('the explanation panel tab', 60_000, () =>
        vscode.window.tabGroups.all.flatMap((group) => group.tabs).find((tab) => tab.input instanceof vscode.TabInputWebview && tab.input.viewType.includes('modelDebugger.explain')),
      );
      const scriptTab = vscode.window.tabGroups.all.flatMap((group) => group.tabs).find((tab) => tab.input instanceof vscode.TabInputText && tab.input.uri.fsPath.endsWith('train.ts'));
      assert.ok(scriptTab, 'train.ts is open');
      assert.notEqual(panelTab.group.viewColumn, scriptTab.group.viewColumn, 'the panel is beside the script, not on top of it');
    },
  ],
  [
    'the engine restarts on request',
    async () => {
      await vscode.commands.executeCommand('modelDebugger.restartEngine');
    },
  ],
];

export async function run(): Promise<void> {
  let passed = 0;
  const failed: string[] = [];
  for (const [name, body] of tests) {
    try {
      await body();
      passed++;
      console.log(`ok - ${name}`);
    } catch (error) {
      failed.push(name);
      console.log(`not ok - ${name}\n  ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    }
  }
  console.log(`${passed} passed, ${failed.length} failed`);
  if (failed.length > 0) throw new Error(`${failed.length} in-editor test(s) failed: ${failed.join('; ')}`);
}
