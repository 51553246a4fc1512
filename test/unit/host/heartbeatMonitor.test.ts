import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HeartbeatMonitor } from '../../../src/host/lifecycle/heartbeatMonitor';
import { RpcError } from '../../../src/protocol/rpc';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!condition() && Date.now() < deadline) await sleep(5);
  assert.ok(condition(), `timed out waiting for ${what}`);
}

test('a hang is reported after the given number of missed beats in a row, once', async () => {
  const hangs: number[] = [];
  let pings = 0;
  const monitor = new HeartbeatMonitor(
    { intervalMs: 10, timeoutMs: 1, missedLimit: 3 },
    {
      ping: () => {
        pings++;
        return Promise.reject(new RpcError('timeout', 'no answer'));
      },
      onHang: (missed) => hangs.push(missed),
    },
  );
  monitor.start();
  await until(() => hangs.length > 0, 'the hang');
  await sleep(50);
  assert.deepEqual(hangs, [3]);
  assert.equal(pings, 3, 'no pings after the hang');
  monitor.stop();
});

test('an answered beat resets the count of missed ones', async () => {
  const answers = ['timeout', 'timeout', 'ok', 'timeout', 'timeout', 'ok'];
  const hangs: number[] = [];
  const monitor = new HeartbeatMonitor(
    { intervalMs: 5, timeoutMs: 1, missedLimit: 3 },
    {
      ping: () => (answers.shift() === 'ok' ? Promise.resolve() : Promise.reject(new RpcError('timeout', 'late'))),
      onHang: (missed) => hangs.push(missed),
    },
  );
  monitor.start();
  await until(() => answers.length === 0, 'every answer to be used');
  await sleep(5);
  monitor.stop();
  assert.deepEqual(hangs, []);
});

test('an engine without the heartbeat turns monitoring off instead of counting misses', async () => {
  const stopped: string[] = [];
  const hangs: number[] = [];
  let pings = 0;
  const monitor = new HeartbeatMonitor(
    { intervalMs: 5, timeoutMs: 1, missedLimit: 1 },
    {
      ping: () => {
        pings++;
        return Promise.reject(new RpcError('methodNotFound', 'Unknown method engine/heartbeat.'));
      },
      onHang: (missed) => hangs.push(missed),
      onStopped: (reason) => stopped.push(reason),
    },
  );
  monitor.start();
  await until(() => stopped.length > 0, 'monitoring to stop');
  await sleep(30);
  assert.deepEqual(stopped, ['the engine does not answer heartbeats']);
  assert.deepEqual(hangs, []);
  assert.equal(pings, 1);
});

test('only one ping is in flight at a time', async () => {
  let inFlight = 0;
  let most = 0;
  const monitor = new HeartbeatMonitor(
    { intervalMs: 2, timeoutMs: 1, missedLimit: 100 },
    {
      ping: async () => {
        inFlight++;
        most = Math.max(most, inFlight);
        await sleep(20);
        inFlight--;
      },
      onHang: () => undefined,
    },
  );
  monitor.start();
  await sleep(80);
  monitor.stop();
  assert.equal(most, 1);
});

test('bad settings are refused', () => {
  const target = { ping: () => Promise.resolve(), onHang: () => undefined };
  assert.throws(() => new HeartbeatMonitor({ intervalMs: 0, timeoutMs: 1, missedLimit: 1 }, target), /intervalMs/);
  assert.throws(() => new HeartbeatMonitor({ intervalMs: 1, timeoutMs: 1, missedLimit: 1.5 }, target), /missedLimit/);
});
