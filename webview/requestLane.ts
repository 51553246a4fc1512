/**
 * One kind of request from the page (the attribution, the per-unit maps, a
 * check): starting a new one cancels the one before, and only the latest
 * one's outcome is delivered. Pure: no DOM.
 */

export interface LaneHandlers<T> {
  done(result: T): void;
  failed(error: unknown): void;
  /** The user cancelled this request (not: a newer one replaced it). */
  cancelled?(): void;
}

export class RequestLane {
  private current: { id: number; controller: AbortController; byUser: boolean } | undefined;
  private nextId = 1;

  get busy(): boolean {
    return this.current !== undefined;
  }

  run<T>(call: (signal: AbortSignal) => Promise<T>, handlers: LaneHandlers<T>): Promise<void> {
    this.current?.controller.abort();
    const entry = { id: this.nextId++, controller: new AbortController(), byUser: false };
    this.current = entry;
    return call(entry.controller.signal).then(
      (result) => {
        if (this.current !== entry) return;
        this.current = undefined;
        handlers.done(result);
      },
      (error: unknown) => {
        if (this.current !== entry) return;
        this.current = undefined;
        if (entry.byUser) handlers.cancelled?.();
        else handlers.failed(error);
      },
    );
  }

  /** Cancels the request in flight at the user's word; its `cancelled` handler runs when it stops. */
  cancel(): void {
    if (!this.current) return;
    this.current.byUser = true;
    this.current.controller.abort();
  }

  /** Forgets the request in flight without delivering anything (the page moved on). */
  drop(): void {
    this.current?.controller.abort();
    this.current = undefined;
  }
}
