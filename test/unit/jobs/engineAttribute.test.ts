import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { EngineProcess } from '../../../src/host/engineProcess';
import { AttributeRequest, InitializeRequest } from '../../../src/protocol/engineProtocol';
import { RpcError } from '../../../src/protocol/rpc';
import { expectClose } from '../metrics/testUtils';
import { example, FEATURES, LATENT, writeTinyRuns, type TinyRuns } from './fixtures';

let runs: TinyRuns;

before(async () => {
  await tf.setBackend('cpu');
  runs = await writeTinyRuns(await mkdtemp(path.join(tmpdir(), 'modeldebug-engine-')));
});

after(async () => {
  await rm(runs.dir, { recursive: true, force: true });
});

test('the real engine answers an AttributeRequest over IPC with typed arrays, then from its cache', async () => {
  const engine = EngineProcess.start({
    enginePath: path.join(__dirname, '..', '..', '..', 'src', 'engine', 'main.ts'),
    execArgv: ['--import', 'tsx'],
    env: { MODELDEBUG_BACKEND: 'cpu' },
  });
  try {
    const backend = await engine.rpc.call(InitializeRequest, {});
    assert.equal(backend.name, 'cpu');
    const params = { manifestPath: runs.classifierManifest, checkpoint: runs.checkpoints[0]!.path, testIndex: 5, method: { method: 'integratedGradients' as const, steps: 6 }, target: { kind: 'latentUnit' as const, unit: 2 } };
    const progress: number[] = [];
    const result = await engine.rpc.call(AttributeRequest, params, { onProgress: (p) => progress.push(p.fraction ?? -1) });
    assert.ok(result.maps[0]!.values instanceof Float32Array, 'maps cross as Float32Array');
    const w = runs.checkpoints[0]!.weights;
    const x = example(runs.test, 5);
    expectClose(result.maps[0]!.values, Float64Array.from({ length: FEATURES }, (_, i) => x[i]! * w.W[i * LATENT + 2]!), 1e-5, 1e-4);
    assert.equal(result.cached, false);
    assert.ok(progress.length > 0, 'progress was reported');
    const again = await engine.rpc.call(AttributeRequest, params);
    assert.equal(again.cached, true);
    assert.deepEqual(again.maps, result.maps);
    await assert.rejects(engine.rpc.call(AttributeRequest, { ...params, testIndex: 60 }), (e: unknown) => e instanceof RpcError && e.code === 'invalidParams' && /^testIndex is 60/.test(e.message));
  } finally {
    await engine.dispose();
  }
});
