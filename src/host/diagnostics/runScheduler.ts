/**
 * When the engine is asked about a run: one run at a time across all manifests, the latest run per
 * manifest wins (older ones are aborted and may not publish), and reruns after file changes are debounced.
 */
import { KeyedDebouncer } from './debounce';
import { LatestRun, type RunTicket } from './latestRun';

export const RERUN_DEBOUNCE_MS = 2000;

export class RunScheduler {
  private readonly latest = new LatestRun();
  private readonly reruns = new KeyedDebouncer(RERUN_DEBOUNCE_MS);
  /** Engine runs go one at a time. */
  private queue: Promise<void> = Promise.resolve();

  constructor(private readonly runNow: (ticket: RunTicket, interactive: boolean) => Promise<void>) {}

  /** Queues a run; it aborts the manifest's previous one. */
  run(manifestPath: string, interactive: boolean): Promise<void> {
    const ticket = this.latest.begin(manifestPath);
    const work = this.queue.then(() => this.runNow(ticket, interactive));
    this.queue = work.catch(() => undefined);
    return work;
  }

  /** Runs `action` once the key has been quiet for RERUN_DEBOUNCE_MS. */
  debounce(key: string, action: () => void): void {
    this.reruns.schedule(key, action);
  }

  isCurrent(ticket: RunTicket): boolean {
    return this.latest.isCurrent(ticket);
  }

  end(ticket: RunTicket): void {
    this.latest.end(ticket);
  }

  /** Makes the manifest's running check (or every running check) stale. */
  cancel(manifestPath?: string): void {
    this.latest.cancel(manifestPath);
  }

  /** Forgets a manifest: its running check is stale and its pending rerun is dropped. */
  forget(manifestPath: string): void {
    this.latest.cancel(manifestPath);
    this.reruns.cancel(manifestPath);
  }

  dispose(): void {
    this.latest.cancel();
    this.reruns.dispose();
  }
}
