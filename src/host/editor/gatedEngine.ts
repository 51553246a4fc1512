/**
 * The engine as the panels and commands see it: refused in Restricted Mode
 * (so no process is spawned), and every request counted as work for the
 * status bar, with its progress as the percentage. Free of `vscode`.
 */
import type { CallOptions, RequestDescriptor } from '../../protocol/rpc';
import type { EngineHandle, EngineSource } from '../engineHandle';
import { RestrictedModeError, type IsTrusted } from './trustGate';
import type { WorkTracker } from './workTracker';

/** Requests too short to be worth showing as work. */
const UNTRACKED = new Set(['engine/heartbeat', 'engine/initialize']);

/** A readable title for a request until its first progress report names the work. */
export function requestTitle(method: string): string {
  const last = method.slice(method.lastIndexOf('/') + 1);
  return last.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
}

export class GatedEngine implements EngineSource {
  constructor(
    private readonly engine: EngineSource,
    private readonly isTrusted: IsTrusted,
    private readonly work: WorkTracker,
  ) {}

  async acquire(): Promise<EngineHandle> {
    if (!this.isTrusted()) throw new RestrictedModeError();
    const handle = await this.engine.acquire();
    const work = this.work;
    const rpc = handle.rpc;
    return {
      ...handle,
      rpc: {
        call<P, R>(descriptor: RequestDescriptor<P, R>, params: P, options: CallOptions = {}): Promise<R> {
          if (UNTRACKED.has(descriptor.method)) return rpc.call(descriptor, params, options);
          const task = work.begin(requestTitle(descriptor.method));
          const onProgress = options.onProgress;
          const tracked: CallOptions = {
            ...options,
            onProgress: (progress) => {
              task.report(progress);
              onProgress?.(progress);
            },
          };
          return rpc.call(descriptor, params, tracked).finally(() => task.end());
        },
      },
    };
  }
}
