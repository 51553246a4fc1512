/**
 * Pings the engine on a fixed interval and reports a hang after a run of
 * missed beats. One ping is in flight at a time: a stuck engine must not
 * pile up requests it will answer all at once when it wakes.
 */
import { RpcError } from '../../protocol/rpc';

export interface HeartbeatOptions {
  intervalMs: number;
  /** How long one ping may take before it counts as missed. */
  timeoutMs: number;
  /** Consecutive missed pings that count as a hang. */
  missedLimit: number;
}

export const DEFAULT_HEARTBEAT: HeartbeatOptions = { intervalMs: 10_000, timeoutMs: 10_000, missedLimit: 6 };

export interface HeartbeatTarget {
  /** Sends one ping; rejects with an RpcError when it times out or is refused. */
  ping(timeoutMs: number): Promise<unknown>;
  /** The engine missed `missed` pings in a row. */
  onHang(missed: number): void;
  /** Monitoring stopped without a hang, e.g. the engine does not know the ping. */
  onStopped?(reason: string): void;
}

export function validateHeartbeatOptions(options: HeartbeatOptions): HeartbeatOptions {
  for (const key of ['intervalMs', 'timeoutMs', 'missedLimit'] as const) {
    const value = options[key];
    if (!Number.isFinite(value) || value <= 0) throw new RangeError(`heartbeat: ${key} must be a positive number, got ${value}`);
  }
  if (!Number.isInteger(options.missedLimit)) throw new RangeError(`heartbeat: missedLimit must be an integer, got ${options.missedLimit}`);
  return options;
}

export class HeartbeatMonitor {
  private readonly options: HeartbeatOptions;
  private timer: ReturnType<typeof setInterval> | undefined;
  private inFlight = false;
  private missed = 0;
  private stopped = false;

  constructor(
    options: HeartbeatOptions,
    private readonly target: HeartbeatTarget,
  ) {
    this.options = validateHeartbeatOptions(options);
  }

  start(): void {
    if (this.timer || this.stopped) return;
    this.timer = setInterval(() => this.beat(), this.options.intervalMs);
    // A heartbeat alone must not keep the host (or a test run) alive.
    this.timer.unref?.();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  get missedInARow(): number {
    return this.missed;
  }

  private beat(): void {
    if (this.inFlight || this.stopped) return;
    this.inFlight = true;
    this.target.ping(this.options.timeoutMs).then(
      () => {
        this.inFlight = false;
        this.missed = 0;
      },
      (error: unknown) => {
        this.inFlight = false;
        if (this.stopped) return;
        this.onPingFailed(error);
      },
    );
  }

  private onPingFailed(error: unknown): void {
    const code = error instanceof RpcError ? error.code : undefined;
    if (code === 'timeout') {
      this.missed++;
      if (this.missed >= this.options.missedLimit) {
        this.stop();
        this.target.onHang(this.missed);
      }
      return;
    }
    // An engine without the ping, or one already gone: the exit handler covers the latter.
    this.stop();
    const reason =
      code === 'methodNotFound' ? 'the engine does not answer heartbeats' : `the heartbeat failed: ${error instanceof Error ? error.message : String(error)}`;
    this.target.onStopped?.(reason);
  }
}
