/** Entry point: wires the engine, the status bar, the panels and the commands together. */
import * as vscode from 'vscode';
import { BackendStatusBar } from './backendStatusBar';
import { EngineManager } from './engineManager';
import { EngineProcess } from './engineProcess';
import { explainCheckpoint } from './explainCommand';
import { ExplainPanels, PANEL_VIEW_TYPE } from './panel/explainPanels';

export const COMMANDS = {
  explain: 'modelDebugger.explainCheckpoint',
  showLog: 'modelDebugger.showEngineLog',
  restart: 'modelDebugger.restartEngine',
} as const;

/** Context key that enables the engine commands in the command palette. */
const ENGINE_STARTED = 'modelDebugger.engineStarted';

let engine: EngineManager | undefined;

export function activate(context: vscode.ExtensionContext): void {
  const log = vscode.window.createOutputChannel('Model Debugger Engine', { log: true });
  const statusBar = new BackendStatusBar(COMMANDS.showLog);

  engine = new EngineManager(
    (handlers) =>
      EngineProcess.start({
        enginePath: context.asAbsolutePath('dist/engine.js'),
        // Under VS Code this is Electron; EngineProcess sets ELECTRON_RUN_AS_NODE so it runs as Node.
        execPath: process.execPath,
        ...handlers,
      }),
    {
      log: ({ level, message }) => log[level](message),
      started: () => {
        statusBar.starting();
        void vscode.commands.executeCommand('setContext', ENGINE_STARTED, true);
      },
      backendChanged: (info) => {
        statusBar.update(info);
        panels.backendChanged(info);
      },
      unexpectedExit: (description) => {
        void vscode.window.showErrorMessage(`Model Debugger: the engine stopped unexpectedly. ${description} It restarts on next use.`, 'Show Log', 'Restart').then((choice) => {
          if (choice === 'Show Log') log.show(true);
          if (choice === 'Restart') void vscode.commands.executeCommand(COMMANDS.restart);
        });
      },
    },
  );
  const manager = engine;
  const panels = new ExplainPanels({ extensionUri: context.extensionUri, engine: manager, showLogCommand: COMMANDS.showLog });

  context.subscriptions.push(
    log,
    statusBar,
    panels,
    vscode.window.registerWebviewPanelSerializer(PANEL_VIEW_TYPE, panels),
    vscode.commands.registerCommand(COMMANDS.explain, (target?: unknown) => explainCheckpoint({ panels, storage: context.globalStorageUri, log }, target)),
    vscode.commands.registerCommand(COMMANDS.showLog, () => log.show(true)),
    vscode.commands.registerCommand(COMMANDS.restart, async () => {
      try {
        statusBar.starting();
        const handle = await manager.restart();
        void vscode.window.showInformationMessage(`Model Debugger: the engine restarted on the ${handle.info.name} backend.`);
      } catch (error) {
        statusBar.update(undefined);
        void vscode.window.showErrorMessage(`Model Debugger: the engine did not restart: ${error instanceof Error ? error.message : String(error)}`, 'Show Log').then((choice) => {
          if (choice) log.show(true);
        });
      }
    }),
  );
}

export async function deactivate(): Promise<void> {
  const running = engine;
  engine = undefined;
  await running?.dispose();
}
