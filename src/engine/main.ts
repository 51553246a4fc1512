/**
 * The compute engine: a child process forked by the extension host or the
 * CLI. All TensorFlow.js work happens here, never in the extension host, so a
 * slow or crashing job cannot freeze or take down the editor.
 */
import {
  AttributeRequest,
  BuildGradientIndexRequest,
  CompareExampleImportanceRequest,
  CompareRepresentationsRequest,
  ExampleConsistencyRequest,
  ExampleImportanceRequest,
  SelfInfluenceRequest,
  SuspiciousRequest,
  ConsistencyRequest,
  ExplainRequest,
  LatentUnitsRequest,
  NeonRequest,
  SanityCheckRequest,
  SemanticShapleyRequest,
  InvarianceRequest,
  GetExamplesRequest,
  HeartbeatRequest,
  InitializeRequest,
  LogNotification,
  OpenRunRequest,
  ShutdownRequest,
  type BackendInfo,
  type RunSummary,
} from '../protocol/engineProtocol';
import { getHeapStatistics } from 'node:v8';
import { RpcEndpoint } from '../protocol/rpc';
import { selectBackend } from './backend/selectBackend';
import { parentTransport, watchParent } from './ipc';
import { createAttributionCache } from './cache/attributionCache';
import { attribute } from './jobs/attributeJob';
import type { AttributionJobContext } from './jobs/attributionJobContext';
import { compareRepresentations } from './jobs/compareRepresentationsJob';
import { consistency } from './jobs/consistencyJob';
import { explainExamples } from './jobs/explainExamples';
import { latentUnits } from './jobs/latentUnitsJob';
import { sanityCheck } from './jobs/sanityCheckJob';
import { getExamples } from './jobs/getExamples';
import { RunStore, type LoadedRun } from './run/runStore';
import { buildGradientIndex } from './jobs/examples/buildIndexJob';
import { compareExampleImportance } from './jobs/examples/compareExamplesJob';
import { exampleConsistency } from './jobs/examples/exampleConsistencyJob';
import { exampleImportance } from './jobs/examples/exampleImportanceJob';
import type { ExampleJobContext } from './jobs/examples/exampleJobContext';
import { GradientIndexStore } from './jobs/examples/gradientIndex';
import { RepresentationCache } from './jobs/examples/representationCache';
import { selfInfluence } from './jobs/examples/selfInfluenceJob';
import { suspicious } from './jobs/examples/suspiciousJob';
import { semanticShapleyJob } from './jobs/semantic/semanticShapleyJob';
import { invarianceJob } from './jobs/invariance/invarianceJob';
import { neon } from './jobs/unsupervised/neonJob';
import { NeonModelCache } from './jobs/unsupervised/neonModels';

const rpc = new RpcEndpoint(parentTransport());
const store = new RunStore();
const attributionCache = createAttributionCache();
const gradientIndex = new GradientIndexStore();
const representationCache = new RepresentationCache();
const neonModels = new NeonModelCache();
let backend: Promise<BackendInfo> | undefined;

function log(level: 'info' | 'warn' | 'error', message: string): void {
  rpc.notify(LogNotification, { level, message });
}

function shutdown(code: number): never {
  store.dispose();
  gradientIndex.dispose();
  rpc.close('The engine is shutting down.');
  process.exit(code);
}

/** The heap limit this process really runs with (the host asks for one with --max-old-space-size), in MB. */
function heapLimitMb(): number {
  return Math.round(getHeapStatistics().heap_size_limit / 2 ** 20);
}

function ensureBackend(preferred?: BackendInfo['name']): Promise<BackendInfo> {
  return (backend ??= selectBackend({ preferred, log: (line: string) => log('info', line) }).then((selected: BackendInfo) => {
    const info: BackendInfo = { ...selected, heapLimitMb: heapLimitMb() };
    log('info', `TensorFlow.js ${info.tfjsVersion} on the ${info.name} backend, heap limit ${info.heapLimitMb} MB${info.skipped.length ? ` (skipped: ${info.skipped.join('; ')})` : ''}`);
    return info;
  }));
}

function summarize(run: LoadedRun): RunSummary {
  const m = run.manifest;
  const summary: RunSummary = {
    manifestPath: run.manifestPath,
    name: m.name ?? run.manifestPath,
    checkpoints: m.checkpoints.map((c) => ({ path: c.path, epoch: c.epoch, learningRate: c.learningRate })),
    train: { file: run.train.file, count: run.train.count, exampleShape: run.train.exampleShape, hasLabels: !!run.train.labels },
    test: { file: run.test.file, count: run.test.count, exampleShape: run.test.exampleShape, hasLabels: !!run.test.labels },
    lossKind: m.loss.kind,
    representationLayer: m.representationLayer,
  };
  if (m.script) summary.script = m.script;
  if (m.classNames) summary.classNames = m.classNames;
  return summary;
}

function requireString(value: unknown, name: string): string {
  if (typeof value !== 'string' || value.length === 0) throw new TypeError(`${name} must be a non-empty string`);
  return value;
}

rpc.onRequest(InitializeRequest, (params) => ensureBackend(params?.preferredBackend));

rpc.onRequest(OpenRunRequest, async (params, { signal }) => {
  await ensureBackend();
  return summarize(await store.open(requireString(params?.manifestPath, 'manifestPath'), undefined, signal));
});

rpc.onRequest(GetExamplesRequest, async (params, { signal }) => {
  const run = await store.open(requireString(params?.manifestPath, 'manifestPath'), undefined, signal);
  return getExamples(run, params.split, params.indices);
});

rpc.onRequest(ExplainRequest, async (params, { signal, progress }) => {
  requireString(params?.manifestPath, 'manifestPath');
  const info = await ensureBackend();
  return explainExamples(params, { store, backend: info.name, signal, progress });
});

async function attributionContext(context: Omit<AttributionJobContext, 'store' | 'cache'>): Promise<AttributionJobContext> {
  await ensureBackend();
  return { ...context, store, cache: attributionCache };
}

rpc.onRequest(AttributeRequest, async (params, context) => attribute(params, await attributionContext(context)));
rpc.onRequest(LatentUnitsRequest, async (params, context) => latentUnits(params, await attributionContext(context)));
rpc.onRequest(ConsistencyRequest, async (params, context) => consistency(params, await attributionContext(context)));
rpc.onRequest(SanityCheckRequest, async (params, context) => sanityCheck(params, await attributionContext(context)));
rpc.onRequest(CompareRepresentationsRequest, async (params, context) => compareRepresentations(params, await attributionContext(context)));

async function exampleContext(context: Pick<ExampleJobContext, 'signal' | 'progress'>): Promise<ExampleJobContext> {
  await ensureBackend();
  return { signal: context.signal, progress: context.progress, store, index: gradientIndex, representations: representationCache };
}

rpc.onRequest(ExampleImportanceRequest, async (params, context) => exampleImportance(params, await exampleContext(context)));
rpc.onRequest(BuildGradientIndexRequest, async (params, context) => buildGradientIndex(params, await exampleContext(context)));
rpc.onRequest(SelfInfluenceRequest, async (params, context) => selfInfluence(params, await exampleContext(context)));
rpc.onRequest(SuspiciousRequest, async (params, context) => suspicious(params, await exampleContext(context)));
rpc.onRequest(ExampleConsistencyRequest, async (params, context) => exampleConsistency(params, await exampleContext(context)));
rpc.onRequest(CompareExampleImportanceRequest, async (params, context) => compareExampleImportance(params, await exampleContext(context)));

rpc.onRequest(NeonRequest, async (params, context) => {
  await ensureBackend();
  return neon(params, { store, representations: representationCache, models: neonModels, signal: context.signal, progress: context.progress });
});
rpc.onRequest(SemanticShapleyRequest, async (params, context) => {
  await ensureBackend();
  return semanticShapleyJob(params, { store, signal: context.signal, progress: context.progress });
});
rpc.onRequest(InvarianceRequest, async (params, context) => {
  await ensureBackend();
  return invarianceJob(params, { store, signal: context.signal, progress: context.progress });
});

rpc.onRequest(HeartbeatRequest, () => undefined);

rpc.onRequest(ShutdownRequest, () => {
  setImmediate(() => shutdown(0));
});

watchParent(() => shutdown(0));
process.on('uncaughtException', (error) => {
  log('error', `uncaught: ${error.stack ?? error.message}`);
});
process.on('unhandledRejection', (reason) => {
  log('error', `unhandled rejection: ${String(reason)}`);
});
