/**
 * Remembers finished explanations and shares the one in flight, so a panel
 * that is hidden and shown again (its page reloads and asks again) does not
 * start the engine over. A request for a different example supersedes, and
 * cancels, the one in flight: the user has moved on.
 */
export class ExplanationCache<T> {
  private inflight: { key: string; promise: Promise<T>; controller: AbortController } | undefined;
  private readonly done = new Map<string, T>();

  constructor(private readonly capacity = 8) {}

  get(key: string, compute: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const cached = this.done.get(key);
    if (cached !== undefined) {
      this.done.delete(key);
      this.done.set(key, cached);
      return Promise.resolve(cached);
    }
    if (this.inflight?.key === key) return this.inflight.promise;
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
    return promise;
  }

  /** Cancels the computation in flight and forgets everything. */
  clear(): void {
    this.inflight?.controller.abort();
    this.inflight = undefined;
    this.done.clear();
  }
}
