/** EngineManager crash restarts, give-up, heartbeat hang detection and bounded shutdown, against a forked fake engine. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { readFileSync } from 'node:fs';
import { EngineManager, type EngineEvents, type EngineFailure, type EngineManagerOptions, type ScheduledRestart } from '../../../src/host/engineManager';
import { EngineProcess } from '../../../src/host/engineProcess';
import { RestartPolicy } from '../../../src/host/lifecycle/restartPolicy';
import type { LogParams } from '../../../src/protocol/engineProtocol';
import { CrashRequest, HangRequest, HelperPidRequest } from './fixtures/fakeEngine';
import { isAlive } from '../support/process';

const fakeEngine = path.join(__dirname, 'fixtures', 'fakeEngine.ts');

interface Harness {
  manager: EngineManager;
  processes: EngineProcess[];
  exits: string[];
  restarts: ScheduledRestart[];
  failures: EngineFailure[];
  logs: LogParams[];
}

function setup(env: Record<string, string>, options: EngineManagerOptions = {}): Harness {
  const harness: Omit<Harness, 'manager'> = { processes: [], exits: [], restarts: [], failures: [], logs: [] };
  const events: EngineEvents = {
    log: (entry) => harness.logs.push(entry),
    unexpectedExit: (description) => harness.exits.push(description),
    backendChanged: () => undefined,
    restartScheduled: (restart) => harness.restarts.push(restart),
    failed: (failure) => harness.failures.push(failure),
  };
  const manager = new EngineManager(
    (handlers) => {
      const engine = EngineProcess.start({ enginePath: fakeEngine, execArgv: ['--import', 'tsx'], env, ...handlers });
      harness.processes.push(engine);
      return engine;
    },
    events,
    { restartPolicy: new RestartPolicy({ initialDelayMs: 20, maxDelayMs: 1_000 }), ...options },
  );
  return { manager, ...harness };
}

/** Alive and not a zombie: a killed grandchild is reparented, and in a container nothing may reap it. */
function isRunning(pid: number): boolean {
  if (!isAlive(pid)) return false;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return process.platform !== 'linux';
  }
}

async function until(condition: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
  assert.ok(condition(), `timed out waiting for ${what}`);
}

test('an engine that keeps dying is restarted with growing delays, then given up on after 5 crashes', async () => {
  const h = setup({ FAKE_ENGINE_MODE: 'die-at-start' });
  try {
    await assert.rejects(h.manager.acquire(), /exited with code 7/);
    await until(() => h.failures.length === 1, 'the give-up report');
    assert.equal(h.processes.length, 5, 'the first start and four restarts');
    assert.deepEqual(
      h.restarts.map((r) => r.delayMs),
      [20, 40, 80, 160],
    );
    assert.equal(h.failures[0]!.crashesInWindow, 5);
    assert.match(h.failures[0]!.message, /crashed 5 times within 3 minutes/);
    assert.match(h.failures[0]!.message, /exited with code 7/);
    assert.deepEqual(h.exits, [], 'an engine that never initialised is not reported as an unexpected exit');
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(h.processes.length, 5, 'nothing restarts after giving up');
    await assert.rejects(h.manager.acquire(), /crashed 5 times/);
    assert.ok(h.manager.failed);

    await assert.rejects(h.manager.restart(), /exited with code 7/, 'an explicit restart tries again');
    assert.equal(h.manager.failed, undefined);
    assert.equal(h.processes.length, 6);
  } finally {
    await h.manager.dispose();
  }
});

test('a crashed engine comes back on its own after the back-off', async () => {
  const h = setup({});
  try {
    const first = await h.manager.acquire();
    await assert.rejects(first.rpc.call(CrashRequest, { code: 3 }));
    await until(() => h.processes.length === 2, 'the automatic restart');
    assert.equal(h.exits.length, 1);
    assert.equal(h.restarts[0]!.delayMs, 20);
    const second = await h.manager.acquire();
    assert.equal(second.generation, 2);
  } finally {
    await h.manager.dispose();
  }
});

test('acquire during the back-off waits for the restarted engine', async () => {
  const h = setup({}, { restartPolicy: new RestartPolicy({ initialDelayMs: 300 }) });
  try {
    const first = await h.manager.acquire();
    await assert.rejects(first.rpc.call(CrashRequest, { code: 3 }));
    await until(() => h.restarts.length === 1, 'the scheduled restart');
    assert.equal(h.processes.length, 1, 'not restarted before the delay');
    const second = await h.manager.acquire();
    assert.equal(second.generation, 2);
    assert.equal(h.processes.length, 2);
  } finally {
    await h.manager.dispose();
  }
});

test('dispose cancels a pending restart', async () => {
  const h = setup({}, { restartPolicy: new RestartPolicy({ initialDelayMs: 200 }) });
  const first = await h.manager.acquire();
  await assert.rejects(first.rpc.call(CrashRequest, { code: 3 }));
  await until(() => h.restarts.length === 1, 'the scheduled restart');
  const waiting = h.manager.acquire();
  await h.manager.dispose();
  await assert.rejects(waiting, /stopped before it restarted/);
  await new Promise((resolve) => setTimeout(resolve, 300));
  assert.equal(h.processes.length, 1);
});

test('an engine that stops answering heartbeats is killed and restarted', async () => {
  const h = setup({ FAKE_ENGINE_HEARTBEAT: '1' }, { heartbeat: { intervalMs: 50, timeoutMs: 100, missedLimit: 3 } });
  try {
    const first = await h.manager.acquire();
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(h.exits.length, 0, 'a responsive engine is left alone');
    first.rpc.call(HangRequest, {}).catch(() => undefined);
    await until(() => h.exits.length === 1, 'the hang to be detected');
    assert.match(h.exits[0]!, /3 heartbeats missed in a row/);
    assert.equal(h.processes[0]!.running, false);
    const second = await h.manager.acquire();
    assert.equal(second.generation, 2);
  } finally {
    await h.manager.dispose();
  }
});

test('an engine that does not know the heartbeat keeps running with heartbeats off', async () => {
  const h = setup({}, { heartbeat: { intervalMs: 30, timeoutMs: 500, missedLimit: 2 } });
  try {
    await h.manager.acquire();
    await until(() => h.logs.some((l) => l.message.includes('Heartbeat off: the engine does not answer heartbeats')), 'heartbeats to be switched off');
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(h.processes[0]!.running, true);
    assert.equal(h.exits.length, 0);
  } finally {
    await h.manager.dispose();
  }
});

test('dispose kills an engine that ignores shutdown and SIGTERM, and its helper, within 2 s', async () => {
  const h = setup({ FAKE_ENGINE_MODE: 'stubborn' });
  let helperPid = -1;
  let enginePid = -1;
  try {
    const handle = await h.manager.acquire();
    helperPid = await handle.rpc.call(HelperPidRequest, {});
    enginePid = h.processes[0]!.pid!;
    assert.ok(isRunning(helperPid));
    const started = Date.now();
    await h.manager.dispose();
    const elapsed = Date.now() - started;
    assert.ok(elapsed < 2_000, `stopped in ${elapsed} ms`);
    await until(() => !isRunning(helperPid) && !isRunning(enginePid), 'the helper and the engine to be gone', 1_000);
    assert.deepEqual(h.exits, []);
  } finally {
    for (const pid of [helperPid, enginePid]) if (pid > 0 && isRunning(pid)) process.kill(pid, 'SIGKILL');
  }
});
