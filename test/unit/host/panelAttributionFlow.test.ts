/**
 * The attribution requests end to end on the host: a fake page, the real
 * PageChannel and PanelSession, and a fake engine that records what it is sent.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { RpcEndpoint, RpcError, type CallOptions, type RequestDescriptor, type RpcMessage } from '../../../src/protocol/rpc';
import {
  AttributeRequest,
  ConsistencyRequest,
  GetExamplesRequest,
  LatentUnitsRequest,
  OpenRunRequest,
  SanityCheckRequest,
  type AttributeParams,
  type AttributeResult,
  type BackendInfo,
  type ConsistencyParams,
  type LatentUnitsParams,
  type RunSummary,
} from '../../../src/protocol/engineProtocol';
import { parseManifest } from '../../../src/protocol/manifest';
import {
  defaultPanelSettings,
  PanelAttributeRequest,
  PanelConsistencyRequest,
  PanelReadyRequest,
  PanelSanityRequest,
  PanelUnitsRequest,
  type PanelAttributionSettings,
  PAGE_ENVELOPE_TAG,
} from '../../../src/protocol/webviewProtocol';
import { PageChannel, type WebviewLike } from '../../../src/host/panel/pageChannel';
import { PanelSession } from '../../../src/host/panel/panelSession';
import type { EngineHandle } from '../../../src/host/engineHandle';

const manifestPath = path.resolve('/ws/cls/modeldebug.json');
const manifest = parseManifest(
  JSON.stringify({
    version: 1,
    name: 'classifier',
    checkpoints: [{ path: 'checkpoints/epoch-1', epoch: 1, learningRate: 0.01 }],
    train: { path: 'data/train.npy' },
    test: { path: 'data/test.npy' },
    classNames: ['a', 'b', 'c'],
    loss: { kind: 'crossEntropy' },
    representationLayer: 'enc_latent',
  }),
  manifestPath,
);
const info: BackendInfo = { name: 'cpu', skipped: [], tfjsVersion: '4.22.0' };
const modelJson = JSON.stringify({ modelTopology: { class_name: 'Sequential', config: { layers: [{ class_name: 'Dense', config: { name: 'enc_latent', units: 3 } }] } } });

class FakeEngine {
  calls: { method: string; params: unknown; signal?: AbortSignal }[] = [];
  gate: Promise<void> = Promise.resolve();

  handle(): EngineHandle {
    const call = <P, R>(descriptor: RequestDescriptor<P, R>, params: P, options: CallOptions = {}): Promise<R> => this.call(descriptor.method, params, options) as Promise<R>;
    return { rpc: { call }, info, generation: 1 };
  }

  of(method: string): { params: unknown; signal?: AbortSignal }[] {
    return this.calls.filter((c) => c.method === method);
  }

  private async call(method: string, params: unknown, options: CallOptions): Promise<unknown> {
    this.calls.push({ method, params, signal: options.signal });
    switch (method) {
      case OpenRunRequest.method: {
        const summary: RunSummary = {
          manifestPath,
          name: 'classifier',
          checkpoints: [{ path: 'checkpoints/epoch-1', epoch: 1, learningRate: 0.01 }],
          train: { file: 'train.npy', count: 20, exampleShape: [2, 2, 1], hasLabels: false },
          test: { file: 'test.npy', count: 10, exampleShape: [2, 2, 1], hasLabels: false },
          classNames: ['a', 'b', 'c'],
          lossKind: 'crossEntropy',
          representationLayer: 'enc_latent',
        };
        return summary;
      }
      case GetExamplesRequest.method:
        return { shape: [2, 2, 1], examples: (params as { indices: number[] }).indices.map((index) => ({ index, values: new Float32Array([0, 0.25, 0.5, 1]), label: 1 })) };
      case AttributeRequest.method: {
        const p = params as AttributeParams;
        options.onProgress?.({ message: 'half way', fraction: 0.5 });
        await new Promise<void>((resolve, reject) => {
          options.signal?.addEventListener('abort', () => reject(new RpcError('cancelled', 'attribution was cancelled.')));
          void this.gate.then(resolve);
        });
        const result: AttributeResult = {
          method: p.method.method,
          settings: p.method,
          target: p.target.kind === 'class' ? { kind: 'class', classIndex: p.target.classIndex ?? 1 } : { kind: 'labelFree' },
          labelFree: p.target.kind !== 'class',
          shape: [2, 2, 1],
          maps: [{ values: new Float32Array([p.testIndex, 1, -1, 0]) }],
          cached: false,
          seconds: 0.1,
        };
        return result;
      }
      case LatentUnitsRequest.method: {
        const p = params as LatentUnitsParams;
        return {
          method: p.method.method,
          settings: p.method,
          shape: [2, 2, 1],
          units: 3,
          examples: p.testIndices.map((index) => ({ index, entropy: 0.5, salientCount: 4, maps: [0, 1, 2].map((unit) => ({ unit, values: new Float32Array(4).fill(unit) })) })),
          averageEntropy: 0.5,
          maxEntropy: Math.log(3),
          correlation: [1, 0.5, 0, 0.5, 1, 0, 0, 0, 1],
          meanCorrelation: 1 / 6,
          cachedCount: 0,
          seconds: 1,
        };
      }
      case ConsistencyRequest.method: {
        const p = params as ConsistencyParams;
        return { method: p.method.method, settings: p.method, target: p.target, measure: 'drop', fractions: [0.1, 0.5], maskedCounts: [1, 2], top: { mean: [0.5, 0.6], std: [0, 0] }, random: { mean: [0.1, 0.2], std: [0, 0] }, perExample: p.testIndices.map((index) => ({ index, top: [0.5, 0.6], randomMean: [0.1, 0.2] })), seconds: 1 };
      }
      case SanityCheckRequest.method:
        return { method: 'saliency', settings: { method: 'saliency' }, target: { kind: 'labelFree' }, steps: [{ layer: null, randomizedLayers: [], spearman: 1, spearmanAbsolute: 1 }], seconds: 1 };
      default:
        throw new RpcError('methodNotFound', method);
    }
  }
}

function harness(): { page: RpcEndpoint; engine: FakeEngine; errors: string[]; session: PanelSession } {
  const engine = new FakeEngine();
  const toHost = new Set<(m: unknown) => void>();
  const toPage = new Set<(m: unknown) => void>();
  const webview: WebviewLike = {
    postMessage: async (message) => {
      for (const listener of toPage) listener(structuredClone(message));
      return true;
    },
    onDidReceiveMessage: (listener) => {
      toHost.add(listener);
      return { dispose: () => toHost.delete(listener) };
    },
  };
  const errors: string[] = [];
  const session = new PanelSession({
    manifestPath,
    loadManifest: async () => manifest,
    engine: { acquire: async () => engine.handle() },
    ui: { withProgress: (_title, task) => task(() => undefined, new AbortController().signal), showError: (m) => errors.push(m), reveal: async () => undefined },
    readText: async (file) => {
      assert.equal(file, path.resolve('/ws/cls/checkpoints/epoch-1/model.json'));
      return modelJson;
    },
  });
  new PageChannel(webview, (endpoint) => session.attach(endpoint));
  const page = new RpcEndpoint({
    send: (message: RpcMessage) => {
      for (const listener of toHost) listener(structuredClone({ tag: PAGE_ENVELOPE_TAG, page: 'p1', message }));
    },
    listen: (listener) => {
      const filtered = (raw: unknown): void => listener((raw as { message: unknown }).message);
      toPage.add(filtered);
      return () => toPage.delete(filtered);
    },
  });
  return { page, engine, errors, session };
}

const settings = (patch: Partial<PanelAttributionSettings> = {}): PanelAttributionSettings => ({ ...defaultPanelSettings(true), ...patch });
const tick = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 1));

test('ready tells the page the run\'s defaults, its view and the representation width', async () => {
  const h = harness();
  const init = await h.page.call(PanelReadyRequest, {});
  assert.deepEqual(init.settings, defaultPanelSettings(true));
  assert.equal(init.view, 'image');
  assert.deepEqual(init.exampleShape, [2, 2, 1]);
  assert.equal(init.hasClassOutput, true);
  assert.equal(init.latentUnits, 3);
  assert.equal(init.checkExamples, 8);
  const restored = await h.page.call(PanelReadyRequest, { restored: { manifestPath, testIndex: 4, settings: settings({ method: 'lime', unit: 7 }), checkExamples: 16 } });
  assert.equal(restored.settings.method, 'lime');
  assert.equal(restored.settings.unit, 0, 'a unit the model does not have is reset');
  assert.equal(restored.checkExamples, 16);
});

test('an attribution request reaches the engine as the mapped AttributeRequest, with progress relayed to the page', async () => {
  const h = harness();
  await h.page.call(PanelReadyRequest, {});
  const progress: string[] = [];
  const result = await h.page.call(PanelAttributeRequest, { testIndex: 3, settings: settings({ method: 'integratedGradients', steps: 20, classIndex: 2, baseline: 'mean' }) }, { onProgress: (p) => progress.push(p.message) });
  assert.deepEqual(h.engine.of(AttributeRequest.method).map((c) => c.params), [
    { manifestPath, checkpoint: 'checkpoints/epoch-1', testIndex: 3, method: { method: 'integratedGradients', steps: 20, rule: 'gauss_legendre' }, target: { kind: 'class', classIndex: 2 }, baseline: { kind: 'mean' } },
  ]);
  assert.deepEqual(progress, ['half way']);
  assert.deepEqual(result.maps[0]!.values, [3, 1, -1, 0]);
  assert.deepEqual(result.input.values, [0, 0.25, 0.5, 1]);
  assert.equal(result.cached, false);
  assert.equal(result.baseline, 'mean');
});

test('switching back to earlier settings is answered from the host cache', async () => {
  const h = harness();
  await h.page.call(PanelReadyRequest, {});
  const a = settings({ method: 'saliency' });
  const b = settings({ method: 'gradientXInput' });
  await h.page.call(PanelAttributeRequest, { testIndex: 1, settings: a });
  await h.page.call(PanelAttributeRequest, { testIndex: 1, settings: b });
  // Settings that do not apply to saliency (steps) must not make a new entry.
  const again = await h.page.call(PanelAttributeRequest, { testIndex: 1, settings: { ...a, steps: 99 } });
  assert.equal(again.cached, true);
  assert.equal(h.engine.of(AttributeRequest.method).length, 2);
  await h.page.call(PanelAttributeRequest, { testIndex: 2, settings: a });
  assert.equal(h.engine.of(AttributeRequest.method).length, 3, 'another example is another entry');
});

test('a new attribution request cancels the one in flight; the page\'s cancel does too', async () => {
  const h = harness();
  await h.page.call(PanelReadyRequest, {});
  let release!: () => void;
  h.engine.gate = new Promise<void>((resolve) => (release = resolve));
  const first = h.page.call(PanelAttributeRequest, { testIndex: 1, settings: settings({ method: 'saliency' }) });
  while (h.engine.of(AttributeRequest.method).length < 1) await tick();
  const second = h.page.call(PanelAttributeRequest, { testIndex: 1, settings: settings({ method: 'lrp' }) });
  await assert.rejects(first, (e: unknown) => e instanceof RpcError && e.code === 'cancelled');
  assert.equal(h.engine.of(AttributeRequest.method)[0]!.signal?.aborted, true);
  while (h.engine.of(AttributeRequest.method).length < 2) await tick();
  const controller = new AbortController();
  const third = h.page.call(PanelAttributeRequest, { testIndex: 1, settings: settings({ method: 'lrp' }) }, { signal: controller.signal });
  controller.abort();
  await assert.rejects(third, (e: unknown) => e instanceof RpcError && e.code === 'cancelled');
  await assert.rejects(second, (e: unknown) => e instanceof RpcError && e.code === 'cancelled', 'the page cancelled the computation both were waiting for');
  while (!h.engine.of(AttributeRequest.method)[1]!.signal?.aborted) await tick();
  release();
  assert.deepEqual(h.errors, [], 'cancellations are not errors');
});

test('bad settings and indices are refused before the engine hears of them', async () => {
  const h = harness();
  await h.page.call(PanelReadyRequest, {});
  const bad = [
    { testIndex: 10, settings: settings() },
    { testIndex: 0, settings: { ...settings(), method: 'gradCam' } },
    { testIndex: 0, settings: settings({ target: 'latentUnit', unit: 3 }) },
    { testIndex: 0, settings: settings({ classIndex: 3 }) },
    { testIndex: 0, checkpoint: '../../etc', settings: settings() },
    { testIndex: 0 },
  ];
  for (const params of bad) {
    await assert.rejects(h.page.call(PanelAttributeRequest, params as never), (e: unknown) => e instanceof RpcError && e.code === 'invalidParams', JSON.stringify(params));
  }
  await assert.rejects(h.page.call(PanelUnitsRequest, { testIndex: 0, settings: settings(), exampleCount: 0 }), (e: unknown) => e instanceof RpcError && e.code === 'invalidParams');
  assert.equal(h.engine.calls.filter((c) => c.method !== OpenRunRequest.method).length, 0);
  assert.deepEqual(h.errors, [], 'refused params are shown in the panel, not as notifications');
});

test('per-unit maps, consistency and sanity checks are forwarded with the current settings and cached', async () => {
  const h = harness();
  await h.page.call(PanelReadyRequest, {});
  const s = settings({ method: 'saliency', target: 'allUnits' });
  const units = await h.page.call(PanelUnitsRequest, { testIndex: 8, settings: s, exampleCount: 4 });
  assert.deepEqual((h.engine.of(LatentUnitsRequest.method)[0]!.params as LatentUnitsParams).testIndices, [8, 9, 0, 1]);
  assert.equal(units.units, 3);
  assert.deepEqual(units.maps.map((m) => m.values[0]), [0, 1, 2]);
  assert.deepEqual(units.exampleIndices, [8, 9, 0, 1]);
  const consistency = await h.page.call(PanelConsistencyRequest, { testIndex: 8, settings: s, exampleCount: 2 });
  assert.deepEqual(h.engine.of(ConsistencyRequest.method)[0]!.params, { manifestPath, checkpoint: 'checkpoints/epoch-1', testIndices: [8, 9], method: { method: 'saliency' }, target: { kind: 'labelFree' }, seed: 0 });
  assert.equal(consistency.targetKind, 'labelFree', 'all units is checked as label-free');
  const sanity = await h.page.call(PanelSanityRequest, { testIndex: 8, settings: settings({ method: 'deepLift', target: 'class' }) });
  assert.deepEqual(h.engine.of(SanityCheckRequest.method)[0]!.params, { manifestPath, checkpoint: 'checkpoints/epoch-1', testIndex: 8, method: { method: 'deepLift' }, target: { kind: 'class' }, seed: 0, baseline: { kind: 'zeros' } });
  assert.equal(sanity.steps.length, 1);
  const again = await h.page.call(PanelConsistencyRequest, { testIndex: 8, settings: s, exampleCount: 2 });
  assert.equal(again.cached, true);
  assert.equal(h.engine.of(ConsistencyRequest.method).length, 1);
});
