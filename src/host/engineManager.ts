/**
 * One engine per window, started on first use. An engine that exits without
 * being asked to is restarted after a back-off; after too many crashes in a
 * short time the manager gives up and reports a failure until the user asks
 * for a restart. Free of `vscode` so it can be tested with a real forked fake
 * engine.
 */
import { EngineProcess, type EngineProcessOptions } from './engineProcess';
import { InitializeRequest, type BackendInfo, type LogParams } from '../protocol/engineProtocol';
import type { ParamsOf } from '../protocol/rpc';
import type { EngineHandle, EngineSource } from './engineHandle';
import { RestartPolicy } from './lifecycle/restartPolicy';
import { HeartbeatMonitor, validateHeartbeatOptions, type HeartbeatOptions } from './lifecycle/heartbeatMonitor';
import { HeartbeatRequest } from './lifecycle/heartbeat';
import { DEFAULT_STOP_BUDGET_MS } from './lifecycle/stopSchedule';

export interface ScheduledRestart {
  /** Why the previous engine went away. */
  reason: string;
  delayMs: number;
  crashesInWindow: number;
}

export interface EngineFailure {
  /** A sentence for the user; the host shows it with a "Show Log" action. */
  message: string;
  /** The last exit that led to giving up. */
  reason: string;
  crashesInWindow: number;
}

export interface EngineEvents {
  log(entry: LogParams): void;
  /** An initialised engine went away without being asked to. */
  unexpectedExit(description: string): void;
  /** The backend is known (after initialisation) or unknown again (stopped). */
  backendChanged(info: BackendInfo | undefined): void;
  /** An engine process was started (used to enable commands that need one). */
  started?(): void;
  /** A crashed engine will be started again after a back-off. */
  restartScheduled?(restart: ScheduledRestart): void;
  /** Crashes came too fast: nothing restarts until `restart()` is called. */
  failed?(failure: EngineFailure): void;
}

export type InitializeParams = ParamsOf<typeof InitializeRequest>;

export type StartEngine = (options: Pick<EngineProcessOptions, 'onLog' | 'onExit'>) => EngineProcess;

export interface EngineManagerOptions {
  restartPolicy?: RestartPolicy;
  /** Liveness pings; off when absent. An engine that does not know the ping is left alone. */
  heartbeat?: HeartbeatOptions;
  /** How long stopping an engine may take before its process tree is killed. */
  stopBudgetMs?: number;
  /** What each new engine is initialised with (e.g. the backend the user picked); read at every start. */
  initializeParams?: () => InitializeParams;
}

interface Running {
  process: EngineProcess;
  generation: number;
  ready: Promise<EngineHandle>;
  stopping: boolean;
  /** Until then an exit fails `ready`, whose awaiter reports it; reporting it here too would say it twice. */
  initialized: boolean;
  heartbeat?: HeartbeatMonitor;
  /** Set when the manager killed a hung engine, so the exit is reported with the real cause. */
  killedBecause?: string;
}

interface PendingRestart {
  timer: ReturnType<typeof setTimeout>;
  ready: Promise<EngineHandle>;
  settle(outcome: Promise<EngineHandle>): void;
}

export class EngineManager implements EngineSource {
  private running: Running | undefined;
  private pendingRestart: PendingRestart | undefined;
  private failure: EngineFailure | undefined;
  private generation = 0;
  private disposed = false;
  private readonly policy: RestartPolicy;
  private readonly stopBudgetMs: number;

  constructor(
    private readonly start: StartEngine,
    private readonly events: EngineEvents,
    private readonly options: EngineManagerOptions = {},
  ) {
    this.policy = options.restartPolicy ?? new RestartPolicy();
    if (options.heartbeat) validateHeartbeatOptions(options.heartbeat);
    this.stopBudgetMs = options.stopBudgetMs ?? DEFAULT_STOP_BUDGET_MS;
    if (!Number.isFinite(this.stopBudgetMs) || this.stopBudgetMs <= 0) throw new RangeError(`EngineManager: stopBudgetMs must be positive, got ${this.stopBudgetMs}`);
  }

  get info(): Promise<BackendInfo> | undefined {
    return this.running?.ready.then((handle) => handle.info);
  }

  /** Set once the manager has given up restarting; cleared by `restart()`. */
  get failed(): EngineFailure | undefined {
    return this.failure;
  }

  acquire(): Promise<EngineHandle> {
    if (this.disposed) return Promise.reject(new Error('The Model Debugger engine has been shut down.'));
    if (this.failure) return Promise.reject(new Error(this.failure.message));
    if (this.running && this.running.process.running && !this.running.stopping) return this.running.ready;
    if (this.pendingRestart) return this.pendingRestart.ready;
    return this.launch().ready;
  }

  /** Stops the current engine (if any) and starts a fresh one, forgetting earlier crashes. */
  async restart(): Promise<EngineHandle> {
    // Whoever waits for a pending automatic restart gets this engine instead.
    const waiting = this.takePendingRestart();
    await this.stop();
    this.failure = undefined;
    this.policy.reset();
    const ready = this.acquire();
    waiting?.settle(ready);
    return ready;
  }

  async stop(): Promise<void> {
    this.takePendingRestart()?.settle(Promise.reject(new Error('The Model Debugger engine was stopped before it restarted.')));
    const running = this.running;
    if (!running) return;
    running.stopping = true;
    running.heartbeat?.stop();
    this.running = undefined;
    this.events.backendChanged(undefined);
    await running.process.dispose(this.stopBudgetMs);
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    await this.stop();
  }

  private takePendingRestart(): PendingRestart | undefined {
    const pending = this.pendingRestart;
    this.pendingRestart = undefined;
    if (pending) clearTimeout(pending.timer);
    return pending;
  }

  private launch(): Running {
    const generation = ++this.generation;
    // The exit handler needs the entry, which needs the process: the slot is filled right below.
    const slot: { entry?: Running } = {};
    const process = this.start({
      onLog: (log) => this.events.log(log),
      onExit: (description) => this.onExit(slot.entry, description),
    });
    this.events.log({ level: 'info', message: `Started the engine (pid ${process.pid ?? 'unknown'}).` });
    this.events.started?.();
    const ready = process.rpc.call(InitializeRequest, this.options.initializeParams?.() ?? {}).then(
      (info): EngineHandle => {
        const entry = slot.entry;
        if (entry) entry.initialized = true;
        this.events.log({ level: 'info', message: `TensorFlow.js ${info.tfjsVersion} on the ${info.name} backend.` });
        for (const reason of info.skipped) this.events.log({ level: 'info', message: `Skipped backend: ${reason}` });
        if (entry && this.running === entry) {
          this.events.backendChanged(info);
          this.watchHeartbeat(entry);
        }
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

  private onExit(entry: Running | undefined, description: string): void {
    entry?.heartbeat?.stop();
    const reason = entry?.killedBecause ?? description;
    this.events.log({ level: entry?.stopping ? 'info' : 'error', message: reason });
    if (!entry || entry.stopping) return;
    if (this.running === entry) this.running = undefined;
    this.events.backendChanged(undefined);
    if (this.disposed) return;
    if (entry.initialized) this.events.unexpectedExit(reason);
    this.afterCrash(reason);
  }

  private afterCrash(reason: string): void {
    const decision = this.policy.recordCrash();
    if (!decision.restart) {
      this.failure = {
        message:
          `The Model Debugger engine crashed ${decision.crashesInWindow} times within ${this.policy.windowMinutes} minutes, ` +
          `so it is not restarted automatically. Last: ${reason} Restart the engine to try again.`,
        reason,
        crashesInWindow: decision.crashesInWindow,
      };
      this.events.log({ level: 'error', message: this.failure.message });
      this.events.failed?.(this.failure);
      return;
    }
    this.events.log({ level: 'info', message: `Restarting the engine in ${decision.delayMs} ms (crash ${decision.crashesInWindow} of ${this.policy.crashLimit}).` });
    this.scheduleRestart(decision.delayMs);
    this.events.restartScheduled?.({ reason, delayMs: decision.delayMs, crashesInWindow: decision.crashesInWindow });
  }

  private scheduleRestart(delayMs: number): void {
    let settle: (outcome: Promise<EngineHandle>) => void = () => undefined;
    const ready = new Promise<EngineHandle>((resolve) => {
      settle = resolve;
    });
    // Nobody may be waiting for this restart; its failure is reported through the exit handler.
    ready.catch(() => undefined);
    const timer = setTimeout(() => {
      if (this.pendingRestart?.timer !== timer) return;
      this.pendingRestart = undefined;
      try {
        settle(this.launch().ready);
      } catch (error) {
        settle(Promise.reject(error instanceof Error ? error : new Error(String(error))));
      }
    }, delayMs);
    this.pendingRestart = { timer, ready, settle };
  }

  private watchHeartbeat(entry: Running): void {
    const options = this.options.heartbeat;
    if (!options) return;
    entry.heartbeat = new HeartbeatMonitor(options, {
      ping: (timeoutMs) => entry.process.rpc.call(HeartbeatRequest, {}, { timeoutMs }),
      onHang: (missed) => {
        if (entry.stopping) return;
        entry.killedBecause = `The engine stopped answering (${missed} heartbeats missed in a row) and was killed.`;
        this.events.log({ level: 'error', message: entry.killedBecause });
        entry.process.kill('SIGKILL');
      },
      onStopped: (reason) => this.events.log({ level: 'info', message: `Heartbeat off: ${reason}.` }),
    });
    entry.heartbeat.start();
  }
}
