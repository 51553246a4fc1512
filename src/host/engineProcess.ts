/**
 * Forks the compute engine and speaks the engine protocol to it.
 * Used by the extension host and by the CLI, so it must not import `vscode`.
 *
 * Under VS Code the engine runs on the editor's own runtime (`process.execPath`
 * with ELECTRON_RUN_AS_NODE); from the CLI and tests it runs on plain node.
 * IPC uses Node's `advanced` serialisation so typed arrays cross as binary.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { RpcEndpoint, type RpcMessage, type Transport } from '../protocol/rpc';
import { LogNotification, ShutdownRequest, type LogParams } from '../protocol/engineProtocol';

export interface EngineProcessOptions {
  /** Path of the built engine bundle (dist/engine.js) or a .ts entry run through tsx. */
  enginePath: string;
  /** Runtime to run the engine on; defaults to the current one. */
  execPath?: string;
  execArgv?: string[];
  env?: NodeJS.ProcessEnv;
  onLog?: (log: LogParams) => void;
  onExit?: (description: string) => void;
}

function ipcTransport(child: ChildProcess): Transport {
  return {
    send(message: RpcMessage) {
      if (child.connected) child.send(message);
    },
    listen(listener) {
      child.on('message', listener);
      return () => child.off('message', listener);
    },
  };
}

export class EngineProcess {
  readonly rpc: RpcEndpoint;
  private exited = false;

  private constructor(
    private readonly child: ChildProcess,
    options: EngineProcessOptions,
  ) {
    this.rpc = new RpcEndpoint(ipcTransport(child));
    this.rpc.onNotification(LogNotification, (log) => options.onLog?.(log));
    const forward = (level: LogParams['level']) => (chunk: Buffer) => {
      for (const line of chunk.toString('utf8').split(/\r?\n/)) if (line.trim()) options.onLog?.({ level, message: line });
    };
    child.stdout?.on('data', forward('info'));
    child.stderr?.on('data', forward('warn'));
    child.on('error', (error) => options.onLog?.({ level: 'error', message: `engine process error: ${error.message}` }));
    child.on('exit', (code, signal) => {
      this.exited = true;
      const description = signal ? `The engine was stopped by ${signal}.` : `The engine exited with code ${code ?? 'unknown'}.`;
      this.rpc.close(description);
      options.onExit?.(description);
    });
  }

  static start(options: EngineProcessOptions): EngineProcess {
    const child = fork(options.enginePath, [], {
      execPath: options.execPath ?? process.execPath,
      execArgv: options.execArgv ?? [],
      serialization: 'advanced',
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      env: { ...process.env, ...options.env, ELECTRON_RUN_AS_NODE: '1' },
    });
    return new EngineProcess(child, options);
  }

  get running(): boolean {
    return !this.exited;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Asks the engine to exit, then kills it if it has not within the grace period. */
  async dispose(graceMs = 3000): Promise<void> {
    if (this.exited) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    try {
      await this.rpc.call(ShutdownRequest, {}, { timeoutMs: graceMs });
    } catch {
      // The engine may already be gone or stuck; the kill below covers both.
    }
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  }
}
