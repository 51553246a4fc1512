/**
 * The example-importance part of `npm run bench`: for each case, one engine
 * process (the real bundle, over the real protocol) builds the gradient-sketch
 * index, answers TracIn (sketch) and Deep-KNN top-k queries over every
 * training example one test example at a time, ranks suspicious training
 * examples against the labels the demo flipped on purpose, and reports its
 * own peak memory (VmHWM of the engine child, read before shutdown).
 * Every number printed is measured in this run.
 */
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { startEngine, type EngineEntry, type EngineSession } from '../src/cli/engineSession';
import { progressLogger } from '../src/cli/engineSession';
import {
  BuildGradientIndexRequest,
  ExampleImportanceRequest,
  OpenRunRequest,
  SuspiciousRequest,
  type ExampleMethodSpec,
  type SuspicionSignal,
} from '../src/protocol/engineProtocol';
import { mebibytes, precisionRecallAtK, readPeakRss } from './benchMetrics';
import type { ExampleCase } from './benchParts';
import { copyDemoRuns, ensureDemoWorkspace, ensureFashionMnist, makeFullsetWorkspace, REPO_ROOT } from './benchWorkspace';

type Log = (line: string) => void;
type Out = (line: string) => void;

/** Test examples queried one per request. */
export const QUERY_EXAMPLES = [0, 1, 2, 3, 4];
const TOP_K = 10;

const TITLES: Record<ExampleCase, string> = {
  autoencoder: 'demo denoising autoencoder (label-free, encoder parameters)',
  classifier: 'demo classifier (6,000-image subset, 5% flipped labels)',
  fullset: 'demo classifier checkpoints over the full 60,000-image Fashion-MNIST training set',
};

/** The bundle npm run bench has just built; the sources through tsx when there is none. */
function engineEntry(): EngineEntry {
  const bundle = path.join(REPO_ROOT, 'dist', 'engine.js');
  if (existsSync(bundle)) return { enginePath: bundle, execArgv: [] };
  return { enginePath: path.join(REPO_ROOT, 'src', 'engine', 'main.ts'), execArgv: ['--import', 'tsx'] };
}

function seconds(start: number): number {
  return (performance.now() - start) / 1000;
}

function pad(text: string, width: number): string {
  return text.padEnd(width);
}

interface CaseSetup {
  manifest: string;
  flipped?: Set<number>;
}

/** Runs `work`, printing its failure instead of stopping the case (a later step may still work); cancellation stops everything. */
async function step<T>(out: Out, name: string, work: () => Promise<T>): Promise<T | undefined> {
  try {
    return await work();
  } catch (error) {
    if ((error as { code?: string }).code === 'cancelled') throw error;
    out(`  ${name}: failed: ${(error as Error).message}`);
    return undefined;
  }
}

async function queries(session: EngineSession, out: Out, log: Log, signal: AbortSignal | undefined, manifestPath: string, title: string, method: ExampleMethodSpec, trainCount: number): Promise<void> {
  out(`  ${title}: top-${TOP_K} over all ${trainCount} training examples, one test example per query`);
  const times: number[] = [];
  for (const index of QUERY_EXAMPLES) {
    const ok = await step(out, `query for test example ${index}`, async () => {
      const start = performance.now();
      const result = await session.engine.rpc.call(ExampleImportanceRequest, { manifestPath, testIndices: [index], method, topK: TOP_K }, { signal, onProgress: progressLogger(log) });
      const wall = seconds(start);
      times.push(wall);
      const engineTimings = Object.entries(result.timings)
        .map(([phase, s]) => `${phase} ${s.toFixed(3)}`)
        .join(', ');
      const built = result.index && result.index.built > 0 ? `; built the index for ${result.index.built} checkpoints` : '';
      out(`    test example ${String(index).padEnd(3)} ${wall.toFixed(3)} s  (engine ${result.seconds.toFixed(3)} s${engineTimings ? `: ${engineTimings}` : ''}${built})`);
      return true;
    });
    if (!ok) break;
  }
  if (times.length > 1) {
    const sorted = [...times].sort((a, b) => a - b);
    out(`    ${times.length} queries: median ${sorted[Math.floor(sorted.length / 2)]!.toFixed(3)} s, first ${times[0]!.toFixed(3)} s, min ${sorted[0]!.toFixed(3)} s, max ${sorted[sorted.length - 1]!.toFixed(3)} s`);
  }
}

async function suspiciousRanking(session: EngineSession, out: Out, log: Log, signal: AbortSignal | undefined, manifestPath: string, flipped: Set<number>): Promise<void> {
  const k = flipped.size;
  out(`  suspicious-example ranking against the ${k} flipped training labels (k = ${k})`);
  const rows: string[][] = [['signals', 'seconds', 'hits', `precision@${k}`, `recall@${k}`]];
  const measure = async (signals: SuspicionSignal[] | undefined): Promise<SuspicionSignal[] | undefined> => {
    const start = performance.now();
    const result = await session.engine.rpc.call(SuspiciousRequest, { manifestPath, limit: k, ...(signals ? { signals } : {}) }, { signal, onProgress: progressLogger(log) });
    const wall = seconds(start);
    const quality = precisionRecallAtK(
      result.examples.map((e) => e.index),
      flipped,
      k,
    );
    rows.push([result.signals.join(' + '), wall.toFixed(2), `${quality.hits}/${k}`, quality.precision.toFixed(3), quality.recall.toFixed(3)]);
    return result.signals;
  };
  const combined = await step(out, 'suspicious (all signals)', () => measure(undefined));
  if (combined && combined.length > 1) {
    for (const single of combined) await step(out, `suspicious (${single})`, () => measure([single]));
  }
  if (rows.length > 1) {
    const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
    for (const row of rows) out(`    ${row.map((cell, c) => (c === 0 ? pad(cell, widths[c]!) : cell.padStart(widths[c]!))).join('  ')}`);
  }
}

async function runCase(name: ExampleCase, setup: CaseSetup, out: Out, log: Log, signal?: AbortSignal): Promise<void> {
  out(`\nExample importance: ${TITLES[name]}`);
  out(`  manifest: ${path.relative(REPO_ROOT, setup.manifest)}`);
  const session = await startEngine(undefined, log, signal, engineEntry());
  let peak: number | undefined;
  try {
    out(`  backend: ${session.backend.name}`);
    const manifestPath = setup.manifest;
    let start = performance.now();
    const run = await session.engine.rpc.call(OpenRunRequest, { manifestPath }, { signal });
    out(`  open run: ${seconds(start).toFixed(2)} s (${run.train.count} training, ${run.test.count} test examples, ${run.checkpoints.length} checkpoints)`);

    start = performance.now();
    const index = await step(out, 'gradient index', () => session.engine.rpc.call(BuildGradientIndexRequest, { manifestPath }, { signal, onProgress: progressLogger(log) }));
    if (index) {
      out(`  gradient index build (BuildGradientIndexRequest, sketch dimension ${index.sketchDim}), per checkpoint:`);
      const width = Math.max(...index.checkpoints.map((c) => c.path.length));
      for (const c of index.checkpoints) out(`    ${pad(c.path, width)}  ${c.seconds.toFixed(2)} s  (${c.computedChunks}/${c.totalChunks} chunks computed)`);
      out(`    ${pad('total (engine)', width)}  ${index.seconds.toFixed(2)} s; wall ${seconds(start).toFixed(2)} s`);
      await queries(session, out, log, signal, manifestPath, 'TracIn (sketch mode, from the index)', { method: 'tracin', mode: 'sketch' }, run.train.count);
    }
    await queries(session, out, log, signal, manifestPath, 'Deep-KNN', { method: 'deepKnn' }, run.train.count);
    if (setup.flipped) await suspiciousRanking(session, out, log, signal, manifestPath, setup.flipped);
    peak = readPeakRss(session.engine.pid);
  } finally {
    await session.engine.dispose();
  }
  out(`  peak memory of the engine process (VmHWM): ${peak === undefined ? 'not available (no /proc)' : mebibytes(peak)}`);
}

export async function benchExamples(cases: readonly ExampleCase[], out: Out, log: Log, signal?: AbortSignal): Promise<void> {
  if (cases.length === 0) return;
  await ensureDemoWorkspace(log);
  const setups = new Map<ExampleCase, CaseSetup | Error>();
  if (cases.includes('autoencoder') || cases.includes('classifier')) {
    const demo = copyDemoRuns();
    setups.set('autoencoder', { manifest: demo.manifests.autoencoder, flipped: demo.flipped });
    setups.set('classifier', { manifest: demo.manifests.classifier, flipped: demo.flipped });
  }
  if (cases.includes('fullset')) {
    try {
      await ensureFashionMnist(log);
      setups.set('fullset', { manifest: makeFullsetWorkspace() });
    } catch (error) {
      setups.set('fullset', error as Error);
    }
  }
  for (const name of cases) {
    const setup = setups.get(name)!;
    if (setup instanceof Error) {
      out(`\nExample importance: ${TITLES[name]}\n  skipped: ${setup.message}`);
      continue;
    }
    try {
      await runCase(name, setup, out, log, signal);
    } catch (error) {
      if ((error as { code?: string }).code === 'cancelled') throw error;
      out(`  failed: ${(error as Error).message}`);
    }
  }
}
