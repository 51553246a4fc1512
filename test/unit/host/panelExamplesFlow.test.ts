/**
 * The training-examples requests end to end on the host: a fake page, the real
 * PageChannel and PanelSession, and a fake engine that records what it is sent.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { RpcEndpoint, RpcError, type CallOptions, type Progress, type RequestDescriptor, type RpcMessage } from '../../../src/protocol/rpc';
import {
  BuildGradientIndexRequest,
  CompareExampleImportanceRequest,
  ExampleConsistencyRequest,
  ExampleImportanceRequest,
  GetExamplesRequest,
  OpenRunRequest,
  SuspiciousRequest,
  type BackendInfo,
  type BoxStats,
  type CompareExampleImportanceParams,
  type ExampleConsistencyParams,
  type ExampleImportanceParams,
  type ExampleImportanceResult,
  type RunSummary,
  type SuspiciousParams,
} from '../../../src/protocol/engineProtocol';
import { parseManifest } from '../../../src/protocol/manifest';
import {
  defaultExampleSettings,
  PAGE_ENVELOPE_TAG,
  PanelBuildIndexRequest,
  PanelCompareExamplesRequest,
  PanelExampleConsistencyRequest,
  PanelExampleImportanceRequest,
  PanelReadyRequest,
  PanelSuspiciousRequest,
} from '../../../src/protocol/webviewProtocol';
import { PageChannel, type WebviewLike } from '../../../src/host/panel/pageChannel';
import { PanelSession, type SessionUi } from '../../../src/host/panel/panelSession';
import type { EngineHandle } from '../../../src/host/engineHandle';

const manifestPath = path.resolve('/ws/cls/modeldebug.json');
const checkpoints = ['checkpoints/epoch-1', 'checkpoints/epoch-2'];
const manifest = parseManifest(
  JSON.stringify({
    version: 1,
    name: 'classifier',
    checkpoints: checkpoints.map((p, i) => ({ path: p, epoch: i + 1, learningRate: 0.01 })),
    train: { path: 'data/train.npy', labels: { path: 'data/train-labels.csv' } },
    test: { path: 'data/test.npy', labels: { path: 'data/test-labels.csv' } },
    classNames: ['a', 'b', 'c'],
    loss: { kind: 'crossEntropy' },
    representationLayer: 'enc_latent',
  }),
  manifestPath,
);
const info: BackendInfo = { name: 'cpu', skipped: [], tfjsVersion: '4.22.0' };
const box = (v: number): BoxStats => ({ min: v - 0.2, q1: v - 0.1, median: v, q3: v + 0.1, max: v + 0.2, mean: v });

class FakeEngine {
  calls: { method: string; params: unknown; signal?: AbortSignal }[] = [];
  gate: Promise<void> = Promise.resolve();
  testLabels = true;

  handle(): EngineHandle {
    const call = <P, R>(descriptor: RequestDescriptor<P, R>, params: P, options: CallOptions = {}): Promise<R> => this.call(descriptor.method, params, options) as Promise<R>;
    return { rpc: { call }, info, generation: 1 };
  }

  of(method: string): { params: unknown; signal?: AbortSignal }[] {
    return this.calls.filter((c) => c.method === method);
  }

  private async wait(options: CallOptions): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      options.signal?.addEventListener('abort', () => reject(new RpcError('cancelled', 'cancelled.')));
      void this.gate.then(resolve);
    });
  }

  private async call(method: string, params: unknown, options: CallOptions): Promise<unknown> {
    this.calls.push({ method, params, signal: options.signal });
    switch (method) {
      case OpenRunRequest.method: {
        const summary: RunSummary = {
          manifestPath,
          name: 'classifier',
          checkpoints: checkpoints.map((p, i) => ({ path: p, epoch: i + 1, learningRate: 0.01 })),
          train: { file: 'train.npy', count: 20, exampleShape: [2, 2, 1], hasLabels: true },
          test: { file: 'test.npy', count: 10, exampleShape: [2, 2, 1], hasLabels: this.testLabels },
          classNames: ['a', 'b', 'c'],
          lossKind: 'crossEntropy',
          representationLayer: 'enc_latent',
        };
        return summary;
      }
      case GetExamplesRequest.method:
        return { shape: [2, 2, 1], examples: (params as { indices: number[] }).indices.map((index) => ({ index, values: new Float32Array([0, 0.25, 0.5, 1]), label: index % 3 })) };
      case ExampleImportanceRequest.method: {
        const p = params as ExampleImportanceParams;
        options.onProgress?.({ message: 'building the gradient index', fraction: 0.25, etaSeconds: 90 });
        await this.wait(options);
        const representation = p.method.method === 'deepKnn' || p.method.method === 'simplex';
        const result: ExampleImportanceResult = {
          method: p.method.method,
          settings: p.method,
          family: representation ? 'representation' : 'gradient',
          higherIsHelpful: p.method.method !== 'influence',
          labelFree: false,
          checkpoint: p.checkpoint!,
          trainCount: 20,
          trainFile: path.resolve('/ws/cls/data/train-labels.csv'),
          timings: {},
          seconds: 1,
          examples: [
            {
              index: p.testIndices[0]!,
              proponents: [0, 1, 2].map((i) => ({ index: i, row: i, line: i + 2, score: 1 - i / 10 })),
              opponents: representation ? [] : [17, 18, 19].map((i) => ({ index: i, row: i, score: -i })),
              ...(representation ? { leastSimilar: [15, 16].map((i) => ({ index: i, row: i, score: 0.01, distance: 9 })) } : {}),
              ...(p.method.method === 'simplex' ? { simplex: { reconstructionError: 0.2, relativeError: 0.02, corpusSize: 50 } } : {}),
            },
          ],
        };
        return result;
      }
      case BuildGradientIndexRequest.method:
        options.onProgress?.({ message: 'checkpoint 1 of 2', fraction: 0.5, etaSeconds: 125 });
        await this.wait(options);
        return {
          sketchDim: 256,
          trainCount: 20,
          cacheDir: '/ws/.modeldebug/cache',
          seconds: 3,
          checkpoints: [
            { path: checkpoints[0], key: 'k1', seconds: 0, computedChunks: 0, totalChunks: 2 },
            { path: checkpoints[1], key: 'k2', seconds: 3, computedChunks: 2, totalChunks: 2 },
          ],
        };
      case SuspiciousRequest.method: {
        const p = params as SuspiciousParams;
        return {
          checkpoint: p.checkpoint,
          signals: ['selfInfluence', 'neighbourDisagreement'],
          trainCount: 20,
          trainFile: path.resolve('/ws/cls/data/train-labels.csv'),
          timings: {},
          seconds: 2,
          examples: [
            {
              index: 4,
              row: 4,
              line: 6,
              label: 1,
              labelName: 'b',
              score: 97.5,
              reasons: [{ signal: 'neighbourDisagreement', value: 0.9, percentile: 99, text: "9 of 10 nearest neighbours are labelled 'c'" }],
              suggestedLabel: 2,
              suggestedLabelName: 'c',
              suggestionSource: 'neighbours',
            },
          ],
        };
      }
      case ExampleConsistencyRequest.method: {
        const p = params as ExampleConsistencyParams;
        const ms = p.ms ?? [1, 5, 10, 20, 50];
        return {
          ms,
          seconds: 4,
          methods: p.methods.map((m) => ({ method: m.method, settings: m, top: ms.map(() => box(0.8)), bottom: ms.map(() => box(0.2)), perExample: [] })),
        };
      }
      case CompareExampleImportanceRequest.method: {
        const p = params as CompareExampleImportanceParams;
        return {
          method: p.method.method,
          a: { manifestPath, checkpoint: p.checkpoint, representationLayer: 'enc_latent' },
          b: { manifestPath: p.other.manifestPath ?? manifestPath, checkpoint: p.other.checkpoint ?? 'last', representationLayer: 'enc_latent' },
          scoredCheckpoints: p.method.method === 'tracin' && !p.other.manifestPath ? 'chosen' : 'eachRun',
          mean: 0.7,
          std: Number.NaN,
          perExample: p.testIndices.map((index) => ({ index, pearson: index === 0 ? Number.NaN : 0.7 })),
          seconds: 1,
        };
      }
      default:
        throw new RpcError('methodNotFound', method);
    }
  }
}

interface Harness {
  page: RpcEndpoint;
  engine: FakeEngine;
  ui: { errors: string[]; titles: string[]; reported: Progress[]; cancel(): void; picked: string | undefined };
}

async function harness(options: { pickManifest?: boolean; testLabels?: boolean } = {}): Promise<Harness> {
  const engine = new FakeEngine();
  engine.testLabels = options.testLabels ?? true;
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
  let cancelCurrent = (): void => undefined;
  const ui: Harness['ui'] = { errors: [], titles: [], reported: [], cancel: () => cancelCurrent(), picked: path.resolve('/ws/other/modeldebug.json') };
  const sessionUi: SessionUi = {
    withProgress: (title, task) => {
      ui.titles.push(title);
      const controller = new AbortController();
      cancelCurrent = () => controller.abort();
      return task((p) => ui.reported.push(p), controller.signal);
    },
    showError: (message) => ui.errors.push(message),
    reveal: async () => undefined,
    displayPath: (file) => path.relative('/ws', file),
    ...(options.pickManifest === false ? {} : { pickManifest: async () => ui.picked }),
  };
  const session = new PanelSession({ manifestPath, loadManifest: async () => manifest, engine: { acquire: async () => engine.handle() }, ui: sessionUi });
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
  await page.call(PanelReadyRequest, {});
  return { page, engine, ui };
}

const settings = defaultExampleSettings();
const invalid = (e: unknown): boolean => e instanceof RpcError && e.code === 'invalidParams';

test('ready offers the training-examples defaults, and restores saved ones that are still valid', async () => {
  const h = await harness();
  const fresh = await h.page.call(PanelReadyRequest, {});
  assert.deepEqual(fresh.examples.settings, settings);
  assert.equal(fresh.trainCount, 20);
  assert.equal(fresh.testHasLabels, true);
  assert.equal(fresh.canPickManifest, true);
  const saved = {
    settings: { ...settings, method: 'influence', inverse: 'arnoldi', topK: 9, depth: -4 },
    consistencyMethods: ['deepKnn', 'bogus'],
    consistencyExamples: 64,
    suspiciousLimit: 20,
    compareCheckpoint: 'checkpoints/epoch-1',
  };
  const restored = await h.page.call(PanelReadyRequest, { restored: { manifestPath, testIndex: 2, examples: saved as never } });
  assert.equal(restored.examples.settings.method, 'influence');
  assert.equal(restored.examples.settings.inverse, 'arnoldi');
  assert.equal(restored.examples.settings.topK, 9);
  assert.equal(restored.examples.settings.depth, 100, 'a bad saved value falls back to the default');
  assert.deepEqual(restored.examples.consistencyMethods, ['tracin', 'deepKnn', 'simplex'], 'a list with an unknown method is dropped whole');
  assert.equal(restored.examples.consistencyExamples, 64);
  assert.equal(restored.examples.compareCheckpoint, 'checkpoints/epoch-1');
});

test('each method and its settings reach the engine as an ExampleMethodSpec, with progress relayed to the page and a notification', async () => {
  const h = await harness();
  const pageProgress: Progress[] = [];
  const lissa = { ...settings, method: 'influence' as const, depth: 50, scale: 25, damping: 0.05, samples: 2, topK: 2 };
  const result = await h.page.call(PanelExampleImportanceRequest, { testIndex: 1, settings: lissa }, { onProgress: (p) => pageProgress.push(p) });
  assert.deepEqual((h.engine.of(ExampleImportanceRequest.method)[0]!.params as ExampleImportanceParams).method, { method: 'influence', inverse: 'lissa', depth: 50, scale: 25, damping: 0.05, samples: 2 });
  assert.equal(result.higherIsHelpful, false);
  assert.equal(result.proponents.length, 2);
  assert.equal(result.opponents.length, 2);
  assert.equal(pageProgress[0]?.etaSeconds, 90);
  assert.equal(h.ui.reported[0]?.etaSeconds, 90);
  assert.equal(h.ui.titles.length, 1);

  await h.page.call(PanelExampleImportanceRequest, { testIndex: 1, settings: { ...settings, method: 'influence', inverse: 'arnoldi' } });
  assert.deepEqual((h.engine.of(ExampleImportanceRequest.method)[1]!.params as ExampleImportanceParams).method, { method: 'influence', inverse: 'arnoldi' });
  await h.page.call(PanelExampleImportanceRequest, { testIndex: 1, settings: { ...settings, tracinMode: 'lastLayers' } });
  assert.deepEqual((h.engine.of(ExampleImportanceRequest.method)[2]!.params as ExampleImportanceParams).method, { method: 'tracin', mode: 'lastLayers' });

  const simplex = await h.page.call(PanelExampleImportanceRequest, { testIndex: 1, settings: { ...settings, method: 'simplex', epochs: 500, learningRate: 0.01, nearest: 20 } });
  assert.deepEqual((h.engine.of(ExampleImportanceRequest.method)[3]!.params as ExampleImportanceParams).method, { method: 'simplex', epochs: 500, learningRate: 0.01, nearest: 20 });
  assert.equal(simplex.family, 'representation');
  assert.deepEqual(simplex.opponents, []);
  assert.deepEqual(simplex.leastSimilar.map((e) => e.index), [15, 16]);
  assert.equal(simplex.simplex?.reconstructionError, 0.2);
  assert.equal(simplex.trainFile, path.join('cls', 'data', 'train-labels.csv'));
  assert.deepEqual(h.ui.errors, []);
});

test('a repeated request is answered from the cache without the engine', async () => {
  const h = await harness();
  await h.page.call(PanelExampleImportanceRequest, { testIndex: 3, settings });
  const again = await h.page.call(PanelExampleImportanceRequest, { testIndex: 3, settings });
  assert.equal(again.cached, true);
  assert.equal(h.engine.of(ExampleImportanceRequest.method).length, 1);
});

test('malformed training-examples messages are refused and nothing reaches the engine', async () => {
  const h = await harness();
  const bad: [RequestDescriptor<never, unknown>, unknown][] = [
    [PanelExampleImportanceRequest as never, { testIndex: 1, settings: { ...settings, method: 'magic' } }],
    [PanelExampleImportanceRequest as never, { testIndex: 1, settings: { ...settings, topK: 0 } }],
    [PanelExampleImportanceRequest as never, { testIndex: 1, settings: { ...settings, damping: 1.5 } }],
    [PanelExampleImportanceRequest as never, { testIndex: 1, settings: { ...settings, depth: 2.5 } }],
    [PanelExampleImportanceRequest as never, { testIndex: 1, settings: { ...settings, extra: 1 } }],
    [PanelExampleImportanceRequest as never, { testIndex: 1 }],
    [PanelBuildIndexRequest as never, { manifestPath: '/etc' }],
    [PanelSuspiciousRequest as never, { limit: 0 }],
    [PanelSuspiciousRequest as never, { limit: 10, checkpoint: '../x' }],
    [PanelExampleConsistencyRequest as never, { testIndex: 0, settings, exampleCount: 8, methods: [] }],
    [PanelExampleConsistencyRequest as never, { testIndex: 0, settings, exampleCount: 8, methods: ['tracin', 'tracin'] }],
    [PanelExampleConsistencyRequest as never, { testIndex: 0, settings, exampleCount: 1, methods: ['tracin'] }],
    [PanelCompareExamplesRequest as never, { testIndex: 0, settings, exampleCount: 8, other: { kind: 'checkpoint', checkpoint: '/tmp/evil' } }],
    [PanelCompareExamplesRequest as never, { testIndex: 0, settings, exampleCount: 8, other: { kind: 'manifest', manifestPath: '/tmp/evil.json' } }],
    [PanelCompareExamplesRequest as never, { testIndex: 0, settings, exampleCount: 8, other: { kind: 'pickManifest', manifestPath: '/tmp/evil.json' } }],
    [{ method: 'panel/nope', timeoutMs: 1000 } as never, {}],
  ];
  for (const [descriptor, params] of bad) {
    await assert.rejects(h.page.call(descriptor, params as never), (e: unknown) => e instanceof RpcError && (e.code === 'invalidParams' || e.code === 'methodNotFound'), JSON.stringify(params));
  }
  assert.deepEqual(
    h.engine.calls.filter((c) => c.method !== OpenRunRequest.method).map((c) => c.method),
    [],
  );
  assert.deepEqual(h.ui.errors, [], 'invalid params are not shown as error notifications');
});

test('Build gradient index: progress with ETA to the page and a notification; the page can cancel it', async () => {
  const h = await harness();
  const pageProgress: Progress[] = [];
  const built = await h.page.call(PanelBuildIndexRequest, {}, { onProgress: (p) => pageProgress.push(p) });
  assert.deepEqual(built, { sketchDim: 256, trainCount: 20, checkpoints: 2, built: 1, reused: 1, seconds: 3 });
  assert.deepEqual(h.engine.of(BuildGradientIndexRequest.method)[0]!.params, { manifestPath });
  assert.equal(pageProgress[0]?.etaSeconds, 125);
  assert.deepEqual(h.ui.titles, ['Building the gradient index']);
  assert.equal(h.ui.reported[0]?.etaSeconds, 125);

  let release!: () => void;
  h.engine.gate = new Promise<void>((resolve) => (release = resolve));
  const controller = new AbortController();
  const pending = h.page.call(PanelBuildIndexRequest, {}, { signal: controller.signal });
  while (h.engine.of(BuildGradientIndexRequest.method).length < 2) await new Promise((resolve) => setTimeout(resolve, 1));
  controller.abort();
  await assert.rejects(pending, (e: unknown) => e instanceof RpcError && e.code === 'cancelled');
  while (!h.engine.of(BuildGradientIndexRequest.method)[1]!.signal?.aborted) await new Promise((resolve) => setTimeout(resolve, 1));
  release();
});

test('Cancel on the notification stops the index build without an error message', async () => {
  const h = await harness();
  let release!: () => void;
  h.engine.gate = new Promise<void>((resolve) => (release = resolve));
  const pending = h.page.call(PanelBuildIndexRequest, {});
  while (h.engine.of(BuildGradientIndexRequest.method).length < 1) await new Promise((resolve) => setTimeout(resolve, 1));
  h.ui.cancel();
  await assert.rejects(pending, (e: unknown) => e instanceof RpcError && e.code === 'cancelled');
  assert.deepEqual(h.ui.errors, []);
  release();
});

test('suspicious training examples: the limit and checkpoint reach the engine; reasons and suggestions come back', async () => {
  const h = await harness();
  const result = await h.page.call(PanelSuspiciousRequest, { limit: 10, checkpoint: 'checkpoints/epoch-1' });
  assert.deepEqual(h.engine.of(SuspiciousRequest.method)[0]!.params, { manifestPath, checkpoint: 'checkpoints/epoch-1', limit: 10 });
  assert.equal(result.examples[0]!.reasons[0]!.text, "9 of 10 nearest neighbours are labelled 'c'");
  assert.equal(result.examples[0]!.suggestedLabelName, 'c');
  assert.equal(result.trainFile, path.join('cls', 'data', 'train-labels.csv'));
});

test('example consistency: one spec per chosen method over N test examples from the shown one', async () => {
  const h = await harness();
  const result = await h.page.call(PanelExampleConsistencyRequest, { testIndex: 8, settings: { ...settings, nearest: 30 }, exampleCount: 4, methods: ['deepKnn', 'simplex'] });
  const params = h.engine.of(ExampleConsistencyRequest.method)[0]!.params as ExampleConsistencyParams;
  assert.deepEqual(params.testIndices, [8, 9, 0, 1]);
  assert.deepEqual(params.methods, [{ method: 'deepKnn' }, { method: 'simplex', epochs: 10_000, learningRate: 0.001, nearest: 30 }]);
  assert.deepEqual(result.ms, [1, 5, 10, 20, 50]);
  assert.equal(result.methods[1]!.top[0]!.median, 0.8);
  assert.deepEqual(result.exampleIndices, [8, 9, 0, 1]);
});

test('example consistency needs test labels: the page is told, and the request is refused', async () => {
  const h = await harness({ testLabels: false });
  const init = await h.page.call(PanelReadyRequest, {});
  assert.equal(init.testHasLabels, false);
  await assert.rejects(h.page.call(PanelExampleConsistencyRequest, { testIndex: 0, settings, exampleCount: 4, methods: ['tracin'] }), invalid);
  assert.equal(h.engine.of(ExampleConsistencyRequest.method).length, 0);
});

test('compare encoders: another checkpoint of this run, or a manifest the user picks (null when dismissed)', async () => {
  const h = await harness();
  const byCheckpoint = await h.page.call(PanelCompareExamplesRequest, { testIndex: 0, settings, exampleCount: 3, other: { kind: 'checkpoint', checkpoint: 'checkpoints/epoch-1' } });
  const first = h.engine.of(CompareExampleImportanceRequest.method)[0]!.params as CompareExampleImportanceParams;
  assert.deepEqual(first.other, { checkpoint: 'checkpoints/epoch-1' });
  assert.deepEqual(first.testIndices, [0, 1, 2]);
  assert.equal(byCheckpoint?.mean, 0.7);
  assert.equal(byCheckpoint?.std, null, 'NaN travels as null');
  assert.equal(byCheckpoint?.perExample[0]!.pearson, null);
  const byManifest = await h.page.call(PanelCompareExamplesRequest, { testIndex: 0, settings, exampleCount: 3, other: { kind: 'pickManifest' } });
  assert.deepEqual((h.engine.of(CompareExampleImportanceRequest.method)[1]!.params as CompareExampleImportanceParams).other, { manifestPath: path.resolve('/ws/other/modeldebug.json') });
  assert.equal(byManifest?.b, `${path.join('other', 'modeldebug.json')} · last`);
  // The engine's word on which checkpoints were scored reaches the page as is.
  assert.deepEqual([byCheckpoint?.scoredCheckpoints, byManifest?.scoredCheckpoints], ['chosen', 'eachRun']);
  h.ui.picked = undefined;
  const dismissed = await h.page.call(PanelCompareExamplesRequest, { testIndex: 1, settings, exampleCount: 3, other: { kind: 'pickManifest' } });
  assert.equal(dismissed, null);
  assert.equal(h.engine.of(CompareExampleImportanceRequest.method).length, 2);
});

test('without a manifest picker the panel says so and the page cannot ask for one', async () => {
  const h = await harness({ pickManifest: false });
  const init = await h.page.call(PanelReadyRequest, {});
  assert.equal(init.canPickManifest, false);
  await assert.rejects(h.page.call(PanelCompareExamplesRequest, { testIndex: 0, settings, exampleCount: 3, other: { kind: 'pickManifest' } }), invalid);
});
