import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defineRequest, type CallOptions, type RequestDescriptor } from '../../../src/protocol/rpc';
import type { EngineHandle } from '../../../src/host/engineHandle';
import { GatedEngine, requestTitle } from '../../../src/host/editor/gatedEngine';
import { RESTRICTED_MODE_MESSAGE, RestrictedModeError, trustedOnly } from '../../../src/host/editor/trustGate';
import { WorkTracker } from '../../../src/host/editor/workTracker';

const Slow = defineRequest<{ n: number }, number>('attribution/integratedGradients', 1000);
const Heartbeat = defineRequest<Record<string, never>, void>('engine/heartbeat', 1000);

function fakeEngine(): { acquired: number; source: { acquire(): Promise<EngineHandle> }; progress: Array<(p: { message: string; fraction?: number }) => void>; finish: Array<() => void> } {
  const state = {
    acquired: 0,
    progress: [] as Array<(p: { message: string; fraction?: number }) => void>,
    finish: [] as Array<() => void>,
    source: {
      acquire: async (): Promise<EngineHandle> => {
        state.acquired++;
        return {
          generation: 1,
          info: { name: 'cpu', tfjsVersion: '4.22.0', skipped: [] },
          rpc: {
            call<P, R>(_d: RequestDescriptor<P, R>, params: P, options: CallOptions = {}): Promise<R> {
              if (options.onProgress) state.progress.push(options.onProgress);
              return new Promise<R>((resolve) => state.finish.push(() => resolve((params as { n?: number }).n as R)));
            },
          },
        };
      },
    },
  };
  return state;
}

test('a command called in Restricted Mode refuses with the message and never runs its handler', () => {
  let trusted = false;
  const refused: string[] = [];
  let ran = 0;
  const command = trustedOnly(() => trusted, (m) => refused.push(m), (x: number) => {
    ran++;
    return x * 2;
  });
  assert.equal(command(2), undefined);
  assert.deepEqual(refused, [RESTRICTED_MODE_MESSAGE]);
  assert.equal(ran, 0);
  trusted = true;
  assert.equal(command(2), 4, 'runs once the workspace is trusted');
  assert.equal(refused.length, 1);
});

test('the gated engine refuses in Restricted Mode without asking the manager (no process is spawned)', async () => {
  const engine = fakeEngine();
  const gated = new GatedEngine(engine.source, () => false, new WorkTracker());
  await assert.rejects(gated.acquire(), (error: unknown) => error instanceof RestrictedModeError && /Restricted Mode/.test((error as Error).message));
  assert.equal(engine.acquired, 0);
});

test('every request through the gated engine is tracked as work with its progress; heartbeats are not', async () => {
  const engine = fakeEngine();
  const tracker = new WorkTracker();
  const gated = new GatedEngine(engine.source, () => true, tracker);
  const handle = await gated.acquire();
  const seenByCaller: number[] = [];
  const result = handle.rpc.call(Slow, { n: 7 }, { onProgress: (p) => seenByCaller.push(p.fraction ?? -1) });
  assert.deepEqual(tracker.current, { title: 'integrated gradients', count: 1 });
  engine.progress[0]!({ message: 'Integrated gradients', fraction: 0.25 });
  assert.deepEqual(tracker.current, { title: 'Integrated gradients', percent: 25, count: 1 });
  assert.deepEqual(seenByCaller, [0.25], 'the caller still gets its progress');
  engine.finish[0]!();
  assert.equal(await result, 7);
  assert.equal(tracker.current, undefined);
  void handle.rpc.call(Heartbeat, {});
  assert.equal(tracker.current, undefined);
});

test('request titles read as words', () => {
  assert.equal(requestTitle('examples/buildGradientIndex'), 'build gradient index');
  assert.equal(requestTitle('explain'), 'explain');
});
