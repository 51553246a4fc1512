/**
 * Remembers finished results and shares the one in flight, so a panel that is
 * hidden and shown again (its page reloads and asks again), or a setting
 * switched back, does not start the engine over. One cache is one lane of
 * work: a request for a different key supersedes, and cancels, the one in
 * flight, because the user has moved on. Separate lanes (the explanation, the
 * attribution, each check) use separate caches so they do not cancel each other.
 */
export class ResultCache<T> {
  private inflight: { key: string; promise: Promise<T>; controller: AbortController } | undefined;
  private readonly done = new Map<string, T>();

  constructor(private readonly capacity = 8) {}

  /**
   * The cached value, the computation in flight for this key, or a new one.
   * When `callerSignal` aborts while this key is still in flight, the
   * computation is cancelled (the page's Cancel button).
   */
  get(key: string, compute: (signal: AbortSignal) => Promise<T>, callerSignal?: AbortSignal): Promise<T> {
    const cached = this.done.get(key);
    if (cached !== undefined) {
      this.done.delete(key);
      this.done.set(key, cached);
      return Promise.resolve(cached);
    }
    if (this.inflight?.key !== key) this.start(key, compute);
    const entry = this.inflight!;
    if (callerSignal) {
      const cancel = (): void => {
        if (this.inflight === entry) entry.controller.abort();
      };
      if (callerSignal.aborted) cancel();
      else {
        callerSignal.addEventListener('abort', cancel, { once: true });
        const unlisten = (): void => callerSignal.removeEventListener('abort', cancel);
        entry.promise.then(unlisten, unlisten);
      }
    }
    return entry.promise;
  }

  /** The finished value for `key`, without computing anything. */
  peek(key: string): T | undefined {
    return this.done.get(key);
  }

  /** Cancels the computation in flight and forgets everything. */
  clear(): void {
    this.inflight?.controller.abort();
    this.inflight = undefined;
    this.done.clear();
  }

  private start(key: string, compute: (signal: AbortSignal) => Promise<T>): void {
    this.inflight?.controller.abort();
    const controller = new AbortController();
    const promise = compute(controller.signal).then((value) => {
      this.done.set(key, value);
      while (this.done.size > this.capacity) this.done.delete(this.done.keys().next().value!);
      return value;
    });
    const entry = { key, promise, controller };
    this.inflight = entry;
    const forget = (): void => {
      if (this.inflight === entry) this.inflight = undefined;
    };
    promise.then(forget, forget);
  }
}

/** The name the explanation lane has always used. */
export { ResultCache as ExplanationCache };

/** A cache key for JSON-like parts: object keys sorted, so equal settings give equal keys whatever their order. */
export function cacheKey(parts: unknown): string {
  return JSON.stringify(sortKeys(parts));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (ArrayBuffer.isView(value)) return Array.from(value as unknown as ArrayLike<number>);
  if (typeof value !== 'object' || value === null) return value;
  const o = value as Record<string, unknown>;
  return Object.fromEntries(
    Object.keys(o)
      .filter((k) => o[k] !== undefined)
      .sort()
      .map((k) => [k, sortKeys(o[k])]),
  );
}
