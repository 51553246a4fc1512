/** What every attribution job gets from the engine, and the params they share. */
import type { Progress } from '../../protocol/rpc';
import type { AttributionCache } from '../cache/attributionCache';
import type { RunStore } from '../run/runStore';
import { readOptionalInteger, readOptionalString, readString, type JsonObject } from './paramReader';

export interface AttributionJobContext {
  store: RunStore;
  cache: AttributionCache;
  signal: AbortSignal;
  progress(progress: Progress): void;
}

export const COMMON_FIELDS = ['manifestPath', 'checkpoint', 'batchSize'] as const;
export const MAX_BATCH_SIZE = 4096;

export interface CommonParams {
  manifestPath: string;
  checkpoint?: string;
  batchSize?: number;
}

export function readCommon(o: JsonObject): CommonParams {
  return {
    manifestPath: readString(o.manifestPath, 'manifestPath'),
    checkpoint: readOptionalString(o.checkpoint, 'checkpoint'),
    batchSize: readOptionalInteger(o.batchSize, 'batchSize', 1, MAX_BATCH_SIZE),
  };
}

/** Progress at most every `intervalMs`, plus the start and the end: one IPC message per batch would be noise. */
export function throttledProgress(progress: (p: Progress) => void, intervalMs = 200): (message: string, fraction: number) => void {
  let last = 0;
  return (message, fraction) => {
    const now = Date.now();
    if (fraction > 0 && fraction < 1 && now - last < intervalMs) return;
    last = now;
    progress({ message, fraction: Math.max(0, Math.min(1, fraction)) });
  };
}

export function secondsSince(start: number): number {
  return (performance.now() - start) / 1000;
}
