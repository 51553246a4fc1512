/** Keyed debouncing with injectable timers: the last call for a key within `delayMs` wins. */
export interface Timers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const realTimers: Timers = {
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export class KeyedDebouncer {
  private readonly pending = new Map<string, unknown>();
  private disposed = false;

  constructor(
    private readonly delayMs: number,
    private readonly timers: Timers = realTimers,
  ) {
    if (!Number.isFinite(delayMs) || delayMs < 0) throw new RangeError(`KeyedDebouncer: delayMs must be a non-negative number, got ${delayMs}`);
  }

  /** Runs `action` once `delayMs` has passed without another call for `key`. Errors in `action` are the caller's to catch. */
  schedule(key: string, action: () => void): void {
    if (this.disposed) return;
    this.cancel(key);
    const handle = this.timers.setTimeout(() => {
      this.pending.delete(key);
      action();
    }, this.delayMs);
    this.pending.set(key, handle);
  }

  cancel(key: string): void {
    const handle = this.pending.get(key);
    if (handle === undefined) return;
    this.timers.clearTimeout(handle);
    this.pending.delete(key);
  }

  isPending(key: string): boolean {
    return this.pending.has(key);
  }

  dispose(): void {
    this.disposed = true;
    for (const handle of this.pending.values()) this.timers.clearTimeout(handle);
    this.pending.clear();
  }
}
