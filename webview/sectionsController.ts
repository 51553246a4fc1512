/**
 * Drives the NEON, semantic Shapley and invariance sections: asks the host
 * when a section's button is pressed (or a command opened the panel there
 * with "run"), for the shown test example and checkpoint; marks the results
 * stale when the example, checkpoint or settings change. Each kind of request
 * is a lane: a new one cancels the one before.
 */
import type { InvarianceKind } from '../src/protocol/engineProtocol';
import type { RpcEndpoint } from '../src/protocol/rpc';
import {
  PanelInvarianceRequest,
  PanelNeonRequest,
  PanelSemanticRequest,
  type PanelInit,
  type PanelInvarianceSettings,
  type PanelNeonSettings,
  type PanelSemanticSettings,
} from '../src/protocol/webviewProtocol';
import { InvarianceView } from './invarianceView';
import { neonSettingsText } from './neonModel';
import { NeonView } from './neonView';
import { RequestLane } from './requestLane';
import { semanticSettingsText, SemanticView } from './semanticView';
import type { TaskStatus } from './taskStatus';

export interface SectionsControllerOptions {
  rpc: RpcEndpoint;
  /** Persists the panel state (a picker changed). */
  save(): void;
  errorText(error: unknown): string;
  isCancelled(error: unknown): boolean;
}

export interface SectionsState {
  neon: PanelNeonSettings;
  semantic: PanelSemanticSettings;
  invariance: PanelInvarianceSettings;
}

const STALE = 'Computed for another example or checkpoint.';

export class SectionsController {
  readonly neon: NeonView;
  readonly semantic: SemanticView;
  readonly invariance: InvarianceView;
  private testIndex = 0;
  private checkpoint = '';
  private initialised = false;
  private readonly neonLane = new RequestLane();
  private readonly semanticLane = new RequestLane();
  private readonly invarianceLanes: Record<InvarianceKind, RequestLane> = { samples: new RequestLane(), curve: new RequestLane(), counterfactuals: new RequestLane(), divergence: new RequestLane() };

  constructor(private readonly options: SectionsControllerOptions) {
    this.neon = new NeonView({ run: () => this.runNeon(), cancel: () => this.neonLane.cancel(), changed: () => options.save() });
    this.semantic = new SemanticView({ run: () => this.runSemantic(), cancel: () => this.semanticLane.cancel(), changed: () => options.save() });
    this.invariance = new InvarianceView({ run: (kind) => this.runInvariance(kind), cancel: (kind) => this.invarianceLanes[kind].cancel(), changed: () => options.save() });
  }

  /** What the panel persists for these sections; undefined before the run is open. */
  get state(): SectionsState | undefined {
    if (!this.initialised) return undefined;
    return { neon: this.neon.form.current, semantic: this.semantic.form.current, invariance: this.invariance.current };
  }

  showInit(init: PanelInit): void {
    this.neon.showInit(init);
    this.semantic.showInit(init);
    this.invariance.showInit(init);
    this.initialised = true;
  }

  /** The example or checkpoint changed: shown results were for the old one. */
  pick(testIndex: number, checkpoint: string): void {
    const changed = this.initialised && (testIndex !== this.testIndex || checkpoint !== this.checkpoint);
    this.testIndex = testIndex;
    this.checkpoint = checkpoint;
    if (!changed) return;
    this.neon.shell.markStale(STALE);
    this.semantic.shell.markStale(STALE);
    this.invariance.markStale(['samples', 'counterfactuals', 'divergence'], STALE);
  }

  /** A command opened the panel at a section and asked to run it (when it applies). */
  run(section: 'neon' | 'semantic' | 'invariance'): void {
    if (section === 'neon' && this.neon.shell.available) this.runNeon();
    if (section === 'semantic' && this.semantic.shell.available) this.runSemantic();
  }

  private handlers(status: TaskStatus): { failed(error: unknown): void; cancelled(): void } {
    return {
      failed: (error) => status.fail(this.options.isCancelled(error) ? 'Cancelled.' : this.options.errorText(error)),
      cancelled: () => status.fail('Cancelled. Press the button to run again.'),
    };
  }

  private runNeon(): void {
    if (!this.initialised) return;
    const settings = this.neon.form.current;
    const status = this.neon.shell.status;
    status.start(`${neonSettingsText(settings)} for test example #${this.testIndex}…`);
    const params = { testIndex: this.testIndex, checkpoint: this.checkpoint, settings };
    void this.neonLane.run((signal) => this.options.rpc.call(PanelNeonRequest, params, { signal, onProgress: (p) => status.progress(p) }), {
      done: (result) => this.neon.show(result),
      ...this.handlers(status),
    });
  }

  private runSemantic(): void {
    if (!this.initialised) return;
    const settings = this.semantic.form.current;
    const status = this.semantic.shell.status;
    status.start(`Semantic Shapley values (${semanticSettingsText(settings)}) for test example #${this.testIndex}…`);
    const params = { testIndex: this.testIndex, checkpoint: this.checkpoint, settings };
    void this.semanticLane.run((signal) => this.options.rpc.call(PanelSemanticRequest, params, { signal, onProgress: (p) => status.progress(p) }), {
      done: (result) => this.semantic.show(result),
      ...this.handlers(status),
    });
  }

  private runInvariance(kind: InvarianceKind): void {
    if (!this.initialised) return;
    const status = this.invariance.status(kind);
    status.start(kind === 'curve' ? 'The invariance curve…' : `${kind === 'samples' ? 'Invariant samples' : kind === 'counterfactuals' ? 'Counterfactuals' : 'Divergence maps'} for test example #${this.testIndex}…`);
    const params = { testIndex: this.testIndex, checkpoint: this.checkpoint, kind, settings: this.invariance.current };
    void this.invarianceLanes[kind].run((signal) => this.options.rpc.call(PanelInvarianceRequest, params, { signal, onProgress: (p) => status.progress(p) }), {
      done: (result) => this.invariance.show(result),
      ...this.handlers(status),
    });
  }
}
