/** The suspicious-label commands: find (ask the engine now), review (quick pick), and the quick fixes' show and mark-as-reviewed. */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { MANIFEST_FILE_NAME } from '../../protocol/manifest';
import { describeError } from '../panel/errors';
import { pickRun, reviewRun } from './reviewQuickPick';
import { SUSPICIOUS_COMMANDS } from './suspiciousCommandIds';
import type { SuspiciousController, SuspiciousDiagnosticsDeps } from './suspiciousController';

class SuspiciousCommands {
  constructor(
    private readonly controller: SuspiciousController,
    private readonly deps: SuspiciousDiagnosticsDeps,
  ) {}

  async find(target?: unknown): Promise<void> {
    const controller = this.controller;
    try {
      let manifestPath: string | undefined;
      if (target instanceof vscode.Uri && target.scheme === 'file' && path.basename(target.fsPath) === MANIFEST_FILE_NAME) manifestPath = target.fsPath;
      else manifestPath = await pickRun(controller, 'Model Debugger: find suspicious training examples in which run?', false);
      if (!manifestPath) return;
      const state = controller.states.get(manifestPath) ?? (await controller.loadState(manifestPath, { run: false, interactive: true }));
      if (!state) return;
      await controller.run(manifestPath, true);
      if (state.result && state.shown.length === 0 && controller.states.get(manifestPath) === state) {
        void vscode.window.showInformationMessage(`Model Debugger: no training example in ${state.name} scored ≥ ${controller.minScore} (modelDebugger.diagnostics.minScore).`);
      }
    } catch (error) {
      controller.problem(describeError(error), true);
    }
  }

  async review(manifestPath?: unknown): Promise<void> {
    try {
      await reviewRun(this.controller, manifestPath, (chosen, index) => this.show(chosen, index));
    } catch (error) {
      this.controller.problem(describeError(error), true);
    }
  }

  async show(manifestPath: unknown, index: unknown): Promise<void> {
    if (typeof manifestPath !== 'string' || typeof index !== 'number' || !Number.isSafeInteger(index) || index < 0) return;
    try {
      await this.deps.openExample(manifestPath, 'train', index);
    } catch (error) {
      this.controller.problem(`${manifestPath}: cannot show training example #${index}: ${describeError(error)}`, true);
    }
  }
}

export function registerSuspiciousCommands(controller: SuspiciousController, deps: SuspiciousDiagnosticsDeps): vscode.Disposable[] {
  const commands = new SuspiciousCommands(controller, deps);
  return [
    vscode.commands.registerCommand(SUSPICIOUS_COMMANDS.find, (target?: unknown) => commands.find(target)),
    vscode.commands.registerCommand(SUSPICIOUS_COMMANDS.review, (manifestPath?: unknown) => commands.review(manifestPath)),
    vscode.commands.registerCommand(SUSPICIOUS_COMMANDS.show, (manifestPath?: unknown, index?: unknown) => commands.show(manifestPath, index)),
    vscode.commands.registerCommand(SUSPICIOUS_COMMANDS.markReviewed, (manifestPath?: unknown, row?: unknown, label?: unknown) => controller.markReviewed(manifestPath, row, label)),
  ];
}
