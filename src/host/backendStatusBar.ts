/** The status bar item: engine state, the TF.js backend it chose and any work in progress. Clicking it shows the engine log. */
import * as vscode from 'vscode';
import { describeEngineStatus, type EngineState, type WorkStatus } from './backendStatus';
import type { BackendInfo } from '../protocol/engineProtocol';

export class BackendStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('modelDebugger.backend', vscode.StatusBarAlignment.Right, 100);
  private state: EngineState = { kind: 'stopped' };
  private work: WorkStatus | undefined;

  constructor(
    private readonly showLogCommand: string,
    private readonly manageTrustCommand = 'workbench.trust.manage',
  ) {
    this.item.name = 'Model Debugger Engine';
    this.item.command = showLogCommand;
  }

  get current(): EngineState {
    return this.state;
  }

  starting(): void {
    this.set({ kind: 'starting' });
  }

  /** The backend is known (ready) or not any more (stopped); a crash or failure is reported separately. */
  update(info: BackendInfo | undefined): void {
    if (info) this.set({ kind: 'ready', info });
    // A stop during a crash or failure keeps saying so.
    else if (this.state.kind !== 'restarting' && this.state.kind !== 'failed' && this.state.kind !== 'restricted') this.set({ kind: 'stopped' });
  }

  set(state: EngineState): void {
    this.state = state;
    this.render();
  }

  setWork(work: WorkStatus | undefined): void {
    this.work = work;
    this.render();
  }

  private render(): void {
    const status = describeEngineStatus(this.state, this.work);
    if (!status.visible) {
      this.item.hide();
      return;
    }
    this.item.text = status.text;
    this.item.tooltip = status.tooltip;
    this.item.command = this.state.kind === 'restricted' ? this.manageTrustCommand : this.showLogCommand;
    this.item.backgroundColor = status.severity ? new vscode.ThemeColor(`statusBarItem.${status.severity}Background`) : undefined;
    this.item.show();
  }

  dispose(): void {
    this.item.dispose();
  }
}
