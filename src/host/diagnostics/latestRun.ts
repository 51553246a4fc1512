/**
 * Stale-result guard: one generation counter per key (a manifest). Starting a
 * run aborts the one before it; a run's results may be published only while
 * it is still the latest and was not cancelled.
 */
export interface RunTicket {
  readonly key: string;
  readonly generation: number;
  readonly signal: AbortSignal;
}

export class LatestRun {
  private readonly current = new Map<string, { generation: number; controller: AbortController }>();
  private generation = 0;

  /** Aborts the key's previous run and returns the new one's ticket. */
  begin(key: string): RunTicket {
    this.current.get(key)?.controller.abort();
    const controller = new AbortController();
    const generation = ++this.generation;
    this.current.set(key, { generation, controller });
    return { key, generation, signal: controller.signal };
  }

  /** True while `ticket` is its key's latest run and has not been aborted. */
  isCurrent(ticket: RunTicket): boolean {
    return !ticket.signal.aborted && this.current.get(ticket.key)?.generation === ticket.generation;
  }

  /** A run that ended clears its slot (only if it is still the latest). */
  end(ticket: RunTicket): void {
    if (this.current.get(ticket.key)?.generation === ticket.generation) this.current.delete(ticket.key);
  }

  /** Aborts the key's run (or every run): whatever it returns is stale. */
  cancel(key?: string): void {
    for (const [k, entry] of this.current) {
      if (key !== undefined && k !== key) continue;
      entry.controller.abort();
      this.current.delete(k);
    }
  }

  running(key: string): boolean {
    return this.current.has(key);
  }
}
