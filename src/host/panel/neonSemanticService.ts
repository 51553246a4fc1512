/**
 * The panel's NEON and semantic Shapley requests: checks what the page sends
 * (nothing reaches the engine before it passes), forwards it, relays progress
 * to the page and to a notification with Cancel, and caches the answers. Each
 * is its own lane.
 */
import { GetExamplesRequest, NeonRequest, SemanticShapleyRequest } from '../../protocol/engineProtocol';
import { RpcError, type RequestContext } from '../../protocol/rpc';
import type { PanelNeon, PanelSectionAvailability, PanelSemantic, PanelSemanticValues } from '../../protocol/webviewProtocol';
import { CachedLane, type LaneDependencies } from './cachedLane';
import { assembleNeon } from './neonAssembler';
import { parseNeonSettings, toNeonParams } from './neonSettings';
import { parseExplainParams, type PanelLimits } from './panelValidation';
import { parseSemanticSettings, semanticIndices, toSemanticParams } from './semanticSettings';
import { onlyKeys } from './settingReaders';

export interface SectionRun {
  limits: PanelLimits;
  sections: PanelSectionAvailability;
}

export interface SectionServiceOptions extends LaneDependencies {
  manifestPath: string;
  openRun(signal: AbortSignal): Promise<SectionRun>;
  /** The checkpoint to use when the page names none; told when the page names one. */
  checkpoint(chosen: string | undefined, run: SectionRun): string;
}

const PARAM_KEYS = ['testIndex', 'checkpoint', 'settings'];

/** The page's params for a section request: the example, the checkpoint, and nothing unknown. */
export function sectionParams(raw: unknown, limits: PanelLimits, method: string, keys = PARAM_KEYS): { testIndex: number; checkpoint?: string; o: Record<string, unknown> } {
  const parsed = parseExplainParams(raw, limits, method);
  const o = raw as Record<string, unknown>;
  onlyKeys(o, keys, method);
  return { ...parsed, o };
}

export function requireSection(availability: { available: boolean; reason?: string }, what: string): void {
  if (!availability.available) throw new RpcError('invalidParams', availability.reason ?? `${what} does not apply to this run.`);
}

export class NeonSemanticService {
  private readonly neonLane: CachedLane<PanelNeon>;
  private readonly semanticLane: CachedLane<PanelSemantic>;

  constructor(private readonly options: SectionServiceOptions) {
    this.neonLane = new CachedLane<PanelNeon>(options, 16);
    this.semanticLane = new CachedLane<PanelSemantic>(options, 16);
  }

  clear(): void {
    this.neonLane.clear();
    this.semanticLane.clear();
  }

  async neon(raw: unknown, context: RequestContext): Promise<PanelNeon> {
    const run = await this.options.openRun(this.options.lifetime);
    const { testIndex, checkpoint: chosen, o } = sectionParams(raw, run.limits, 'panel/neon');
    const settings = parseNeonSettings(o.settings);
    requireSection(run.sections.neon, 'NEON');
    const checkpoint = this.options.checkpoint(chosen, run);
    const params = toNeonParams(settings, this.options.manifestPath, checkpoint, testIndex);
    const title = `NEON ${settings.explain === 'clusterMembership' ? 'cluster membership' : settings.explain} of test example #${testIndex}`;
    return this.neonLane.run(params, context, title, async (engine, signal, report) => {
      const result = await engine.rpc.call(NeonRequest, params, { signal, onProgress: report });
      const examples = await engine.rpc.call(GetExamplesRequest, { manifestPath: this.options.manifestPath, split: 'test', indices: [testIndex] }, { signal });
      const example = examples.examples.find((e) => e.index === testIndex);
      if (!example) throw new RpcError('internal', `The engine did not return test example ${testIndex}.`);
      return assembleNeon(result, { testIndex, settings, example });
    });
  }

  async semantic(raw: unknown, context: RequestContext): Promise<PanelSemantic> {
    const run = await this.options.openRun(this.options.lifetime);
    const { testIndex, checkpoint: chosen, o } = sectionParams(raw, run.limits, 'panel/semantic');
    const settings = parseSemanticSettings(o.settings);
    requireSection(run.sections.semantic, 'Semantic Shapley values');
    if (settings.representation === 'vae' && !run.sections.semanticVae.available) {
      throw new RpcError('invalidParams', `"settings.representation" cannot be "vae": ${run.sections.semanticVae.reason ?? 'the run declares no decoder.'}`);
    }
    const checkpoint = this.options.checkpoint(chosen, run);
    const testIndices = semanticIndices(settings, testIndex, run.limits.testCount);
    const params = toSemanticParams(settings, this.options.manifestPath, checkpoint, testIndices);
    const title = `Semantic Shapley values of test example #${testIndex}${settings.scope === 'global' ? ` and ${testIndices.length - 1} more` : ''}`;
    return this.semanticLane.run(params, context, title, async (engine, signal, report) => {
      const reply = await engine.rpc.call(SemanticShapleyRequest, params, { signal, onProgress: report });
      const e = reply.examples.find((x) => x.index === testIndex);
      if (!e) throw new RpcError('internal', `The engine returned no semantic Shapley values for test example ${testIndex}.`);
      const values = (v: PanelSemanticValues): PanelSemanticValues => ({ values: [...v.values], standardErrors: [...v.standardErrors], fullValue: v.fullValue, emptyValue: v.emptyValue, efficiencyGap: v.efficiencyGap });
      const r = reply.representation;
      const result: PanelSemantic = {
        testIndex,
        checkpoint: reply.checkpoint,
        settings,
        representationText: r.kind === 'fourier' ? `Fourier radius, ${r.bins} bin${r.bins === 1 ? '' : 's'}` : `VAE latent units (${r.latentDim}), decoder ${r.decoder}`,
        featureNames: [...reply.featureNames],
        method: reply.method,
        backgroundCount: reply.backgroundIndices.length,
        example: {
          ...values(e),
          index: e.index,
          classIndex: e.classIndex,
          ...(e.label !== undefined ? { label: e.label } : {}),
          ...(e.labelName !== undefined ? { labelName: e.labelName } : {}),
          ...(e.className !== undefined ? { className: e.className } : {}),
        },
        evaluations: reply.evaluations,
        seconds: reply.seconds,
        cached: false,
      };
      if (reply.samples !== undefined) result.samples = reply.samples;
      const g = reply.global;
      if (g) {
        result.global = {
          ...values({ values: g.mean, standardErrors: g.meanStandardErrors, fullValue: g.fullValue, emptyValue: g.emptyValue, efficiencyGap: g.efficiencyGap }),
          meanAbsolute: [...g.meanAbsolute],
          meanAbsoluteStandardErrors: [...g.meanAbsoluteStandardErrors],
          exampleIndices: testIndices,
        };
      }
      return result;
    });
  }
}
