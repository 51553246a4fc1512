import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import { EngineProcess } from '../../../src/host/engineProcess';
import { defineRequest } from '../../../src/protocol/rpc';
import { isAlive } from '../support/process';

const fixtures = path.join(__dirname, 'fixtures');
const Echo = defineRequest<Float32Array, { sum: number; isTyped: boolean; back: Float32Array }>('echo', 30_000);


test('numeric payloads over 10k values cross the fork as typed arrays', async () => {
  const engine = EngineProcess.start({ enginePath: path.join(fixtures, 'echoEngine.ts'), execArgv: ['--import', 'tsx'] });
  try {
    const values = Float32Array.from({ length: 50_000 }, (_, i) => (i % 7) - 3);
    const reply = await engine.rpc.call(Echo, values);
    assert.equal(reply.isTyped, true);
    assert.ok(reply.back instanceof Float32Array, 'the reply is a Float32Array, not a JSON list');
    assert.deepEqual(reply.back, values);
    assert.equal(reply.sum, values.reduce((a, b) => a + b, 0));
  } finally {
    await engine.dispose();
  }
  assert.equal(engine.running, false);
});

test('the engine exits when its parent dies (watchdog)', async () => {
  const parent = spawn(process.execPath, ['--import', 'tsx', path.join(fixtures, 'orphanParent.ts')], { stdio: ['ignore', 'pipe', 'inherit'] });
  const enginePid = await new Promise<number>((resolve, reject) => {
    let out = '';
    parent.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const line = out.split('\n')[0];
      if (out.includes('\n')) resolve(Number(line));
    });
    parent.on('exit', () => reject(new Error('parent exited early')));
  });
  assert.ok(isAlive(enginePid));
  parent.kill('SIGKILL');
  const deadline = Date.now() + 15_000;
  while (isAlive(enginePid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  assert.equal(isAlive(enginePid), false, 'the orphaned engine exited');
});

test('a request to a dead engine fails with disconnected instead of hanging', async () => {
  const engine = EngineProcess.start({ enginePath: path.join(fixtures, 'echoEngine.ts'), execArgv: ['--import', 'tsx'] });
  const pid = await engine.rpc.call(defineRequest<Record<string, never>, number>('pid', 30_000), {});
  process.kill(pid, 'SIGKILL');
  await new Promise((r) => setTimeout(r, 300));
  await assert.rejects(engine.rpc.call(Echo, new Float32Array(3)), (e: unknown) => (e as { code: string }).code === 'disconnected');
});
