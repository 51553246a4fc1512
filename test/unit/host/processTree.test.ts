import { test } from 'node:test';
import assert from 'node:assert/strict';
import { signalProcessTree, sweepProcessGroup, type ProcessTreeDeps } from '../../../src/host/lifecycle/processTree';
import { stopSchedule } from '../../../src/host/lifecycle/stopSchedule';

function errno(code: string): NodeJS.ErrnoException {
  return Object.assign(new Error(code), { code });
}

function fakeDeps(platform: NodeJS.Platform, gone: Set<number> = new Set()): ProcessTreeDeps & { calls: string[] } {
  const calls: string[] = [];
  return {
    platform,
    calls,
    kill: (pid, signal) => {
      calls.push(`kill ${pid} ${signal}`);
      if (gone.has(pid)) throw errno('ESRCH');
    },
    taskkill: (args) => calls.push(`taskkill ${args.join(' ')}`),
  };
}

test('on POSIX the whole process group is signalled', () => {
  const deps = fakeDeps('linux');
  assert.equal(signalProcessTree(42, 'SIGTERM', deps), true);
  assert.deepEqual(deps.calls, ['kill -42 SIGTERM']);
});

test('without a group the process alone is signalled; nothing left reports false', () => {
  const deps = fakeDeps('darwin', new Set([-42]));
  assert.equal(signalProcessTree(42, 'SIGKILL', deps), true);
  assert.deepEqual(deps.calls, ['kill -42 SIGKILL', 'kill 42 SIGKILL']);
  assert.equal(signalProcessTree(42, 'SIGKILL', fakeDeps('linux', new Set([-42, 42]))), false);
});

test('on Windows taskkill walks the tree', () => {
  const deps = fakeDeps('win32');
  signalProcessTree(42, 'SIGTERM', deps);
  assert.deepEqual(deps.calls, ['taskkill /pid 42 /T /F']);
});

test('errors other than "no such process" are not swallowed', () => {
  const deps = fakeDeps('linux');
  deps.kill = () => {
    throw errno('EPERM');
  };
  assert.throws(() => signalProcessTree(42, 'SIGTERM', deps), /EPERM/);
});

test('the sweep after exit signals only the group, never the reusable pid', () => {
  const deps = fakeDeps('linux', new Set([-42]));
  sweepProcessGroup(42, deps);
  assert.deepEqual(deps.calls, ['kill -42 SIGKILL']);
  const windows = fakeDeps('win32');
  sweepProcessGroup(42, windows);
  assert.deepEqual(windows.calls, []);
});

test('bad pids are refused', () => {
  assert.throws(() => signalProcessTree(0, 'SIGTERM', fakeDeps('linux')), /pid/);
  assert.throws(() => sweepProcessGroup(-3, fakeDeps('linux')), /pid/);
});

test('the stop schedule kills inside the budget', () => {
  assert.deepEqual(stopSchedule(2_000), { terminateAtMs: 1_000, killAtMs: 1_600 });
  assert.throws(() => stopSchedule(0), /budgetMs/);
});
