/**
 * The panel's attribution requests: checks what the page sends, forwards it
 * to the engine as attribution / per-unit / consistency / sanity requests,
 * relays the engine's progress to the page and caches the answers per
 * checkpoint, example and settings. Each kind of request is its own lane: a
 * new request cancels the previous one of its kind only.
 */
import { RpcError, type Progress, type RequestContext } from '../../protocol/rpc';
import {
  AttributeRequest,
  ConsistencyRequest,
  GetExamplesRequest,
  LatentUnitsRequest,
  SanityCheckRequest,
  type ExamplePixels,
} from '../../protocol/engineProtocol';
import type { PanelAttribution, PanelAttributionSettings, PanelConsistency, PanelSanity, PanelUnits } from '../../protocol/webviewProtocol';
import type { EngineHandle, EngineSource } from '../engineHandle';
import { assembleAttribution, assembleConsistency, assembleSanity, assembleUnits } from './attributionAssembler';
import { checkTarget, consecutiveIndices, toEngineSpec } from './attributionParams';
import { parseAttributionSettings, parseCheckExamples, type AttributionLimits } from './attributionSettings';
import { cacheKey, ResultCache } from './explanationCache';
import { parseExplainParams, type PanelLimits } from './panelValidation';

export interface AttributionRun {
  limits: PanelLimits;
  attribution: AttributionLimits;
}

export interface AttributionServiceOptions {
  manifestPath: string;
  engine: EngineSource;
  /** The run as opened on the current engine. */
  openRun(signal: AbortSignal): Promise<AttributionRun>;
  /** The checkpoint to use when the page names none; told when the page names one. */
  checkpoint(chosen: string | undefined, run: AttributionRun): string;
  /** Aborts when the panel goes away. */
  lifetime: AbortSignal;
}

interface Checked {
  run: AttributionRun;
  testIndex: number;
  checkpoint: string;
  settings: PanelAttributionSettings;
}

type Relay = (progress: Progress) => void;

export class AttributionService {
  private readonly attributions = new ResultCache<PanelAttribution>(64);
  private readonly units = new ResultCache<PanelUnits>(8);
  private readonly consistencies = new ResultCache<PanelConsistency>(8);
  private readonly sanities = new ResultCache<PanelSanity>(8);

  constructor(private readonly options: AttributionServiceOptions) {}

  /** Forgets every cached answer and cancels what is running (a new engine, a closed panel). */
  clear(): void {
    for (const cache of [this.attributions, this.units, this.consistencies, this.sanities] as ResultCache<unknown>[]) cache.clear();
  }

  async attribute(raw: unknown, context: RequestContext): Promise<PanelAttribution> {
    const { run, testIndex, checkpoint, settings } = await this.check(raw, 'panel/attribute');
    const spec = toEngineSpec(settings, run.attribution.view, run.attribution.exampleShape);
    const params = { manifestPath: this.options.manifestPath, checkpoint, testIndex, method: spec.method, target: spec.target, ...(spec.baseline ? { baseline: spec.baseline } : {}) };
    return this.cached(this.attributions, params, context, async (engine, signal) => {
      const [result, example] = await Promise.all([
        engine.rpc.call(AttributeRequest, params, { signal, onProgress: relay(context) }),
        this.example(engine, testIndex, signal),
      ]);
      return assembleAttribution(result, { testIndex, checkpoint, example, ...(spec.panelBaseline ? { panelBaseline: spec.panelBaseline } : {}) });
    });
  }

  async latentUnits(raw: unknown, context: RequestContext): Promise<PanelUnits> {
    const { run, testIndex, checkpoint, settings } = await this.check(raw, 'panel/units');
    const exampleCount = parseCheckExamples((raw as Record<string, unknown>).exampleCount);
    const spec = toEngineSpec(settings, run.attribution.view, run.attribution.exampleShape);
    const testIndices = consecutiveIndices(testIndex, exampleCount, run.limits.testCount);
    const params = { manifestPath: this.options.manifestPath, checkpoint, testIndices, method: spec.method, includeMaps: true, ...(spec.baseline ? { baseline: spec.baseline } : {}) };
    return this.cached(this.units, params, context, async (engine, signal) => {
      const [result, example] = await Promise.all([
        engine.rpc.call(LatentUnitsRequest, params, { signal, onProgress: relay(context) }),
        this.example(engine, testIndex, signal),
      ]);
      // Only the shown example's maps travel on to the page; the others only fed the statistics.
      return assembleUnits(result, { testIndex, checkpoint, example });
    });
  }

  async consistency(raw: unknown, context: RequestContext): Promise<PanelConsistency> {
    const { run, testIndex, checkpoint, settings } = await this.check(raw, 'panel/consistency');
    const exampleCount = parseCheckExamples((raw as Record<string, unknown>).exampleCount);
    const spec = toEngineSpec(settings, run.attribution.view, run.attribution.exampleShape);
    const { target, kind } = checkTarget(settings);
    const testIndices = consecutiveIndices(testIndex, exampleCount, run.limits.testCount);
    const params = { manifestPath: this.options.manifestPath, checkpoint, testIndices, method: spec.method, target, seed: 0, ...(spec.baseline ? { baseline: spec.baseline } : {}) };
    return this.cached(this.consistencies, params, context, async (engine, signal) => {
      const result = await engine.rpc.call(ConsistencyRequest, params, { signal, onProgress: relay(context) });
      return assembleConsistency(result, testIndex, checkpoint, kind);
    });
  }

  async sanity(raw: unknown, context: RequestContext): Promise<PanelSanity> {
    const { testIndex, checkpoint, settings, run } = await this.check(raw, 'panel/sanity');
    const spec = toEngineSpec(settings, run.attribution.view, run.attribution.exampleShape);
    const params = { manifestPath: this.options.manifestPath, checkpoint, testIndex, method: spec.method, target: checkTarget(settings).target, seed: 0, ...(spec.baseline ? { baseline: spec.baseline } : {}) };
    return this.cached(this.sanities, params, context, async (engine, signal) => {
      const result = await engine.rpc.call(SanityCheckRequest, params, { signal, onProgress: relay(context) });
      return assembleSanity(result, testIndex, checkpoint);
    });
  }

  private async check(raw: unknown, method: string): Promise<Checked> {
    const run = await this.options.openRun(this.options.lifetime);
    const { testIndex, checkpoint } = parseExplainParams(raw, run.limits, method);
    const settings = parseAttributionSettings((raw as Record<string, unknown>).settings, run.attribution);
    return { run, testIndex, checkpoint: this.options.checkpoint(checkpoint, run), settings };
  }

  private async cached<T extends { cached: boolean; seconds: number }>(
    cache: ResultCache<T>,
    params: object,
    context: RequestContext,
    compute: (engine: EngineHandle, signal: AbortSignal) => Promise<T>,
  ): Promise<T> {
    const key = cacheKey(params);
    const hit = cache.peek(key);
    if (hit) return { ...hit, cached: true };
    return cache.get(
      key,
      async (signal) => {
        const engine = await this.options.engine.acquire();
        return compute(engine, AbortSignal.any([signal, this.options.lifetime]));
      },
      context.signal,
    );
  }

  private async example(engine: EngineHandle, index: number, signal: AbortSignal): Promise<ExamplePixels> {
    const examples = await engine.rpc.call(GetExamplesRequest, { manifestPath: this.options.manifestPath, split: 'test', indices: [index] }, { signal });
    const example = examples.examples.find((e) => e.index === index);
    if (!example) throw new RpcError('internal', `The engine returned no values for test example ${index}.`);
    return example;
  }
}

/** Engine progress, passed on to the page that asked. */
function relay(context: RequestContext): Relay {
  return (progress) => context.progress(progress);
}
