/**
 * The panel's invariance requests for a supervised VAE run: one lane per kind
 * (samples, curve, counterfactuals, divergence), so asking for the curve does
 * not cancel the gallery. Checks what the page sends before anything reaches
 * the engine, relays progress, caches the answers.
 */
import { GetExamplesRequest, InvarianceRequest, type InvarianceKind } from '../../protocol/engineProtocol';
import { RpcError, type RequestContext } from '../../protocol/rpc';
import type { PanelInvariance } from '../../protocol/webviewProtocol';
import { CachedLane } from './cachedLane';
import { assembleInvariance } from './invarianceAssembler';
import { parseInvarianceKind, parseInvarianceSettings, toInvarianceParams } from './invarianceSettings';
import { requireSection, sectionParams, type SectionServiceOptions } from './neonSemanticService';

const TITLES: Record<InvarianceKind, string> = {
  samples: 'Invariant samples',
  curve: 'The invariance curve',
  counterfactuals: 'Counterfactuals',
  divergence: 'Divergence maps',
};

export class InvarianceService {
  private readonly lanes: Record<InvarianceKind, CachedLane<PanelInvariance>>;

  constructor(private readonly options: SectionServiceOptions) {
    this.lanes = { samples: new CachedLane(options, 8), curve: new CachedLane(options, 4), counterfactuals: new CachedLane(options, 8), divergence: new CachedLane(options, 8) };
  }

  clear(): void {
    for (const lane of Object.values(this.lanes)) lane.clear();
  }

  async invariance(raw: unknown, context: RequestContext): Promise<PanelInvariance> {
    const run = await this.options.openRun(this.options.lifetime);
    const { testIndex, checkpoint: chosen, o } = sectionParams(raw, run.limits, 'panel/invariance', ['testIndex', 'checkpoint', 'kind', 'settings']);
    const kind = parseInvarianceKind(o.kind);
    const settings = parseInvarianceSettings(o.settings);
    requireSection(run.sections.invariance, 'Invariances');
    const checkpoint = this.options.checkpoint(chosen, run);
    const params = toInvarianceParams(kind, { ...settings, curveExamples: Math.min(settings.curveExamples, run.limits.testCount) }, this.options.manifestPath, checkpoint, testIndex);
    // The curve is over a seeded sample of the test set, whatever example is shown: one cache entry for all.
    const key = kind === 'curve' ? params : { ...params, testIndex };
    const title = kind === 'curve' ? TITLES.curve : `${TITLES[kind]} of test example #${testIndex}`;
    return this.lanes[kind].run(key, context, title, async (engine, signal, report) => {
      const reply = await engine.rpc.call(InvarianceRequest, params, { signal, onProgress: report });
      if (reply.kind !== kind) throw new RpcError('internal', `Asked the engine for invariance ${kind}, got ${reply.kind}.`);
      if (kind === 'curve') return assembleInvariance(reply, { testIndex, checkpoint });
      const examples = await engine.rpc.call(GetExamplesRequest, { manifestPath: this.options.manifestPath, split: 'test', indices: [testIndex] }, { signal });
      const example = examples.examples.find((e) => e.index === testIndex);
      if (!example) throw new RpcError('internal', `The engine did not return test example ${testIndex}.`);
      return assembleInvariance(reply, { testIndex, checkpoint, example });
    });
  }
}
