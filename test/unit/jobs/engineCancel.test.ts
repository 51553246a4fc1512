/**
 * Cancel reaches a running engine job: the engine stops at its next batch
 * boundary and says so with a `cancelled` error reply (the acknowledgement the
 * host waits for), never with a late result, and the next request works.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { fork } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { ExampleImportanceRequest, InitializeRequest, ShutdownRequest } from '../../../src/protocol/engineProtocol';
import { RpcEndpoint, RpcError, type RpcMessage } from '../../../src/protocol/rpc';
import { writeNpy } from '../../../src/engine/data/npy';
import { seededValues } from '../metrics/testUtils';
import { CLASSES, FEATURES, SIDE, writeTinyRuns, type TinyRuns } from './fixtures';

const BIG_TRAIN = 40_000;
let runs: TinyRuns;

before(async () => {
  await tf.setBackend('cpu');
  runs = await writeTinyRuns(await mkdtemp(path.join(tmpdir(), 'modeldebug-cancel-')));
  // A training set large enough that exact TracIn in batches of one runs for many seconds.
  const data = path.join(runs.dir, 'data');
  await writeFile(path.join(data, 'train-x.npy'), writeNpy([BIG_TRAIN, SIDE, SIDE, 1], 'float32', seededValues(BIG_TRAIN * FEATURES, 3, 0, 1)));
  await writeFile(path.join(data, 'train-y.npy'), writeNpy([BIG_TRAIN], 'int32', Array.from({ length: BIG_TRAIN }, (_, i) => i % CLASSES)));
});

after(async () => {
  await rm(runs.dir, { recursive: true, force: true });
});

test('a cancelled engine job is acknowledged with a cancelled reply within 500 ms, and the next request works', async () => {
  const child = fork(path.join(__dirname, '..', '..', '..', 'src', 'engine', 'main.ts'), [], {
    execArgv: ['--import', 'tsx'],
    serialization: 'advanced',
    env: { ...process.env, MODELDEBUG_BACKEND: 'cpu' },
    stdio: ['ignore', 'ignore', 'ignore', 'ipc'],
  });
  const arrivals: Array<{ at: number; message: RpcMessage }> = [];
  const rpc = new RpcEndpoint({
    send: (message) => void child.send(message),
    listen: (listener) => {
      const tap = (message: unknown): void => {
        arrivals.push({ at: performance.now(), message: message as RpcMessage });
        listener(message);
      };
      child.on('message', tap);
      return () => child.off('message', tap);
    },
  });
  try {
    await rpc.call(InitializeRequest, {});
    const controller = new AbortController();
    let firstProgress: () => void = () => undefined;
    const started = new Promise<void>((resolve) => (firstProgress = resolve));
    const long = rpc.call(
      ExampleImportanceRequest,
      { manifestPath: runs.classifierManifest, testIndices: [0], method: { method: 'tracin', mode: 'exact' }, batchSize: 1 },
      { signal: controller.signal, onProgress: () => firstProgress() },
    );
    await started;
    const sentAt = performance.now();
    const cancelledId = Math.max(...arrivals.filter((a) => a.message.kind === 'progress').map((a) => (a.message as { id: number }).id));
    controller.abort();
    await assert.rejects(long, (e: unknown) => e instanceof RpcError && e.code === 'cancelled');
    // Wait for the engine's own reply to the cancelled request.
    const deadline = performance.now() + 10_000;
    let ack: { at: number; message: RpcMessage } | undefined;
    while (!ack && performance.now() < deadline) {
      ack = arrivals.find((a) => (a.message.kind === 'error' || a.message.kind === 'response') && (a.message as { id: number }).id === cancelledId);
      if (!ack) await new Promise((resolve) => setTimeout(resolve, 5));
    }
    assert.ok(ack, 'the engine answered the cancelled request');
    assert.equal(ack.message.kind, 'error', 'a cancelled request never gets a late result');
    assert.equal((ack.message as { error: { code: string } }).error.code, 'cancelled');
    const latency = ack.at - sentAt;
    assert.ok(latency < 500, `cancel acknowledged after ${latency.toFixed(0)} ms`);
    const next = await rpc.call(ExampleImportanceRequest, { manifestPath: runs.classifierManifest, testIndices: [1], method: { method: 'deepKnn' }, topK: 2 });
    assert.equal(next.examples[0]!.proponents.length, 2);
  } finally {
    await rpc.call(ShutdownRequest, {}).catch(() => undefined);
    child.kill();
  }
});
