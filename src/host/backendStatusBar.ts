/** The status bar item naming the TF.js backend the engine chose. */
import * as vscode from 'vscode';
import { BACKEND_STARTING, describeBackend } from './backendStatus';
import type { BackendInfo } from '../protocol/engineProtocol';

export class BackendStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('modelDebugger.backend', vscode.StatusBarAlignment.Right, 100);

  constructor(showLogCommand: string) {
    this.item.name = 'Model Debugger Backend';
    this.item.command = showLogCommand;
  }

  starting(): void {
    this.item.text = BACKEND_STARTING.text;
    this.item.tooltip = BACKEND_STARTING.tooltip;
    this.item.show();
  }

  update(info: BackendInfo | undefined): void {
    if (!info) {
      this.item.hide();
      return;
    }
    const status = describeBackend(info);
    this.item.text = status.text;
    this.item.tooltip = status.tooltip;
    this.item.show();
  }

  dispose(): void {
    this.item.dispose();
  }
}
