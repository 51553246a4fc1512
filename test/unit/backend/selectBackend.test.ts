import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { BACKEND_ENV_VAR, TFJS_NODE_MODULE, selectBackend } from '../../../src/engine/backend/selectBackend';
import { WASM_BRIDGED_KERNELS } from '../../../src/engine/backend/wasmGradientBridge';

const fakesDir = mkdtempSync(join(tmpdir(), 'modeldebug-fake-tfjs-node-'));
after(() => rmSync(fakesDir, { recursive: true, force: true }));

/** Writes a stand-in for @tensorflow/tfjs-node and returns its path. */
function fakeTfjsNode(name: string, source: string): string {
  const file = join(fakesDir, `${name}.js`);
  writeFileSync(file, source);
  return file;
}

/** Runs `fn` with MODELDEBUG_BACKEND set to `value` (or unset), restoring it afterwards. */
async function withBackendEnv<T>(value: string | undefined, fn: () => Promise<T>): Promise<T> {
  const saved = process.env[BACKEND_ENV_VAR];
  if (value === undefined) Reflect.deleteProperty(process.env, BACKEND_ENV_VAR);
  else process.env[BACKEND_ENV_VAR] = value;
  try {
    return await fn();
  } finally {
    if (saved === undefined) Reflect.deleteProperty(process.env, BACKEND_ENV_VAR);
    else process.env[BACKEND_ENV_VAR] = saved;
  }
}

function tfjsNodeInstalled(): boolean {
  try {
    require.resolve(TFJS_NODE_MODULE);
    return true;
  } catch {
    return false;
  }
}

test(`${BACKEND_ENV_VAR}=cpu selects cpu and says why the better backends were not tried`, async () => {
  const info = await withBackendEnv('cpu', () => selectBackend());
  assert.equal(info.name, 'cpu');
  assert.equal(tf.getBackend(), 'cpu');
  assert.deepEqual(info.skipped, [`tensorflow: not tried because ${BACKEND_ENV_VAR}=cpu`, `wasm: not tried because ${BACKEND_ENV_VAR}=cpu`]);
  assert.equal(info.tfjsVersion, tf.version_core);
});

test('preferred cpu selects cpu', async () => {
  const info = await withBackendEnv(undefined, () => selectBackend({ preferred: 'cpu' }));
  assert.equal(info.name, 'cpu');
  assert.equal(tf.getBackend(), 'cpu');
  assert.deepEqual(info.skipped, ['tensorflow: not tried because the preferred backend is cpu', 'wasm: not tried because the preferred backend is cpu']);
});

test(`${BACKEND_ENV_VAR} overrides the preferred backend`, async () => {
  const info = await withBackendEnv('wasm', () => selectBackend({ preferred: 'cpu' }));
  assert.equal(info.name, 'wasm');
  assert.equal(tf.getBackend(), 'wasm');
  assert.deepEqual(info.skipped, [`tensorflow: not tried because ${BACKEND_ENV_VAR}=wasm`]);
});

test(`an unknown ${BACKEND_ENV_VAR} value is logged and ignored`, async () => {
  const lines: string[] = [];
  const info = await withBackendEnv('gpu', () => selectBackend({ preferred: 'cpu', log: (line) => lines.push(line) }));
  assert.equal(info.name, 'cpu');
  assert.ok(lines.some((line) => line.includes(`ignoring ${BACKEND_ENV_VAR}="gpu"`)), lines.join('\n'));
});

test('by default wasm is selected with gradients bridged, tfjs-node listed with a reason, no tensors leaked', async (t) => {
  if (tfjsNodeInstalled()) {
    t.skip('@tensorflow/tfjs-node is installed here, so the default is not wasm');
    return;
  }
  const tensorsBefore = tf.memory().numTensors;
  const lines: string[] = [];
  const info = await withBackendEnv(undefined, () => selectBackend({ log: (line) => lines.push(line) }));
  assert.equal(info.name, 'wasm');
  assert.equal(tf.getBackend(), 'wasm');
  assert.deepEqual(info.skipped, ['tensorflow: @tensorflow/tfjs-node is not installed']);
  for (const kernel of WASM_BRIDGED_KERNELS) assert.ok(tf.getKernel(kernel, 'wasm'), `${kernel} is available on wasm`);
  assert.ok(lines.some((line) => line === 'backend: using wasm'), lines.join('\n'));
  assert.equal(tf.memory().numTensors, tensorsBefore);
});

test('a tfjs-node that hangs while loading is killed, skipped, and never loaded in-process', async () => {
  const hanging = fakeTfjsNode('hanging', 'globalThis.__fakeTfjsNodeLoaded = true; for (;;) {}');
  const info = await withBackendEnv(undefined, () => selectBackend({ tfjsNodeModule: hanging, probeTimeoutMs: 2_000 }));
  assert.equal(info.name, 'wasm');
  assert.equal(info.skipped.length, 1);
  assert.match(info.skipped[0]!, /^tensorflow: .*hanging\.js failed its out-of-process check: probe did not finish within 2000 ms and was killed$/);
  assert.equal((globalThis as { __fakeTfjsNodeLoaded?: boolean }).__fakeTfjsNodeLoaded, undefined);
});

test('a tfjs-node that crashes the process while loading is skipped and this process survives', async () => {
  const crashing = fakeTfjsNode('crashing', "process.kill(process.pid, 'SIGSEGV');");
  const info = await withBackendEnv(undefined, () => selectBackend({ tfjsNodeModule: crashing }));
  assert.equal(info.name, 'wasm');
  assert.match(info.skipped[0]!, /^tensorflow: .*crashing\.js failed its out-of-process check: probe was killed by SIGSEGV$/);
});

test('an injected probe script decides, and its failure is reported', async () => {
  const harmless = fakeTfjsNode('harmless', 'module.exports = {};');
  const info = await withBackendEnv(undefined, () => selectBackend({ tfjsNodeModule: harmless, probeScript: 'process.exit(3);' }));
  assert.equal(info.name, 'wasm');
  assert.match(info.skipped[0]!, /probe exited with code 3$/);
});

test('a module that passes the probe but registers no tensorflow backend is skipped after loading', async () => {
  const empty = fakeTfjsNode('empty', 'globalThis.__fakeEmptyLoaded = true; module.exports = {};');
  const info = await withBackendEnv(undefined, () => selectBackend({ tfjsNodeModule: empty, probeScript: 'process.exit(0);' }));
  assert.equal(info.name, 'wasm');
  assert.match(info.skipped[0]!, /loaded but registered no 'tensorflow' backend/);
  assert.equal((globalThis as { __fakeEmptyLoaded?: boolean }).__fakeEmptyLoaded, true);
});

// Last: it leaves a 'tensorflow' backend registered in this process.
test('a working tfjs-node passes the real probe, is loaded in-process and selected', async () => {
  // A stand-in that registers cpu's kernels under the name 'tensorflow', like tfjs-node registers its own.
  const working = fakeTfjsNode('working', `
    const tf = require(${JSON.stringify(require.resolve('@tensorflow/tfjs-core'))});
    const { MathBackendCPU } = require(${JSON.stringify(require.resolve('@tensorflow/tfjs-backend-cpu'))});
    if (tf.findBackendFactory('tensorflow') == null) {
      tf.registerBackend('tensorflow', () => new MathBackendCPU(), 3);
      for (const kernel of tf.getKernelsForBackend('cpu')) tf.registerKernel({ ...kernel, backendName: 'tensorflow' });
    }
    module.exports = tf;
  `);
  const tensorsBefore = tf.memory().numTensors;
  const info = await withBackendEnv(undefined, () => selectBackend({ tfjsNodeModule: working }));
  assert.deepEqual(info, { name: 'tensorflow', skipped: [], tfjsVersion: tf.version_core });
  assert.equal(tf.getBackend(), 'tensorflow');
  assert.equal(tf.memory().numTensors, tensorsBefore);
});
