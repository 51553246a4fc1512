/** EngineManager against a real forked process (a fake engine run through tsx). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { EngineManager, type EngineEvents } from '../../../src/host/engineManager';
import { EngineProcess } from '../../../src/host/engineProcess';
import type { BackendInfo, LogParams } from '../../../src/protocol/engineProtocol';
import { CrashRequest } from './fixtures/fakeEngine';

const fakeEngine = path.join(__dirname, 'fixtures', 'fakeEngine.ts');

function setup(mode = 'normal'): { manager: EngineManager; exits: string[]; backends: (BackendInfo | undefined)[]; logs: LogParams[] } {
  const exits: string[] = [];
  const backends: (BackendInfo | undefined)[] = [];
  const logs: LogParams[] = [];
  const events: EngineEvents = {
    log: (entry) => logs.push(entry),
    unexpectedExit: (description) => exits.push(description),
    backendChanged: (info) => backends.push(info),
  };
  const manager = new EngineManager(
    (handlers) => EngineProcess.start({ enginePath: fakeEngine, execArgv: ['--import', 'tsx'], env: { FAKE_ENGINE_MODE: mode }, ...handlers }),
    events,
  );
  return { manager, exits, backends, logs };
}

async function until(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 500 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
  assert.ok(condition(), `timed out waiting for ${what}`);
}

test('one engine is started lazily and shared; its backend and logs are reported', async () => {
  const { manager, backends, logs } = setup();
  try {
    const [a, b] = await Promise.all([manager.acquire(), manager.acquire()]);
    assert.equal(a.generation, 1);
    assert.equal(b.generation, 1);
    assert.equal(a.info.name, 'cpu');
    assert.deepEqual(backends.map((info) => info?.name), ['cpu']);
    await until(() => logs.some((l) => l.message === 'fake engine initialised'), 'the engine log notification');
  } finally {
    await manager.dispose();
  }
});

test('an unexpected exit is reported once and the next use starts a new engine', async () => {
  const { manager, exits, backends, logs } = setup();
  try {
    const first = await manager.acquire();
    await assert.rejects(first.rpc.call(CrashRequest, { code: 3 }));
    await until(() => exits.length === 1, 'the exit report');
    assert.match(exits[0]!, /code 3/);
    assert.equal(backends[backends.length - 1], undefined, 'the status bar is cleared');
    assert.ok(logs.some((l) => l.level === 'warn' && l.message.includes('fake engine crashing')), 'stderr reaches the log');
    const second = await manager.acquire();
    assert.equal(second.generation, 2);
    assert.equal(exits.length, 1);
  } finally {
    await manager.dispose();
  }
});

test('restart and dispose stop the engine without reporting an unexpected exit', async () => {
  const { manager, exits } = setup();
  const first = await manager.acquire();
  const second = await manager.restart();
  assert.equal(second.generation, first.generation + 1);
  await manager.dispose();
  assert.deepEqual(exits, []);
  await assert.rejects(manager.acquire(), /shut down/);
});

test('an engine that dies while starting fails the acquire; the next acquire tries again', async () => {
  const { manager, exits } = setup('die-at-start');
  try {
    await assert.rejects(manager.acquire(), /exited with code 7/);
    await assert.rejects(manager.acquire(), /exited with code 7/);
    assert.deepEqual(exits, [], 'the failed acquire reports it; no second report');
  } finally {
    await manager.dispose();
  }
});
