/**
 * The logic behind one explanation panel: answers the page's requests with the
 * engine's help. Everything VS Code-specific (progress notifications, error
 * messages, opening editors) comes in through `SessionUi`, so this is tested
 * with a fake engine and a fake page.
 */
import * as path from 'node:path';
import { RpcError, type Progress, type RequestContext, type RpcEndpoint } from '../../protocol/rpc';
import { OpenRunRequest, type BackendName, type RunSummary } from '../../protocol/engineProtocol';
import type { RunManifest } from '../../protocol/manifest';
import {
  BackendNotification,
  DEFAULT_CHECK_EXAMPLES,
  inputViewFor,
  PanelAttributeRequest,
  PanelBuildIndexRequest,
  PanelCompareExamplesRequest,
  PanelConsistencyRequest,
  PanelExampleConsistencyRequest,
  PanelExampleImportanceRequest,
  PanelInvarianceRequest,
  PanelNeonRequest,
  PanelReadyRequest,
  PanelSanityRequest,
  PanelSemanticRequest,
  PanelSuspiciousRequest,
  PanelUnitsRequest,
  RevealExampleRequest,
  RevealSectionNotification,
  type PanelInit,
  type PanelSectionAvailability,
  type SectionRequest,
} from '../../protocol/webviewProtocol';
import type { EngineHandle, EngineSource } from '../engineHandle';
import { AttributionService } from './attributionService';
import { parseCheckExamples, restoreAttributionSettings, type AttributionLimits } from './attributionSettings';
import { describeError, isCancellation, toRpcError } from './errors';
import { locateExample, type ExampleLocation } from './exampleLocation';
import { ExampleService, relativeTo, type ExampleRun } from './exampleService';
import { restoreExamplesState } from './exampleSettings';
import { InvarianceService } from './invarianceService';
import { restoreInvarianceSettings } from './invarianceSettings';
import { NeonSemanticService, type SectionServiceOptions } from './neonSemanticService';
import { restoreNeonSettings } from './neonSettings';
import { sectionAvailability } from './sectionAvailability';
import { restoreSemanticSettings } from './semanticSettings';
import { indexInRange, parseReadyParams, parseRevealParams, type PanelLimits } from './panelValidation';
import { representationUnits } from './representationUnits';

export interface SessionUi {
  /** Runs `task` under a cancellable progress notification; `signal` aborts when the user cancels. */
  withProgress<T>(title: string, task: (report: (progress: Progress) => void, signal: AbortSignal) => Promise<T>): Promise<T>;
  showError(message: string): void;
  reveal(location: ExampleLocation, split: 'train' | 'test', index: number): Promise<void>;
  /** Called when the panel's title should change (run name, example). */
  setTitle?(title: string): void;
  /** Asks the user for another run's manifest (the encoder comparison); undefined when dismissed. */
  pickManifest?(): Promise<string | undefined>;
  /** How a file is named to the user; relative to the manifest's folder when absent. */
  displayPath?(file: string): string;
}

export interface SessionOptions {
  manifestPath: string;
  loadManifest: () => Promise<RunManifest>;
  engine: EngineSource;
  ui: SessionUi;
  /** The checkpoint the user right-clicked, as written in the manifest. */
  checkpoint?: string;
  /** Reads a workspace file as text (a checkpoint's model.json, for the representation's width); without it the width is left to the engine. */
  readText?: (file: string) => Promise<string>;
}

interface OpenRun extends ExampleRun {
  generation: number;
  manifest: RunManifest;
  summary: RunSummary;
  limits: PanelLimits;
  attribution: AttributionLimits;
  /** Which of NEON, semantic Shapley values and invariances apply, and why not. */
  sections: PanelSectionAvailability;
}

export class PanelSession {
  private run: OpenRun | undefined;
  private opening: { generation: number; promise: Promise<OpenRun> } | undefined;
  private checkpoint: string | undefined;
  private readyEndpoint: RpcEndpoint | undefined;
  private notifiedBackend: BackendName | undefined;
  private pendingSection: SectionRequest | undefined;
  private readonly lifetime = new AbortController();
  private readonly attribution: AttributionService;
  private readonly examples: ExampleService;
  private readonly neonSemantic: NeonSemanticService;
  private readonly invariances: InvarianceService;

  constructor(private readonly options: SessionOptions) {
    this.checkpoint = options.checkpoint;
    // What every service shares: the run, the engine, the checkpoint the page chose last (the run's last by default).
    const shared = {
      manifestPath: options.manifestPath,
      engine: options.engine,
      openRun: (signal: AbortSignal) => this.openRun(signal),
      checkpoint: (chosen: string | undefined, run: { limits: { checkpoints: readonly string[] } }): string => {
        if (chosen !== undefined) this.checkpoint = chosen;
        return this.checkpoint ?? run.limits.checkpoints[run.limits.checkpoints.length - 1]!;
      },
      lifetime: this.lifetime.signal,
    };
    this.attribution = new AttributionService(shared);
    const ui = options.ui;
    const base = path.dirname(options.manifestPath);
    const withProgress: SectionServiceOptions['withProgress'] = (title, task) => ui.withProgress(title, task);
    this.examples = new ExampleService({
      ...shared,
      withProgress,
      ...(ui.pickManifest ? { pickManifest: () => ui.pickManifest!() } : {}),
      displayPath: (file) => (ui.displayPath ? ui.displayPath(file) : relativeTo(base, path.resolve(base, file))),
    });
    const sectionOptions: SectionServiceOptions = { ...shared, withProgress };
    this.neonSemantic = new NeonSemanticService(sectionOptions);
    this.invariances = new InvarianceService(sectionOptions);
  }

  get manifestPath(): string {
    return this.options.manifestPath;
  }

  /** Registers the handlers on a new page's endpoint; nothing is posted to it before its ready request. */
  attach(endpoint: RpcEndpoint): void {
    this.readyEndpoint = undefined;
    this.notifiedBackend = undefined;
    endpoint.onRequest(PanelReadyRequest, (params, context) => this.ready(endpoint, params, context));
    endpoint.onRequest(RevealExampleRequest, (params) => this.reveal(params));
    endpoint.onRequest(PanelAttributeRequest, (params, context) => this.guard(() => this.attribution.attribute(params, context)));
    endpoint.onRequest(PanelUnitsRequest, (params, context) => this.guard(() => this.attribution.latentUnits(params, context)));
    endpoint.onRequest(PanelConsistencyRequest, (params, context) => this.guard(() => this.attribution.consistency(params, context)));
    endpoint.onRequest(PanelSanityRequest, (params, context) => this.guard(() => this.attribution.sanity(params, context)));
    endpoint.onRequest(PanelExampleImportanceRequest, (params, context) => this.guard(() => this.examples.importance(params, context)));
    endpoint.onRequest(PanelBuildIndexRequest, (params, context) => this.guard(() => this.examples.buildIndex(params, context)));
    endpoint.onRequest(PanelSuspiciousRequest, (params, context) => this.guard(() => this.examples.suspicious(params, context)));
    endpoint.onRequest(PanelExampleConsistencyRequest, (params, context) => this.guard(() => this.examples.consistency(params, context)));
    endpoint.onRequest(PanelCompareExamplesRequest, (params, context) => this.guard(() => this.examples.compare(params, context)));
    endpoint.onRequest(PanelNeonRequest, (params, context) => this.guard(() => this.neonSemantic.neon(params, context)));
    endpoint.onRequest(PanelSemanticRequest, (params, context) => this.guard(() => this.neonSemantic.semantic(params, context)));
    endpoint.onRequest(PanelInvarianceRequest, (params, context) => this.guard(() => this.invariances.invariance(params, context)));
  }

  /** Tells the page about a backend change (after a restart), once it is ready. */
  backendChanged(backend: BackendName): void {
    if (this.readyEndpoint && backend !== this.notifiedBackend) {
      this.notifiedBackend = backend;
      this.readyEndpoint.notify(BackendNotification, { backend });
    }
  }

  /** Shows a section of the page (and runs it when `run`): now if the page is ready, else right after it is. */
  revealSection(request: SectionRequest): void {
    if (this.readyEndpoint) this.readyEndpoint.notify(RevealSectionNotification, request);
    else this.pendingSection = request;
  }

  dispose(): void {
    this.lifetime.abort();
    this.attribution.clear();
    this.examples.clear();
    this.neonSemantic.clear();
    this.invariances.clear();
  }

  private async ready(endpoint: RpcEndpoint, raw: unknown, context: RequestContext): Promise<PanelInit> {
    const { restored } = parseReadyParams(raw);
    let run: OpenRun;
    try {
      run = await this.openRun(context.signal);
    } catch (error) {
      throw this.fail(error);
    }
    const checkpoints = run.limits.checkpoints;
    let testIndex = 0;
    let savedSettings: unknown;
    let savedExamples: unknown;
    let saved: Partial<Record<'neon' | 'semantic' | 'invariance', unknown>> = {};
    let checkExamples = DEFAULT_CHECK_EXAMPLES;
    if (restored && path.resolve(restored.manifestPath) === path.resolve(this.manifestPath)) {
      if (indexInRange(restored.testIndex, run.limits.testCount)) testIndex = restored.testIndex;
      if (restored.checkpoint !== undefined && checkpoints.includes(restored.checkpoint)) this.checkpoint = restored.checkpoint;
      savedSettings = restored.settings;
      savedExamples = restored.examples;
      saved = { neon: restored.neon, semantic: restored.semantic, invariance: restored.invariance };
      try {
        checkExamples = parseCheckExamples(restored.checkExamples);
      } catch {
        // Keep the default.
      }
    }
    if (this.checkpoint === undefined || !checkpoints.includes(this.checkpoint)) this.checkpoint = checkpoints[checkpoints.length - 1]!;
    this.readyEndpoint = endpoint;
    // The engine falls back to the manifest path for unnamed runs; the folder name reads better in a title.
    const name = run.manifest.name ?? path.basename(path.dirname(this.manifestPath));
    this.options.ui.setTitle?.(`Explain: ${name}`);
    const init: PanelInit = {
      manifestPath: this.manifestPath,
      runName: name,
      checkpoints: [...checkpoints],
      checkpoint: this.checkpoint,
      testCount: run.limits.testCount,
      testIndex,
      settings: restoreAttributionSettings(savedSettings, run.attribution),
      checkExamples,
      exampleShape: [...run.attribution.exampleShape],
      view: run.attribution.view,
      hasClassOutput: run.attribution.hasClassOutput,
      examples: restoreExamplesState(savedExamples, checkpoints),
      trainCount: run.limits.trainCount,
      testHasLabels: run.testHasLabels,
      trainHasLabels: run.trainHasLabels,
      canPickManifest: this.options.ui.pickManifest !== undefined,
      neon: restoreNeonSettings(saved.neon),
      semantic: restoreSemanticSettings(saved.semantic, run.sections.semanticVae.available),
      invariance: restoreInvarianceSettings(saved.invariance),
      sections: run.sections,
    };
    if (this.pendingSection) init.revealSection = this.pendingSection;
    this.pendingSection = undefined;
    if (run.attribution.latentUnits !== undefined) init.latentUnits = run.attribution.latentUnits;
    const classNames = run.summary.classNames ?? run.manifest.classNames;
    if (classNames) init.classNames = classNames;
    const engine = await this.options.engine.acquire().catch(() => undefined);
    if (engine) {
      init.backend = engine.info.name;
      this.notifiedBackend = engine.info.name;
    }
    return init;
  }

  private async guard<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      throw this.fail(error);
    }
  }

  private async reveal(raw: unknown): Promise<void> {
    try {
      const run = await this.openRun(this.lifetime.signal);
      const { split, index } = parseRevealParams(raw, run.limits);
      await this.options.ui.reveal(locateExample(run.manifest, this.manifestPath, split, index), split, index);
    } catch (error) {
      throw this.fail(error);
    }
  }

  /** The run as opened on the current engine; re-opened after an engine restart. */
  private async openRun(signal: AbortSignal): Promise<OpenRun> {
    const engine = await this.options.engine.acquire();
    if (this.run?.generation === engine.generation) return this.run;
    if (this.opening?.generation !== engine.generation) {
      const promise = this.open(engine, signal);
      const entry = { generation: engine.generation, promise };
      this.opening = entry;
      promise.then(
        (run) => {
          this.run = run;
        },
        () => {
          if (this.opening === entry) this.opening = undefined;
        },
      );
    }
    return this.opening.promise;
  }

  private async open(engine: EngineHandle, signal: AbortSignal): Promise<OpenRun> {
    const manifest = await this.options.loadManifest();
    const summary = await engine.rpc.call(OpenRunRequest, { manifestPath: this.manifestPath }, { signal });
    if (!Number.isSafeInteger(summary.test.count) || summary.test.count <= 0) {
      throw new RpcError('badInput', `The test set of ${this.manifestPath} has no examples.`, this.manifestPath);
    }
    const limits: PanelLimits = {
      testCount: summary.test.count,
      trainCount: summary.train.count,
      checkpoints: manifest.checkpoints.map((c) => c.path),
    };
    this.attribution.clear();
    this.examples.clear();
    this.neonSemantic.clear();
    this.invariances.clear();
    const attribution = await this.attributionLimits(manifest, summary);
    return {
      generation: engine.generation,
      manifest,
      summary,
      limits,
      attribution,
      sections: sectionAvailability({ manifest, view: attribution.view, hasClassOutput: attribution.hasClassOutput }),
      trainShape: summary.train.exampleShape,
      testHasLabels: summary.test.hasLabels,
      trainHasLabels: summary.train.hasLabels,
    };
  }

  private async attributionLimits(manifest: RunManifest, summary: RunSummary): Promise<AttributionLimits> {
    const exampleShape = summary.test.exampleShape;
    const classNames = summary.classNames ?? manifest.classNames;
    const limits: AttributionLimits = { view: inputViewFor(exampleShape), exampleShape, hasClassOutput: summary.lossKind === 'crossEntropy' };
    if (limits.hasClassOutput && classNames) limits.classCount = classNames.length;
    const last = manifest.checkpoints[manifest.checkpoints.length - 1];
    if (this.options.readText && last) {
      const folder = path.resolve(path.dirname(this.manifestPath), last.path);
      const modelJson = folder.endsWith('.json') ? folder : path.join(folder, 'model.json');
      const text = await this.options.readText(modelJson).catch(() => undefined);
      const units = text === undefined ? undefined : representationUnits(text, summary.representationLayer);
      if (units !== undefined) limits.latentUnits = units;
    }
    return limits;
  }

  /** Shows a failure to the user (unless it was a cancellation) and turns it into what the page receives. */
  private fail(error: unknown): RpcError {
    if (!isCancellation(error) && !(error instanceof RpcError && error.code === 'invalidParams')) {
      this.options.ui.showError(describeError(error));
    }
    return toRpcError(error);
  }
}
