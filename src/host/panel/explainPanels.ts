/**
 * Creates, restores and tracks the explanation panels. The VS Code side of
 * PanelSession: progress notifications, error messages and editors.
 */
import * as vscode from 'vscode';
import type { BackendInfo } from '../../protocol/engineProtocol';
import type { PanelSection, SectionRequest } from '../../protocol/webviewProtocol';
import { notificationProgress } from '../notificationProgress';
import type { EngineSource } from '../engineHandle';
import { buildRestrictedHtml } from '../editor/restrictedHtml';
import { loadManifest } from '../manifest/manifestLoader';
import { createNonce } from './nonce';
import { PageChannel } from './pageChannel';
import { buildPanelHtml } from './panelHtml';
import { PanelSession, type SessionUi } from './panelSession';
import { isPanelState } from './panelValidation';
import { revealExample } from './revealInEditor';

export const PANEL_VIEW_TYPE = 'modelDebugger.explain';

interface OpenPanel {
  panel: vscode.WebviewPanel;
  session: PanelSession;
  checkpoint: string | undefined;
}

/** A panel restored in Restricted Mode: it explains why it is empty until the workspace is trusted. */
interface RestrictedPanel {
  panel: vscode.WebviewPanel;
  manifestPath: string;
  checkpoint: string | undefined;
  subscription: vscode.Disposable;
}

export interface PanelDependencies {
  extensionUri: vscode.Uri;
  engine: EngineSource;
  showLogCommand: string;
  /** Workspace Trust; without it every workspace counts as trusted. */
  isTrusted?: () => boolean;
  /** Called with the number of open panels whenever it changes. */
  panelsChanged?: (count: number) => void;
}

function readBytes(file: string): Promise<Uint8Array> {
  return Promise.resolve(vscode.workspace.fs.readFile(vscode.Uri.file(file)));
}

export class ExplainPanels implements vscode.Disposable, vscode.WebviewPanelSerializer {
  private readonly open = new Set<OpenPanel>();
  private readonly restricted = new Set<RestrictedPanel>();
  /** The panel the user looked at last: the target of the section commands. */
  private lastActive: OpenPanel | undefined;

  constructor(private readonly deps: PanelDependencies) {}

  /** Shows a panel for this run and checkpoint (the existing one if there is one), optionally at a section. */
  show(manifestPath: string, checkpoint: string | undefined, section?: SectionRequest): void {
    for (const entry of this.open) {
      if (entry.session.manifestPath === manifestPath && entry.checkpoint === checkpoint) {
        entry.panel.reveal();
        this.lastActive = entry;
        if (section) entry.session.revealSection(section);
        return;
      }
    }
    const panel = vscode.window.createWebviewPanel(PANEL_VIEW_TYPE, 'Model Debugger', { viewColumn: vscode.ViewColumn.Beside, preserveFocus: false }, this.webviewOptions());
    const entry = this.attach(panel, manifestPath, checkpoint);
    if (entry && section) entry.session.revealSection(section);
  }

  /** The run of the panel the user looked at last, if one is open. */
  get current(): { manifestPath: string; checkpoint: string | undefined } | undefined {
    const entry = this.lastActive && this.open.has(this.lastActive) ? this.lastActive : [...this.open].at(-1);
    return entry && { manifestPath: entry.session.manifestPath, checkpoint: entry.checkpoint };
  }

  /** Opens a section of the panel the user looked at last; false when no panel is open. */
  revealSection(section: PanelSection, run: boolean): boolean {
    const entry = this.lastActive && this.open.has(this.lastActive) ? this.lastActive : [...this.open].at(-1);
    if (!entry) return false;
    entry.panel.reveal();
    entry.session.revealSection({ section, run });
    return true;
  }

  /** The workspace was trusted: panels restored in Restricted Mode load for real. */
  trustGranted(): void {
    for (const entry of [...this.restricted]) {
      this.restricted.delete(entry);
      entry.subscription.dispose();
      entry.panel.webview.options = this.webviewOptions();
      this.attach(entry.panel, entry.manifestPath, entry.checkpoint);
    }
  }

  /** Restores a panel after a window reload from the state its page saved. */
  async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: unknown): Promise<void> {
    if (!isPanelState(state)) {
      panel.dispose();
      return;
    }
    panel.webview.options = this.webviewOptions();
    this.attach(panel, state.manifestPath, state.checkpoint);
  }

  backendChanged(info: BackendInfo | undefined): void {
    if (!info) return;
    for (const entry of this.open) entry.session.backendChanged(info.name);
  }

  dispose(): void {
    for (const entry of [...this.open]) entry.panel.dispose();
    for (const entry of [...this.restricted]) entry.panel.dispose();
  }

  private countChanged(): void {
    this.deps.panelsChanged?.(this.open.size + this.restricted.size);
  }

  /** Restricted Mode: no session (it would start the engine), only the explanation why. */
  private attachRestricted(panel: vscode.WebviewPanel, manifestPath: string, checkpoint: string | undefined): void {
    panel.iconPath = vscode.Uri.joinPath(this.deps.extensionUri, 'media', 'icon.png');
    panel.title = 'Model Debugger (Restricted Mode)';
    panel.webview.options = { ...this.webviewOptions(), enableScripts: false };
    panel.webview.html = buildRestrictedHtml({
      cspSource: panel.webview.cspSource,
      styleUri: panel.webview.asWebviewUri(vscode.Uri.joinPath(this.deps.extensionUri, 'media', 'panel.css')).toString(),
      runLabel: vscode.workspace.asRelativePath(manifestPath),
    });
    const entry: RestrictedPanel = {
      panel,
      manifestPath,
      checkpoint,
      subscription: panel.onDidDispose(() => {
        this.restricted.delete(entry);
        this.countChanged();
      }),
    };
    this.restricted.add(entry);
    this.countChanged();
  }

  private webviewOptions(): vscode.WebviewPanelOptions & vscode.WebviewOptions {
    return {
      enableScripts: true,
      retainContextWhenHidden: false,
      localResourceRoots: [vscode.Uri.joinPath(this.deps.extensionUri, 'dist'), vscode.Uri.joinPath(this.deps.extensionUri, 'media')],
    };
  }

  private attach(panel: vscode.WebviewPanel, manifestPath: string, checkpoint: string | undefined): OpenPanel | undefined {
    if (this.deps.isTrusted && !this.deps.isTrusted()) {
      this.attachRestricted(panel, manifestPath, checkpoint);
      return undefined;
    }
    panel.iconPath = vscode.Uri.joinPath(this.deps.extensionUri, 'media', 'icon.png');
    const session = new PanelSession({
      manifestPath,
      checkpoint,
      loadManifest: () => loadManifest(manifestPath, readBytes),
      engine: this.deps.engine,
      ui: this.sessionUi(panel),
      readText: async (file) => new TextDecoder().decode(await readBytes(file)),
    });
    const channel = new PageChannel(panel.webview, (endpoint) => session.attach(endpoint));
    const webview = panel.webview;
    webview.html = buildPanelHtml({
      cspSource: webview.cspSource,
      nonce: createNonce(),
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(this.deps.extensionUri, 'dist', 'webview.js')).toString(),
      styleUri: webview.asWebviewUri(vscode.Uri.joinPath(this.deps.extensionUri, 'media', 'panel.css')).toString(),
      title: 'Model Debugger',
    });
    const entry: OpenPanel = { panel, session, checkpoint };
    this.open.add(entry);
    this.lastActive = entry;
    this.countChanged();
    const viewState = panel.onDidChangeViewState(() => {
      if (panel.active) this.lastActive = entry;
    });
    panel.onDidDispose(() => {
      this.open.delete(entry);
      if (this.lastActive === entry) this.lastActive = undefined;
      viewState.dispose();
      channel.dispose();
      session.dispose();
      this.countChanged();
    });
    return entry;
  }

  private sessionUi(panel: vscode.WebviewPanel): SessionUi {
    return {
      withProgress: (title, task) =>
        Promise.resolve(
          vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Model Debugger: ${title}`, cancellable: true }, (progress, token) => {
            const controller = new AbortController();
            const subscription = token.onCancellationRequested(() => controller.abort());
            return task(notificationProgress(progress), controller.signal).finally(() => subscription.dispose());
          }),
        ),
      showError: (message) => {
        void vscode.window.showErrorMessage(message, 'Show Log').then((choice) => {
          if (choice) void vscode.commands.executeCommand(this.deps.showLogCommand);
        });
      },
      reveal: revealExample,
      pickManifest: async () => {
        const picked = await vscode.window.showOpenDialog({
          title: 'Model Debugger: the other run to compare encoders with',
          openLabel: 'Compare with this run',
          canSelectMany: false,
          filters: { 'Run manifest': ['json'] },
        });
        return picked?.[0]?.fsPath;
      },
      displayPath: (file) => vscode.workspace.asRelativePath(file),
      setTitle: (title) => {
        panel.title = title;
      },
    };
  }
}
