import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ExplanationCache } from '../../../src/host/panel/explanationCache';

function deferred<T>(): { promise: Promise<T>; resolve: (v: T) => void; reject: (e: unknown) => void } {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((a, b) => {
    resolve = a;
    reject = b;
  });
  return { promise, resolve, reject };
}

test('a second request for the same key joins the one in flight', async () => {
  const cache = new ExplanationCache<number>();
  let calls = 0;
  const d = deferred<number>();
  const compute = (): Promise<number> => {
    calls++;
    return d.promise;
  };
  const a = cache.get('k', compute);
  const b = cache.get('k', compute);
  d.resolve(42);
  assert.deepEqual(await Promise.all([a, b]), [42, 42]);
  assert.equal(calls, 1);
  assert.equal(await cache.get('k', compute), 42);
  assert.equal(calls, 1);
});

test('a request for another key aborts the one in flight', async () => {
  const cache = new ExplanationCache<number>();
  let firstSignal: AbortSignal | undefined;
  const first = cache.get('a', (signal) => {
    firstSignal = signal;
    return new Promise<number>((_, reject) => signal.addEventListener('abort', () => reject(new Error('aborted'))));
  });
  const second = cache.get('b', async () => 2);
  await assert.rejects(first, /aborted/);
  assert.equal(firstSignal?.aborted, true);
  assert.equal(await second, 2);
});

test('failures are not cached and the capacity bounds what is kept', async () => {
  const cache = new ExplanationCache<number>(2);
  await assert.rejects(cache.get('x', async () => Promise.reject(new Error('boom'))), /boom/);
  assert.equal(await cache.get('x', async () => 1), 1);
  await cache.get('y', async () => 2);
  await cache.get('z', async () => 3);
  let recomputed = false;
  await cache.get('x', async () => {
    recomputed = true;
    return 1;
  });
  assert.equal(recomputed, true, 'the oldest entry was evicted');
});

test('clear aborts the computation in flight', async () => {
  const cache = new ExplanationCache<number>();
  let signal: AbortSignal | undefined;
  const pending = cache.get('a', (s) => {
    signal = s;
    return new Promise<number>((_, reject) => s.addEventListener('abort', () => reject(new Error('cleared'))));
  });
  cache.clear();
  await assert.rejects(pending, /cleared/);
  assert.equal(signal?.aborted, true);
});
