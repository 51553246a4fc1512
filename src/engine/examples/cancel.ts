/** Cancellation shared by the example-importance loops: they yield between batches so a cancel request can run. */

export function abortError(what: string): Error {
  const error = new Error(`${what} was cancelled`);
  error.name = 'AbortError';
  return error;
}

/** Lets queued events (a cancel request) run, then throws if the signal fired. */
export async function yieldOrAbort(signal: AbortSignal | undefined, what: string): Promise<void> {
  await new Promise<void>((resolve) => setImmediate(resolve));
  if (signal?.aborted) throw abortError(what);
}

export function checkPositiveInteger(value: number, name: string): void {
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer, got ${value}`);
}
