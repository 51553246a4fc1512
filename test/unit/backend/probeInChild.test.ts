import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { probeInChild } from '../../../src/engine/backend/probeInChild';
import { isAlive } from '../support/process';


test('a probe that exits 0 passes and receives its arguments', async () => {
  assert.deepEqual(await probeInChild("if (process.argv[1] !== 'hello') process.exit(5);", ['hello'], 10_000), { ok: true });
});

test('the probe runs with ELECTRON_RUN_AS_NODE=1', async () => {
  assert.deepEqual(await probeInChild("process.exit(process.env.ELECTRON_RUN_AS_NODE === '1' ? 0 : 4);", [], 10_000), { ok: true });
});

test('a probe that throws reports the exit code and the error line', async () => {
  const result = await probeInChild("throw new Error('libtensorflow.so: cannot open shared object file');", [], 10_000);
  assert.equal(result.ok, false);
  assert.match(!result.ok ? result.reason : '', /exited with code 1: Error: libtensorflow\.so: cannot open shared object file/);
});

test('a probe that crashes with a signal is reported, and this process carries on', async () => {
  const result = await probeInChild("process.kill(process.pid, 'SIGSEGV');", [], 10_000);
  assert.equal(result.ok, false);
  assert.match(!result.ok ? result.reason : '', /killed by SIGSEGV/);
});

test('a probe that hangs is killed at the timeout', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'modeldebug-probe-'));
  try {
    const pidFile = join(dir, 'pid');
    const script = "require('fs').writeFileSync(process.argv[1], String(process.pid)); for (;;) {}";
    const started = Date.now();
    const result = await probeInChild(script, [pidFile], 3_000);
    assert.equal(result.ok, false);
    assert.match(!result.ok ? result.reason : '', /did not finish within 3000 ms and was killed/);
    assert.ok(Date.now() - started < 10_000, 'the probe returned long after its timeout');
    const pid = Number(readFileSync(pidFile, 'utf8'));
    assert.ok(Number.isInteger(pid) && pid > 0, `bad pid file: ${pid}`);
    for (let wait = 0; wait < 50 && isAlive(pid); wait++) await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(isAlive(pid), false, `the hung probe ${pid} is still running`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('bad arguments are rejected with the argument named', () => {
  assert.throws(() => probeInChild('', [], 1000), /script must be a non-empty string/);
  assert.throws(() => probeInChild('0', [], 0), /timeoutMs must be a positive number, got 0/);
  assert.throws(() => probeInChild('0', [], Number.NaN), /timeoutMs must be a positive number/);
});
