/**
 * Drives the training-examples section and its checks: asks the host for the
 * example importance of the shown test example whenever it, the checkpoint or
 * a method setting changes, and for the gradient index, the suspicious
 * examples, the example consistency and the encoder comparison on demand.
 * Each kind of request is a lane: a new one cancels the one before.
 */
import type { RpcEndpoint } from '../src/protocol/rpc';
import {
  EXAMPLE_LIMITS,
  PanelBuildIndexRequest,
  PanelCompareExamplesRequest,
  PanelExampleConsistencyRequest,
  PanelExampleImportanceRequest,
  PanelSuspiciousRequest,
  type PanelCompareWith,
  type PanelExampleSettings,
  type PanelExamplesState,
  type PanelInit,
} from '../src/protocol/webviewProtocol';
import { ExampleChecksView, PICK_MANIFEST, type ExampleCheckKind } from './exampleChecksView';
import { exampleMethodText, specOf } from './exampleModel';
import { ExamplesView } from './examplesView';
import { RequestLane } from './requestLane';

export interface ExamplesControllerOptions {
  rpc: RpcEndpoint;
  /** Persists the panel state (the pickers changed). */
  save(): void;
  reveal(trainIndex: number): void;
  errorText(error: unknown): string;
  isCancelled(error: unknown): boolean;
}

export class ExamplesController {
  readonly view: ExamplesView;
  readonly checks: ExampleChecksView;
  private settings: PanelExampleSettings | undefined;
  private testIndex = 0;
  private checkpoint = '';
  private readonly importanceLane = new RequestLane();
  private readonly indexLane = new RequestLane();
  private readonly checkLanes: Record<ExampleCheckKind, RequestLane> = { suspicious: new RequestLane(), similarity: new RequestLane(), compare: new RequestLane() };

  constructor(private readonly options: ExamplesControllerOptions) {
    this.view = new ExamplesView({
      settingsChanged: (next) => {
        this.settings = next;
        this.view.settingsChanged(next);
        options.save();
        this.view.markStale();
        this.explain();
      },
      cancel: () => this.importanceLane.cancel(),
      buildIndex: () => this.buildIndex(),
      cancelIndex: () => this.indexLane.cancel(),
      reveal: (i) => options.reveal(i),
    });
    this.checks = new ExampleChecksView({
      run: (kind) => this.runCheck(kind),
      cancel: (kind) => this.checkLanes[kind].cancel(),
      changed: () => options.save(),
      reveal: (i) => options.reveal(i),
    });
  }

  /** What the panel persists for this section; undefined before the run is open. */
  get state(): PanelExamplesState | undefined {
    if (!this.settings) return undefined;
    return { ...this.checks.current, settings: this.settings };
  }

  showInit(init: PanelInit): void {
    this.settings = init.examples.settings;
    this.view.showInit(init);
    this.checks.showInit(init);
  }

  /** The example or checkpoint changed. */
  pick(testIndex: number, checkpoint: string): void {
    this.testIndex = testIndex;
    this.checkpoint = checkpoint;
    this.view.markStale();
    this.explain();
  }

  private failed(status: { fail(message: string): void }): (error: unknown) => void {
    return (error) => status.fail(this.options.isCancelled(error) ? 'Cancelled.' : this.options.errorText(error));
  }

  private explain(): void {
    const settings = this.settings;
    if (!settings) return;
    const status = this.view.status;
    const params = { testIndex: this.testIndex, checkpoint: this.checkpoint, settings };
    status.start(`${exampleMethodText(specOf(settings))} for test example #${this.testIndex}…`);
    void this.importanceLane.run((signal) => this.options.rpc.call(PanelExampleImportanceRequest, params, { signal, onProgress: (p) => status.progress(p) }), {
      done: (result) => {
        status.stop();
        this.view.show(result);
      },
      failed: this.failed(status),
      cancelled: () => status.fail('Cancelled. Change a setting or the example to run again.'),
    });
  }

  private buildIndex(): void {
    const status = this.view.indexStatus;
    status.start('Building the gradient index…');
    void this.indexLane.run((signal) => this.options.rpc.call(PanelBuildIndexRequest, {}, { signal, onProgress: (p) => status.progress(p) }), {
      done: (built) => {
        status.stop();
        this.view.showIndex(built);
      },
      failed: this.failed(status),
      cancelled: () => status.fail('Cancelled. The part already built is kept; building again resumes from it.'),
    });
  }

  /** The suspicious-examples list, run now, with `focusIndex` focused once it is shown (a diagnostic's "Show in Model Debugger"). */
  showSuspicious(focusIndex?: number): void {
    this.runCheck('suspicious', focusIndex);
  }

  private runCheck(kind: ExampleCheckKind, focusIndex?: number): void {
    const settings = this.settings;
    if (!settings) return;
    const status = this.checks.status(kind);
    const state = this.checks.current;
    const onProgress = (p: { message: string; fraction?: number; etaSeconds?: number }): void => status.progress(p);
    const failed = this.failed(status);
    const cancelled = (): void => status.fail('Cancelled.');
    const lane = this.checkLanes[kind];
    const rpc = this.options.rpc;
    const common = { testIndex: this.testIndex, checkpoint: this.checkpoint, settings, exampleCount: state.consistencyExamples };
    if (kind === 'suspicious') {
      status.start('Scoring every training example…');
      // A diagnostic may point at an example below the panel's own cut-off: then list as many as the host allows.
      const limit = focusIndex === undefined ? state.suspiciousLimit : EXAMPLE_LIMITS.suspiciousLimit.max;
      const params = { checkpoint: this.checkpoint, limit };
      void lane.run((signal) => rpc.call(PanelSuspiciousRequest, params, { signal, onProgress }), {
        done: (result) => {
          status.stop();
          this.checks.showSuspicious(result, focusIndex);
        },
        failed,
        cancelled,
      });
    } else if (kind === 'similarity') {
      status.start(`Similarity rate of ${state.consistencyMethods.length} method${state.consistencyMethods.length === 1 ? '' : 's'} over ${state.consistencyExamples} test examples…`);
      void lane.run((signal) => rpc.call(PanelExampleConsistencyRequest, { ...common, methods: state.consistencyMethods }, { signal, onProgress }), {
        done: (result) => {
          status.stop();
          this.checks.showSimilarity(result);
        },
        failed,
        cancelled,
      });
    } else {
      const choice = this.checks.compareChoice;
      const other: PanelCompareWith = choice === PICK_MANIFEST ? { kind: 'pickManifest' } : { kind: 'checkpoint', checkpoint: choice };
      status.start(other.kind === 'pickManifest' ? 'Waiting for the other run\u2019s manifest…' : `Comparing with ${choice}…`);
      void lane.run((signal) => rpc.call(PanelCompareExamplesRequest, { ...common, other }, { signal, onProgress }), {
        done: (result) => {
          if (result === null) status.fail('No manifest chosen.');
          else {
            status.stop();
            this.checks.showComparison(result);
          }
        },
        failed,
        cancelled,
      });
    }
  }
}
