/**
 * Entry point: wires the engine, the status bar, the panels, the editor entry
 * points and the commands together. Workspace Trust gates all of it: in
 * Restricted Mode no engine process is spawned, panels say why they are
 * empty, and every command refuses with a message.
 */
import * as vscode from 'vscode';
import { BackendStatusBar } from './backendStatusBar';
import { BACKEND_SETTING, HEAP_SETTING, initializeParamsFor } from './commands/backendChoice';
import { COMMANDS, CONTEXT, type CommandName } from './commands/catalog';
import { clearCache } from './commands/clearCacheCommand';
import { exportReport } from './commands/exportReportCommand';
import { openPanelSection } from './commands/sectionCommands';
import { configuredBackend, selectBackend } from './commands/selectBackendCommand';
import { CheckpointIndex } from './editor/checkpointIndex';
import { CrashNotices } from './editor/crashNotices';
import { GatedEngine } from './editor/gatedEngine';
import { checkHeapLimit, heapExecArgv, heapLimitSetting } from './editor/heapLimit';
import { CheckpointCodeLensProvider, CODE_LENS_SELECTOR, CursorCheckpointContext } from './editor/scriptEditor';
import { RESTRICTED_MODE_MESSAGE, trustedOnly } from './editor/trustGate';
import { WorkTracker } from './editor/workTracker';
import { EngineManager } from './engineManager';
import { EngineProcess } from './engineProcess';
import { registerSuspiciousDiagnostics } from './diagnostics/suspiciousDiagnostics';
import { explainCheckpoint, explainRun, explainThisCheckpoint } from './explainCommand';
import { DEFAULT_HEARTBEAT } from './lifecycle/heartbeatMonitor';
import { ExplainPanels, PANEL_VIEW_TYPE } from './panel/explainPanels';

export { COMMANDS } from './commands/catalog';

let engine: EngineManager | undefined;

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export function activate(context: vscode.ExtensionContext): void {
  const log = vscode.window.createOutputChannel('Model Debugger Engine', { log: true });
  const statusBar = new BackendStatusBar(COMMANDS.showLog.id);
  const work = new WorkTracker((current) => statusBar.setWork(current));
  const isTrusted = (): boolean => vscode.workspace.isTrusted;
  const crashes = new CrashNotices();
  const setContext = (key: string, value: unknown): void => void vscode.commands.executeCommand('setContext', key, value);
  const showLog = (): void => log.show(true);
  let requestedHeapMb: number | undefined;

  engine = new EngineManager(
    (handlers) => {
      // The gate below never lets an untrusted workspace get here; this is the last line.
      if (!isTrusted()) throw new Error(RESTRICTED_MODE_MESSAGE);
      requestedHeapMb = heapLimitSetting(vscode.workspace.getConfiguration().get(HEAP_SETTING));
      return EngineProcess.start({
        enginePath: context.asAbsolutePath('dist/engine.js'),
        // Under VS Code this is Electron; EngineProcess sets ELECTRON_RUN_AS_NODE so it runs as Node.
        execPath: process.execPath,
        execArgv: heapExecArgv(requestedHeapMb),
        ...handlers,
      });
    },
    {
      log: ({ level, message }) => log[level](message),
      started: () => {
        statusBar.starting();
        setContext(CONTEXT.engineStarted, true);
      },
      backendChanged: (info) => {
        statusBar.update(info);
        panels.backendChanged(info);
        if (info) {
          const heapWarning = checkHeapLimit(requestedHeapMb, info.heapLimitMb);
          if (heapWarning) log.warn(heapWarning);
        }
      },
      unexpectedExit: (description) => {
        // The manager restarts it; during a crash loop the user hears about it once, the rest is in the log.
        log.warn(`The engine stopped unexpectedly: ${description}`);
        if (!crashes.crashed()) return;
        void vscode.window.showWarningMessage(`Model Debugger: the engine stopped unexpectedly (${description.trim()}). It restarts by itself; further crashes are only logged.`, 'Show Log').then((choice) => {
          if (choice) showLog();
        });
      },
      restartScheduled: ({ reason, delayMs }) => statusBar.set({ kind: 'restarting', reason, delayMs }),
      failed: (failure) => {
        statusBar.set({ kind: 'failed', message: failure.message });
        void vscode.window.showErrorMessage(`Model Debugger: ${failure.message}`, 'Show Log', 'Restart Engine').then((choice) => {
          if (choice === 'Show Log') showLog();
          if (choice === 'Restart Engine') void vscode.commands.executeCommand(COMMANDS.restart.id);
        });
      },
    },
    {
      heartbeat: DEFAULT_HEARTBEAT,
      initializeParams: () => initializeParamsFor(configuredBackend()),
    },
  );
  const manager = engine;
  const gated = new GatedEngine(manager, isTrusted, work);
  const panels = new ExplainPanels({
    extensionUri: context.extensionUri,
    engine: gated,
    showLogCommand: COMMANDS.showLog.id,
    isTrusted,
    panelsChanged: (count) => setContext(CONTEXT.panelOpen, count > 0),
  });
  const index = new CheckpointIndex(log);
  const lenses = new CheckpointCodeLensProvider(isTrusted);
  const explainDeps = { panels, storage: context.globalStorageUri, log };

  const restartEngine = async (): Promise<void> => {
    try {
      crashes.reset();
      statusBar.starting();
      const handle = await manager.restart();
      void vscode.window.showInformationMessage(`Model Debugger: the engine restarted on the ${handle.info.name} backend.`);
    } catch (error) {
      statusBar.update(undefined);
      void vscode.window.showErrorMessage(`Model Debugger: the engine did not restart: ${describe(error)}`, 'Show Log').then((choice) => {
        if (choice) showLog();
      });
    }
  };

  /** Registers a command; those that need trust refuse in Restricted Mode, however they are called. */
  const register = (name: CommandName, handler: (...args: unknown[]) => unknown): vscode.Disposable => {
    const spec = COMMANDS[name];
    const refuse = (message: string): void => {
      log.warn(`${spec.id}: refused in Restricted Mode.`);
      void vscode.window.showWarningMessage(`Model Debugger: ${message}`, 'Manage Workspace Trust').then((choice) => {
        if (choice) void vscode.commands.executeCommand('workbench.trust.manage');
      });
    };
    return vscode.commands.registerCommand(spec.id, spec.needsTrust ? trustedOnly(isTrusted, refuse, handler) : handler);
  };

  if (!isTrusted()) {
    statusBar.set({ kind: 'restricted' });
    log.info('Restricted Mode: the engine is not started until the workspace is trusted.');
  }

  // The diagnostics start engine work as soon as they exist, so they wait for trust;
  // until then their commands are registered only to refuse.
  const startDiagnostics = (): void => {
    const openExample = (manifestPath: string, _split: 'train', index: number): Promise<void> => explainRun(explainDeps, manifestPath, { section: 'suspicious', run: true, trainIndex: index });
    context.subscriptions.push(...registerSuspiciousDiagnostics(context, { engine: gated, log, openExample }));
  };
  let diagnosticsPlaceholders: vscode.Disposable[] = [];
  if (isTrusted()) startDiagnostics();
  else diagnosticsPlaceholders = [register('findSuspicious', () => undefined), register('reviewSuspicious', () => undefined)];

  context.subscriptions.push(
    log,
    statusBar,
    panels,
    index,
    lenses,
    new CursorCheckpointContext(isTrusted),
    vscode.languages.registerCodeLensProvider(CODE_LENS_SELECTOR, lenses),
    vscode.window.registerWebviewPanelSerializer(PANEL_VIEW_TYPE, panels),
    register('explain', (target?: unknown) => explainCheckpoint(explainDeps, target)),
    register('explainThis', (target?: unknown) => explainThisCheckpoint(explainDeps, target)),
    register('compare', () => openPanelSection(explainDeps, () => index.manifests(), 'compare')),
    register('consistency', () => openPanelSection(explainDeps, () => index.manifests(), 'consistency')),
    register('units', () => openPanelSection(explainDeps, () => index.manifests(), 'units')),
    register('neon', () => openPanelSection(explainDeps, () => index.manifests(), 'neon')),
    register('semantic', () => openPanelSection(explainDeps, () => index.manifests(), 'semantic')),
    register('showLog', showLog),
    register('restart', restartEngine),
    register('selectBackend', async () => {
      const running = await manager.info?.catch(() => undefined);
      await selectBackend(running?.name, restartEngine);
    }),
    register('clearCache', async () => {
      await clearCache(await index.manifests(), log);
    }),
    register('exportReport', () =>
      exportReport({ engine: gated, log, manifests: () => index.manifests(), current: () => panels.current, showLogCommand: COMMANDS.showLog.id }),
    ),
    vscode.workspace.onDidGrantWorkspaceTrust(() => {
      log.info('The workspace is trusted now: the engine starts on first use.');
      statusBar.set({ kind: 'stopped' });
      panels.trustGranted();
      lenses.refresh();
      for (const placeholder of diagnosticsPlaceholders) placeholder.dispose();
      diagnosticsPlaceholders = [];
      startDiagnostics();
    }),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration(HEAP_SETTING)) log.info(`${HEAP_SETTING} changed: it applies from the next engine start (Restart Engine).`);
      if (event.affectsConfiguration(BACKEND_SETTING)) log.info(`${BACKEND_SETTING} is now ${configuredBackend()}: it applies from the next engine start.`);
    }),
  );
  void index.start();
}

export async function deactivate(): Promise<void> {
  const running = engine;
  engine = undefined;
  // Kills the engine's process tree within EngineManager's stop budget (2 s).
  await running?.dispose();
}
