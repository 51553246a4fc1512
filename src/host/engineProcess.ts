/**
 * Forks the compute engine and speaks the engine protocol to it.
 * Used by the extension host and by the CLI, so it must not import `vscode`.
 *
 * Under VS Code the engine runs on the editor's own runtime (`process.execPath`
 * with ELECTRON_RUN_AS_NODE); from the CLI and tests it runs on plain node.
 * IPC uses Node's `advanced` serialisation so typed arrays cross as binary.
 * On POSIX the engine leads its own process group so that stopping it also
 * stops the helper processes it started.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { RpcEndpoint, type RpcMessage, type Transport } from '../protocol/rpc';
import { LogNotification, ShutdownRequest, type LogParams } from '../protocol/engineProtocol';
import { signalProcessTree, startsOwnProcessGroup, sweepProcessGroup, type TreeSignal } from './lifecycle/processTree';
import { DEFAULT_STOP_BUDGET_MS, stopSchedule } from './lifecycle/stopSchedule';

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
  private readonly exitedPromise: Promise<void>;

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
    this.exitedPromise = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.on('exit', (code, signal) => {
      this.exited = true;
      this.sweepLeftovers(options);
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
      detached: startsOwnProcessGroup(),
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

  /** Signals the engine and every process it started. Returns false when nothing was left to signal. */
  kill(signal: TreeSignal): boolean {
    const pid = this.child.pid;
    if (this.exited || pid === undefined) return false;
    try {
      return signalProcessTree(pid, signal);
    } catch {
      // Not ours to signal (EPERM): fall back to the handle node holds on the child.
      return this.child.kill(signal);
    }
  }

  /**
   * Asks the engine to exit, then SIGTERMs and finally SIGKILLs its process
   * tree, so that it is gone within `budgetMs` whatever state it is in.
   */
  async dispose(budgetMs = DEFAULT_STOP_BUDGET_MS): Promise<void> {
    const schedule = stopSchedule(budgetMs);
    if (this.exited) return;
    // The engine may already be gone or stuck; the signals below cover both.
    this.rpc.call(ShutdownRequest, {}, { timeoutMs: schedule.terminateAtMs }).catch(() => undefined);
    const terminate = setTimeout(() => this.kill('SIGTERM'), schedule.terminateAtMs);
    const kill = setTimeout(() => this.kill('SIGKILL'), schedule.killAtMs);
    await this.exitedPromise;
    clearTimeout(terminate);
    clearTimeout(kill);
  }

  /** A helper the engine started may outlive it (a probe mid-load): nothing it started should. */
  private sweepLeftovers(options: EngineProcessOptions): void {
    const pid = this.child.pid;
    if (pid === undefined) return;
    try {
      sweepProcessGroup(pid);
    } catch (error) {
      options.onLog?.({ level: 'warn', message: `could not stop the engine's helper processes: ${(error as Error).message}` });
    }
  }
}
