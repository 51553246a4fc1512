/**
 * Runs work in chunks: between chunks it yields to the event loop (so cancel
 * messages can arrive), checks the abort signal and reports progress.
 */
import type { RunOptions } from './types';
import { assertInteger } from './validate';

export const DEFAULT_BATCH_SIZE = 32;

export function abortError(): Error {
  const error = new Error('attribution cancelled');
  error.name = 'AbortError';
  return error;
}

export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw abortError();
}

export function resolveBatchSize(options: RunOptions): number {
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  assertInteger(batchSize, 'batchSize', 1);
  return batchSize;
}

export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * Calls `body(start, end)` for consecutive ranges of [0, total). `body` owns its
 * tensors; if it throws or the run is aborted, nothing is left to clean up here.
 */
export async function forEachChunk(
  total: number,
  options: RunOptions,
  body: (start: number, end: number) => void | Promise<void>,
): Promise<void> {
  const batchSize = resolveBatchSize(options);
  throwIfAborted(options.signal);
  for (let start = 0; start < total; start += batchSize) {
    const end = Math.min(total, start + batchSize);
    await body(start, end);
    options.onProgress?.(end / total);
    await yieldToEventLoop();
    if (end < total) throwIfAborted(options.signal);
  }
}

/** Progress of a sub-run mapped into [offset, offset + span] of the parent's progress. */
export function subProgress(options: RunOptions, offset: number, span: number): ((fraction: number) => void) | undefined {
  const report = options.onProgress;
  return report && ((fraction: number) => report(offset + span * fraction));
}
