/**
 * One lane of panel work with a result cache: the cached answer, or a new
 * computation whose progress goes to the page and to a cancellable
 * notification, cancelled by the page's Cancel, the notification's Cancel, a
 * newer request on the lane or the panel closing.
 */
import type { Progress, RequestContext } from '../../protocol/rpc';
import type { EngineHandle, EngineSource } from '../engineHandle';
import { cacheKey, ResultCache } from './explanationCache';

export type Report = (progress: Progress) => void;

export interface LaneDependencies {
  engine: EngineSource;
  /** A cancellable progress notification; its signal aborts on the notification's Cancel. */
  withProgress<T>(title: string, task: (report: Report, signal: AbortSignal) => Promise<T>): Promise<T>;
  lifetime: AbortSignal;
}

export class CachedLane<T extends { cached: boolean }> {
  private readonly cache: ResultCache<T>;

  constructor(
    private readonly deps: LaneDependencies,
    capacity: number,
  ) {
    this.cache = new ResultCache<T>(capacity);
  }

  clear(): void {
    this.cache.clear();
  }

  run(params: object, context: RequestContext, notification: string, compute: (engine: EngineHandle, signal: AbortSignal, report: Report) => Promise<T>): Promise<T> {
    const key = cacheKey(params);
    const hit = this.cache.peek(key);
    if (hit) return Promise.resolve({ ...hit, cached: true });
    return this.cache.get(
      key,
      (signal) =>
        this.deps.withProgress(notification, async (report, cancelled) => {
          const engine = await this.deps.engine.acquire();
          return compute(engine, AbortSignal.any([signal, cancelled, this.deps.lifetime]), (p) => {
            report(p);
            context.progress(p);
          });
        }),
      context.signal,
    );
  }
}
