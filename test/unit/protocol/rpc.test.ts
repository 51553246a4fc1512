import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defineNotification, defineRequest, RpcEndpoint, RpcError, type RpcMessage, type Transport } from '../../../src/protocol/rpc';

/** Two endpoints joined back to back, delivering asynchronously like a real channel. */
function pair(): { a: RpcEndpoint; b: RpcEndpoint; sentByA: RpcMessage[] } {
  const listeners: { a?: (m: unknown) => void; b?: (m: unknown) => void } = {};
  const sentByA: RpcMessage[] = [];
  const transport = (self: 'a' | 'b', other: 'a' | 'b'): Transport => ({
    send: (message) => {
      if (self === 'a') sentByA.push(message);
      setImmediate(() => listeners[other]?.(structuredClone(message)));
    },
    listen: (listener) => {
      listeners[self] = listener;
      return () => {
        listeners[self] = undefined;
      };
    },
  });
  return { a: new RpcEndpoint(transport('a', 'b')), b: new RpcEndpoint(transport('b', 'a')), sentByA };
}

const Add = defineRequest<{ x: number; y: number }, number>('add', 1000);
const Slow = defineRequest<{ ms: number }, string>('slow', 50);
const Fail = defineRequest<Record<string, never>, void>('fail', 1000);
const Hello = defineNotification<{ name: string }>('hello');

test('a request gets its response, with progress on the way', async () => {
  const { a, b } = pair();
  b.onRequest(Add, async ({ x, y }, { progress }) => {
    progress({ message: 'adding', fraction: 0.5 });
    await new Promise((r) => setTimeout(r, 5));
    return x + y;
  });
  const seen: number[] = [];
  const result = await a.call(Add, { x: 2, y: 3 }, { onProgress: (p) => seen.push(p.fraction ?? -1) });
  assert.equal(result, 5);
  assert.deepEqual(seen, [0.5]);
});

test('typed arrays survive a structured-clone transport', async () => {
  const { a, b } = pair();
  const Echo = defineRequest<Float32Array, Float32Array>('echo', 1000);
  b.onRequest(Echo, (values) => values);
  const values = new Float32Array(20_000).map((_, i) => i / 3);
  const back = await a.call(Echo, values);
  assert.ok(back instanceof Float32Array);
  assert.deepEqual(back, values);
});

test('handler errors come back as error replies with code and file', async () => {
  const { a, b } = pair();
  b.onRequest(Fail, () => {
    throw Object.assign(new Error('/data/x.npy: bad magic'), { file: '/data/x.npy' });
  });
  await assert.rejects(a.call(Fail, {}), (error: unknown) => {
    assert.ok(error instanceof RpcError);
    assert.equal(error.code, 'badInput');
    assert.equal(error.file, '/data/x.npy');
    return true;
  });
});

test('an unknown method is answered with methodNotFound', async () => {
  const { a } = pair();
  await assert.rejects(a.call(Add, { x: 1, y: 1 }), (e: unknown) => (e as RpcError).code === 'methodNotFound');
});

test('a timeout rejects the caller and tells the callee to cancel', async () => {
  const { a, b, sentByA } = pair();
  let calleeAborted = false;
  b.onRequest(Slow, async ({ ms }, { signal }) => {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      signal.addEventListener('abort', () => {
        calleeAborted = true;
        clearTimeout(timer);
        resolve();
      });
    });
    return 'done';
  });
  await assert.rejects(a.call(Slow, { ms: 5_000 }), (e: unknown) => (e as RpcError).code === 'timeout');
  await new Promise((r) => setTimeout(r, 20));
  assert.ok(sentByA.some((m) => m.kind === 'cancel'));
  assert.ok(calleeAborted);
});

test('cancel through an AbortSignal reaches the running handler', async () => {
  const { a, b } = pair();
  const aborted = new Promise<boolean>((resolve) => {
    b.onRequest(Slow, async (_params, { signal }) => {
      await new Promise<void>((r) => signal.addEventListener('abort', () => r()));
      resolve(signal.aborted);
      return 'late';
    });
  });
  const controller = new AbortController();
  const call = a.call(Slow, { ms: 0 }, { signal: controller.signal, timeoutMs: 10_000 });
  setTimeout(() => controller.abort(), 10);
  await assert.rejects(call, (e: unknown) => (e as RpcError).code === 'cancelled');
  assert.equal(await aborted, true);
});

test('an already-aborted signal never sends the request', async () => {
  const { a, sentByA } = pair();
  const controller = new AbortController();
  controller.abort();
  await assert.rejects(a.call(Add, { x: 1, y: 2 }, { signal: controller.signal }), (e: unknown) => (e as RpcError).code === 'cancelled');
  assert.equal(sentByA.length, 0);
});

test('closing fails pending calls with disconnected', async () => {
  const { a, b } = pair();
  b.onRequest(Slow, () => new Promise<string>(() => undefined));
  const call = a.call(Slow, { ms: 0 }, { timeoutMs: 10_000 });
  setTimeout(() => a.close('gone'), 5);
  await assert.rejects(call, (e: unknown) => (e as RpcError).code === 'disconnected');
  await assert.rejects(a.call(Add, { x: 1, y: 1 }), (e: unknown) => (e as RpcError).code === 'disconnected');
});

test('notifications are delivered and malformed messages are ignored', async () => {
  const listeners: Array<(m: unknown) => void> = [];
  const endpoint = new RpcEndpoint({ send: () => undefined, listen: (l) => (listeners.push(l), () => undefined) });
  const names: string[] = [];
  endpoint.onNotification(Hello, ({ name }) => names.push(name));
  for (const junk of [null, 42, 'x', { kind: 'request' }, { kind: 'response', id: 'NaN' }, { kind: 'nope' }]) listeners[0]!(junk);
  listeners[0]!({ kind: 'notification', method: 'hello', params: { name: 'engine' } });
  assert.deepEqual(names, ['engine']);
});
