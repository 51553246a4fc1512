/**
 * One engine per window, started on first use. An unexpected exit is reported
 * once; the next use starts a new engine. Free of `vscode` so it can be tested
 * with a real forked fake engine.
 */
import { EngineProcess, type EngineProcessOptions } from './engineProcess';
import { InitializeRequest, type BackendInfo, type LogParams } from '../protocol/engineProtocol';
import type { EngineHandle, EngineSource } from './engineHandle';

export interface EngineEvents {
  log(entry: LogParams): void;
  /** The engine went away without being asked to. */
  unexpectedExit(description: string): void;
  /** The backend is known (after initialisation) or unknown again (stopped). */
  backendChanged(info: BackendInfo | undefined): void;
  /** An engine process was started (used to enable commands that need one). */
  started?(): void;
}

export type StartEngine = (options: Pick<EngineProcessOptions, 'onLog' | 'onExit'>) => EngineProcess;

interface Running {
  process: EngineProcess;
  generation: number;
  ready: Promise<EngineHandle>;
  stopping: boolean;
  /** Until then an exit fails `ready`, whose awaiter reports it; reporting it here too would say it twice. */
  initialized: boolean;
}

export class EngineManager implements EngineSource {
  private running: Running | undefined;
  private generation = 0;
  private disposed = false;

  constructor(
    private readonly start: StartEngine,
    private readonly events: EngineEvents,
  ) {}

  get info(): Promise<BackendInfo> | undefined {
    return this.running?.ready.then((handle) => handle.info);
  }

  acquire(): Promise<EngineHandle> {
    if (this.disposed) return Promise.reject(new Error('The Model Debugger engine has been shut down.'));
    if (this.running && this.running.process.running && !this.running.stopping) return this.running.ready;
    return this.launch().ready;
  }

  /** Stops the current engine (if any) and starts a fresh one. */
  async restart(): Promise<EngineHandle> {
    await this.stop();
    return this.acquire();
  }

  async stop(): Promise<void> {
    const running = this.running;
    if (!running) return;
    running.stopping = true;
    this.running = undefined;
    this.events.backendChanged(undefined);
    await running.process.dispose();
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    await this.stop();
  }

  private launch(): Running {
    const generation = ++this.generation;
    // The exit handler needs the entry, which needs the process: the slot is filled right below.
    const slot: { entry?: Running } = {};
    const process = this.start({
      onLog: (log) => this.events.log(log),
      onExit: (description) => {
        const entry = slot.entry;
        this.events.log({ level: entry?.stopping ? 'info' : 'error', message: description });
        if (!entry || entry.stopping) return;
        if (this.running === entry) this.running = undefined;
        this.events.backendChanged(undefined);
        if (!this.disposed && entry.initialized) this.events.unexpectedExit(description);
      },
    });
    this.events.log({ level: 'info', message: `Started the engine (pid ${process.pid ?? 'unknown'}).` });
    this.events.started?.();
    const ready = process.rpc.call(InitializeRequest, {}).then(
      (info): EngineHandle => {
        const entry = slot.entry;
        if (entry) entry.initialized = true;
        this.events.log({ level: 'info', message: `TensorFlow.js ${info.tfjsVersion} on the ${info.name} backend.` });
        for (const reason of info.skipped) this.events.log({ level: 'info', message: `Skipped backend: ${reason}` });
        if (this.running === entry) this.events.backendChanged(info);
        return { rpc: process.rpc, info, generation };
      },
      async (error: unknown) => {
        const entry = slot.entry;
        if (this.running === entry) this.running = undefined;
        if (entry) entry.stopping = true;
        await process.dispose(1000);
        throw error;
      },
    );
    const entry: Running = { process, generation, ready, stopping: false, initialized: false };
    slot.entry = entry;
    this.running = entry;
    // A failed start is reported to whoever awaits `ready`; this keeps it from also being an unhandled rejection.
    ready.catch(() => undefined);
    return entry;
  }
}
