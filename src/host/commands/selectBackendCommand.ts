/** "Select Backend": a quick pick stored in the machine-scoped setting; the engine restarts with it as InitializeRequest's preferredBackend. */
import * as vscode from 'vscode';
import type { BackendName } from '../../protocol/engineProtocol';
import { BACKEND_SETTING, backendPickItems, parseBackendChoice, type BackendChoice } from './backendChoice';

export function configuredBackend(): BackendChoice {
  return parseBackendChoice(vscode.workspace.getConfiguration().get(BACKEND_SETTING));
}

export async function selectBackend(running: BackendName | undefined, restart: () => Promise<void>): Promise<void> {
  const current = configuredBackend();
  const picked = await vscode.window.showQuickPick(backendPickItems(current, running), {
    title: 'Model Debugger: TensorFlow.js backend for the engine',
    placeHolder: `Now: ${current}${running ? ` (running on ${running})` : ''}`,
  });
  if (!picked) return;
  // Machine scope: stored in the user's settings, never the workspace's.
  await vscode.workspace.getConfiguration().update(BACKEND_SETTING, picked.value, vscode.ConfigurationTarget.Global);
  if (picked.value === current && running !== undefined) return;
  await restart();
}
