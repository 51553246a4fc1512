import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cacheKey, ResultCache } from '../../../src/host/panel/explanationCache';

test('cache keys do not depend on key order and leave out undefined fields', () => {
  assert.equal(cacheKey({ a: 1, b: { c: 2, d: [1, { e: 3, f: 4 }] } }), cacheKey({ b: { d: [1, { f: 4, e: 3 }], c: 2 }, a: 1 }));
  assert.equal(cacheKey({ a: 1, b: undefined }), cacheKey({ a: 1 }));
  assert.notEqual(cacheKey({ a: [1, 2] }), cacheKey({ a: [2, 1] }));
  assert.equal(cacheKey({ v: new Float32Array([1, 2]) }), cacheKey({ v: [1, 2] }));
});

test('the caller\'s signal cancels the computation in flight for its key', async () => {
  const cache = new ResultCache<number>();
  const caller = new AbortController();
  let computeSignal: AbortSignal | undefined;
  const pending = cache.get(
    'k',
    (signal) => {
      computeSignal = signal;
      return new Promise<number>((_, reject) => signal.addEventListener('abort', () => reject(new Error('stopped'))));
    },
    caller.signal,
  );
  caller.abort();
  await assert.rejects(pending, /stopped/);
  assert.equal(computeSignal?.aborted, true);
  assert.equal(cache.peek('k'), undefined);
});

test('a caller that stopped listening does not cancel a newer computation', async () => {
  const cache = new ResultCache<number>();
  const old = new AbortController();
  await cache.get('a', async () => 1, old.signal);
  let signal: AbortSignal | undefined;
  const pending = cache.get('b', async (s) => {
    signal = s;
    await new Promise((resolve) => setTimeout(resolve, 5));
    return 2;
  });
  old.abort();
  assert.equal(await pending, 2);
  assert.equal(signal?.aborted, false);
  assert.equal(cache.peek('a'), 1);
  assert.equal(cache.peek('b'), 2);
});
