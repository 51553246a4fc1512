/**
 * The panel's training-example requests: example importance for the shown
 * test example, the gradient index, suspicious training examples, the
 * example-consistency check and the encoder comparison. Checks what the page
 * sends, forwards it to the engine, relays progress to the page (and, for the
 * long whole-training-set jobs, to a notification with Cancel) and caches the
 * answers. Each kind of request is its own lane.
 */
import * as path from 'node:path';
import {
  BuildGradientIndexRequest,
  CompareExampleImportanceRequest,
  ExampleConsistencyRequest,
  ExampleImportanceRequest,
  GetExamplesRequest,
  SuspiciousRequest,
  type BoxStats,
  type ExamplesResult,
} from '../../protocol/engineProtocol';
import { RpcError, type Progress, type RequestContext } from '../../protocol/rpc';
import type {
  PanelExampleComparison,
  PanelExampleConsistency,
  PanelExampleImportance,
  PanelIndexBuilt,
  PanelSuspicious,
} from '../../protocol/webviewProtocol';
import type { EngineHandle, EngineSource } from '../engineHandle';
import { consecutiveIndices } from './attributionParams';
import { parseExampleSettings, parseMethodList, toExampleMethodSpec } from './exampleSettings';
import { assembleExampleImportance, rankedIndices } from './explanationAssembler';
import { cacheKey, ResultCache } from './explanationCache';
import { parseCompareWith, parseCount, parseEmptyParams, parseExplainParams, parseSuspiciousParams, type PanelLimits } from './panelValidation';

export interface ExampleRun {
  limits: PanelLimits;
  trainShape: readonly number[];
  testHasLabels: boolean;
  trainHasLabels: boolean;
}

type Report = (progress: Progress) => void;

export interface ExampleServiceOptions {
  manifestPath: string;
  engine: EngineSource;
  openRun(signal: AbortSignal): Promise<ExampleRun>;
  /** The checkpoint to use when the page names none; told when the page names one. */
  checkpoint(chosen: string | undefined, run: ExampleRun): string;
  /** A cancellable progress notification; its signal aborts on the notification's Cancel. */
  withProgress<T>(title: string, task: (report: Report, signal: AbortSignal) => Promise<T>): Promise<T>;
  /** Asks the user for another run's manifest; undefined when dismissed or when the host cannot ask. */
  pickManifest?(): Promise<string | undefined>;
  /** How a file is named to the user (workspace-relative when it can be). */
  displayPath(file: string): string;
  lifetime: AbortSignal;
}

function finiteOrNull(value: number): number | null {
  return Number.isFinite(value) ? value : null;
}

/** A box with a non-finite statistic (no test example had a value) is sent as null. */
function finiteBox(b: BoxStats): BoxStats | null {
  return [b.min, b.q1, b.median, b.q3, b.max, b.mean].every(Number.isFinite) ? { min: b.min, q1: b.q1, median: b.median, q3: b.q3, max: b.max, mean: b.mean } : null;
}

export class ExampleService {
  private readonly importances = new ResultCache<PanelExampleImportance>(32);
  private readonly suspicions = new ResultCache<PanelSuspicious>(4);
  private readonly consistencies = new ResultCache<PanelExampleConsistency>(4);
  private readonly comparisons = new ResultCache<PanelExampleComparison>(4);
  private building: AbortController | undefined;

  constructor(private readonly options: ExampleServiceOptions) {}

  clear(): void {
    for (const cache of [this.importances, this.suspicions, this.consistencies, this.comparisons] as ResultCache<unknown>[]) cache.clear();
    this.building?.abort();
  }

  async importance(raw: unknown, context: RequestContext): Promise<PanelExampleImportance> {
    const run = await this.options.openRun(this.options.lifetime);
    const { testIndex, checkpoint: chosen } = parseExplainParams(raw, run.limits, 'panel/exampleImportance');
    const settings = parseExampleSettings((raw as Record<string, unknown>).settings);
    const checkpoint = this.options.checkpoint(chosen, run);
    const params = { manifestPath: this.options.manifestPath, checkpoint, testIndices: [testIndex], method: toExampleMethodSpec(settings), topK: settings.topK };
    return this.cached(this.importances, params, context, `Finding the training examples behind test example #${testIndex} (${checkpoint})`, async (engine, signal, report) => {
      const result = await engine.rpc.call(ExampleImportanceRequest, params, { signal, onProgress: report });
      const explained = result.examples.find((e) => e.index === testIndex);
      if (!explained) throw new RpcError('internal', `The engine returned no training examples for test example ${testIndex}.`);
      const indices = rankedIndices(explained, settings.topK);
      report({ message: 'fetching the examples…' });
      const train: ExamplesResult =
        indices.length > 0 ? await engine.rpc.call(GetExamplesRequest, { manifestPath: this.options.manifestPath, split: 'train', indices }, { signal }) : { shape: [...run.trainShape], examples: [] };
      return assembleExampleImportance(result, train, { testIndex, topK: settings.topK, trainFile: this.options.displayPath(result.trainFile) });
    });
  }

  async buildIndex(raw: unknown, context: RequestContext): Promise<PanelIndexBuilt> {
    parseEmptyParams(raw, 'panel/buildIndex');
    await this.options.openRun(this.options.lifetime);
    this.building?.abort();
    const controller = new AbortController();
    this.building = controller;
    try {
      return await this.options.withProgress('Building the gradient index', async (report, cancelled) => {
        const engine = await this.options.engine.acquire();
        const signal = AbortSignal.any([controller.signal, context.signal, cancelled, this.options.lifetime]);
        const onProgress = (p: Progress): void => {
          report(p);
          context.progress(p);
        };
        const result = await engine.rpc.call(BuildGradientIndexRequest, { manifestPath: this.options.manifestPath }, { signal, onProgress });
        const built = result.checkpoints.filter((c) => c.seconds > 0 || c.computedChunks > 0).length;
        return { sketchDim: result.sketchDim, trainCount: result.trainCount, checkpoints: result.checkpoints.length, built, reused: result.checkpoints.length - built, seconds: result.seconds };
      });
    } finally {
      if (this.building === controller) this.building = undefined;
    }
  }

  async suspicious(raw: unknown, context: RequestContext): Promise<PanelSuspicious> {
    const run = await this.options.openRun(this.options.lifetime);
    const { checkpoint: chosen, limit } = parseSuspiciousParams(raw, run.limits);
    if (!run.trainHasLabels) throw new RpcError('invalidParams', 'Suspicious-label detection needs training labels, and this run has none.');
    const checkpoint = this.options.checkpoint(chosen, run);
    const params = { manifestPath: this.options.manifestPath, checkpoint, limit };
    return this.cached(this.suspicions, params, context, 'Looking for suspicious training examples', async (engine, signal, report) => {
      const result = await engine.rpc.call(SuspiciousRequest, params, { signal, onProgress: report });
      return {
        checkpoint: result.checkpoint,
        signals: [...result.signals],
        trainCount: result.trainCount,
        trainFile: this.options.displayPath(result.trainFile),
        examples: result.examples.slice(0, limit),
        seconds: result.seconds,
        cached: false,
      };
    });
  }

  async consistency(raw: unknown, context: RequestContext): Promise<PanelExampleConsistency> {
    const run = await this.options.openRun(this.options.lifetime);
    const { testIndex, checkpoint: chosen } = parseExplainParams(raw, run.limits, 'panel/exampleConsistency');
    const o = raw as Record<string, unknown>;
    const settings = parseExampleSettings(o.settings);
    const methods = parseMethodList(o.methods);
    const count = parseCount(o.exampleCount, 'consistencyExamples', 'exampleCount');
    if (!run.testHasLabels || !run.trainHasLabels) throw new RpcError('invalidParams', 'The similarity rate compares labels; it needs labels for the training and test sets.');
    const checkpoint = this.options.checkpoint(chosen, run);
    const testIndices = consecutiveIndices(testIndex, count, run.limits.testCount);
    const params = { manifestPath: this.options.manifestPath, checkpoint, testIndices, methods: methods.map((m) => toExampleMethodSpec(settings, m)) };
    return this.cached(this.consistencies, params, context, undefined, async (engine, signal, report) => {
      const result = await engine.rpc.call(ExampleConsistencyRequest, params, { signal, onProgress: report });
      return {
        testIndex,
        checkpoint,
        ms: [...result.ms],
        methods: result.methods.map((m) => ({ method: m.method, settings: m.settings, top: m.top.map(finiteBox), bottom: m.bottom.map(finiteBox) })),
        exampleIndices: testIndices,
        seconds: result.seconds,
        cached: false,
      };
    });
  }

  /** Null when the user dismissed the manifest picker. */
  async compare(raw: unknown, context: RequestContext): Promise<PanelExampleComparison | null> {
    const run = await this.options.openRun(this.options.lifetime);
    const { testIndex, checkpoint: chosen } = parseExplainParams(raw, run.limits, 'panel/compareExamples');
    const o = raw as Record<string, unknown>;
    const settings = parseExampleSettings(o.settings);
    const count = parseCount(o.exampleCount, 'consistencyExamples', 'exampleCount');
    const other = parseCompareWith(o.other, run.limits);
    const checkpoint = this.options.checkpoint(chosen, run);
    let target: { manifestPath?: string; checkpoint?: string };
    if (other.kind === 'checkpoint') {
      target = { checkpoint: other.checkpoint };
    } else {
      if (!this.options.pickManifest) throw new RpcError('invalidParams', 'This panel cannot ask for another manifest.');
      const picked = await this.options.pickManifest();
      if (picked === undefined) return null;
      target = { manifestPath: picked };
    }
    const testIndices = consecutiveIndices(testIndex, count, run.limits.testCount);
    const params = { manifestPath: this.options.manifestPath, checkpoint, other: target, testIndices, method: toExampleMethodSpec(settings) };
    return this.cached(this.comparisons, params, context, undefined, async (engine, signal, report) => {
      const result = await engine.rpc.call(CompareExampleImportanceRequest, params, { signal, onProgress: report });
      const name = (e: { manifestPath: string; checkpoint: string }): string => `${this.options.displayPath(e.manifestPath)} · ${e.checkpoint}`;
      return {
        testIndex,
        method: result.method,
        a: name(result.a),
        b: name(result.b),
        scoredCheckpoints: result.scoredCheckpoints,
        mean: finiteOrNull(result.mean),
        std: finiteOrNull(result.std),
        perExample: result.perExample.map((e) => ({ index: e.index, pearson: finiteOrNull(e.pearson) })),
        seconds: result.seconds,
        cached: false,
      };
    });
  }

  /**
   * The cached answer, or a new computation: its progress goes to the page
   * and, when `notification` names it, to a cancellable notification too.
   */
  private async cached<T extends { cached: boolean }>(
    cache: ResultCache<T>,
    params: object,
    context: RequestContext,
    notification: string | undefined,
    compute: (engine: EngineHandle, signal: AbortSignal, report: Report) => Promise<T>,
  ): Promise<T> {
    const key = cacheKey(params);
    const hit = cache.peek(key);
    if (hit) return { ...hit, cached: true };
    return cache.get(
      key,
      async (signal) => {
        const run = async (report: Report, cancelled?: AbortSignal): Promise<T> => {
          const engine = await this.options.engine.acquire();
          const signals = [signal, this.options.lifetime, ...(cancelled ? [cancelled] : [])];
          return compute(engine, AbortSignal.any(signals), (p) => {
            report(p);
            context.progress(p);
          });
        };
        return notification === undefined ? run(() => undefined) : this.options.withProgress(notification, (report, cancelled) => run(report, cancelled));
      },
      context.signal,
    );
  }
}

/** The workspace-relative form of a path under `root`, else the path itself. */
export function relativeTo(root: string | undefined, file: string): string {
  if (!root) return file;
  const relative = path.relative(root, file);
  return relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : file;
}
