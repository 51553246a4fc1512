/**
 * The explanation panel page: says ready, then asks the host for the
 * attribution and the training examples (ExamplesController) whenever the user
 * picks a test example, a checkpoint or a setting, and for the per-unit maps
 * and checks on demand. Each kind of request is a lane: a new one cancels the
 * one before, and only the latest answer is shown. The example, checkpoint and
 * settings are saved with setState, so a reload restores them.
 */
import { RpcEndpoint, RpcError } from '../src/protocol/rpc';
import {
  BackendNotification,
  isPanelSection,
  PanelAttributeRequest,
  PanelConsistencyRequest,
  PanelReadyRequest,
  PanelSanityRequest,
  PanelUnitsRequest,
  RevealExampleRequest,
  RevealSectionNotification,
  type PanelAttributionSettings,
  type PanelSection,
  type PanelInit,
  type PanelState,
} from '../src/protocol/webviewProtocol';
import { AttributionView } from './attributionView';
import { ChecksView, type CheckKind } from './checksView';
import { ExamplesController } from './examplesController';
import { RequestLane } from './requestLane';
import { SectionsController } from './sectionsController';
import { checkSignature, methodText } from './settingsModel';
import { registerToolkit } from './toolkit';
import { hostTransport } from './transport';
import { PanelView } from './view';
import { vscodeApi } from './vscodeApi';

function errorText(error: unknown): string {
  if (error instanceof RpcError) return error.file && !error.message.includes(error.file) ? `${error.message} (${error.file})` : error.message;
  return error instanceof Error ? error.message : String(error);
}

function isCancelled(error: unknown): boolean {
  return error instanceof RpcError && error.code === 'cancelled';
}

function main(): void {
  registerToolkit();
  const api = vscodeApi<PanelState>();
  const rpc = new RpcEndpoint(hostTransport(api));
  let init: PanelInit | undefined;
  let settings: PanelAttributionSettings | undefined;
  let testIndex = 0;
  let checkpoint = '';
  const attributeLane = new RequestLane();
  const checkLanes: Record<CheckKind, RequestLane> = { units: new RequestLane(), consistency: new RequestLane(), sanity: new RequestLane() };

  const save = (): void => {
    if (!init) return;
    const examples = training.state;
    api.setState({
      manifestPath: init.manifestPath,
      checkpoint,
      testIndex,
      ...(settings ? { settings } : {}),
      checkExamples: checks.exampleCount,
      ...(examples ? { examples } : {}),
      ...(sections.state ?? {}),
    });
  };

  const attribute = (): void => {
    if (!init || !settings) return;
    const params = { testIndex, checkpoint, settings };
    const shown = settings;
    const status = attribution.status;
    status.start(`${methodText(shown, init.view)} for test example #${testIndex}…`);
    void attributeLane.run((signal) => rpc.call(PanelAttributeRequest, params, { signal, onProgress: (p) => status.progress(p) }), {
      done: (result) => {
        status.stop();
        if (result.target.kind === 'allUnits') attribution.settings.setUnits(result.maps.length);
        attribution.show(result, shown, init!);
      },
      failed: (error) => status.fail(isCancelled(error) ? 'Cancelled.' : errorText(error)),
      cancelled: () => status.fail('Cancelled. Change a setting to run again.'),
    });
  };

  const signature = (kind: CheckKind, s: PanelAttributionSettings): string =>
    checkSignature(kind, s, { testIndex, checkpoint, exampleCount: checks.exampleCount, view: init?.view ?? 'image' });
  const refreshStale = (): void => {
    const current = settings;
    if (current) checks.updateStale((kind) => signature(kind, current));
  };

  const runCheck = (kind: CheckKind): void => {
    if (!init || !settings) return;
    const status = checks.status(kind);
    const shown = settings;
    const shownSignature = signature(kind, shown);
    const label = methodText(shown, init.view);
    const onProgress = (p: { message: string; fraction?: number }): void => status.progress(p);
    const common = { testIndex, checkpoint, settings: shown };
    const exampleCount = checks.exampleCount;
    const failed = (error: unknown): void => status.fail(isCancelled(error) ? 'Cancelled.' : errorText(error));
    const cancelled = (): void => status.fail('Cancelled.');
    const lane = checkLanes[kind];
    if (kind === 'units') {
      status.start(`Per-unit maps over ${exampleCount} example${exampleCount === 1 ? '' : 's'}…`);
      void lane.run((signal) => rpc.call(PanelUnitsRequest, { ...common, exampleCount }, { signal, onProgress }), {
        done: (result) => {
          status.stop();
          attribution.settings.setUnits(result.units);
          checks.showUnits(result, label, shownSignature);
          refreshStale();
        },
        failed,
        cancelled,
      });
    } else if (kind === 'consistency') {
      status.start(`Consistency check over ${exampleCount} example${exampleCount === 1 ? '' : 's'}…`);
      void lane.run((signal) => rpc.call(PanelConsistencyRequest, { ...common, exampleCount }, { signal, onProgress }), {
        done: (result) => {
          status.stop();
          checks.showConsistency(result, label, shownSignature);
          refreshStale();
        },
        failed,
        cancelled,
      });
    } else {
      status.start('Sanity check…');
      void lane.run((signal) => rpc.call(PanelSanityRequest, common, { signal, onProgress }), {
        done: (result) => {
          status.stop();
          checks.showSanity(result, label, shownSignature);
          refreshStale();
        },
        failed,
        cancelled,
      });
    }
  };

  /** The example or checkpoint changed: everything is recomputed or marked as computed for the old one. */
  const pick = (index: number, chosen: string): void => {
    testIndex = index;
    checkpoint = chosen;
    save();
    attribution.markStale();
    refreshStale();
    training.pick(index, chosen);
    sections.pick(index, chosen);
    attribute();
  };

  const attribution = new AttributionView({
    settingsChanged: (next) => {
      settings = next;
      if (init) attribution.settingsChanged(next, init);
      save();
      refreshStale();
      attribute();
    },
    cancel: () => attributeLane.cancel(),
  });
  const checks = new ChecksView({
    run: runCheck,
    cancel: (kind) => checkLanes[kind].cancel(),
    examplesChanged: () => {
      save();
      refreshStale();
    },
  });

  const training = new ExamplesController({
    rpc,
    save: () => save(),
    reveal: (index) => {
      rpc.call(RevealExampleRequest, { split: 'train', index }).catch((error: unknown) => view.showError(errorText(error)));
    },
    errorText,
    isCancelled,
  });

  const sections = new SectionsController({ rpc, save: () => save(), errorText, isCancelled });

  /** A command opened the panel at a section: scroll it into view, and run it when asked (the comparison needs a choice first). */
  const revealSection = (section: PanelSection, run: boolean, trainIndex?: number): void => {
    const target = document.getElementById(`section-${section}`);
    if (target) {
      target.scrollIntoView({ block: 'start' });
      target.classList.add('revealed');
      setTimeout(() => target.classList.remove('revealed'), 2000);
    }
    if (run && section === 'units') runCheck('units');
    if (run && section === 'consistency') runCheck('consistency');
    if (run && section === 'suspicious') training.showSuspicious(trainIndex);
    if (run && (section === 'neon' || section === 'semantic')) sections.run(section);
  };

  const ready = async (): Promise<void> => {
    view.showError(undefined);
    view.setBusy('Opening the run…');
    try {
      const restored = api.getState();
      init = await rpc.call(PanelReadyRequest, restored ? { restored } : {});
      settings = init.settings;
      view.showInit(init);
      attribution.showInit(init);
      checks.showInit(init);
      training.showInit(init);
      sections.showInit(init);
      view.setBusy(undefined);
      pick(init.testIndex, init.checkpoint);
      if (init.revealSection) revealSection(init.revealSection.section, init.revealSection.run, init.revealSection.trainIndex);
    } catch (error) {
      view.setBusy(undefined);
      view.showError(errorText(error), true);
    }
  };

  const view = new PanelView(
    document.getElementById('app')!,
    {
      pick,
      retry: () => {
        if (init) pick(view.testIndex, view.selectedCheckpoint ?? init.checkpoint);
        else void ready();
      },
    },
    attribution,
    checks,
    training.view,
    training.checks,
    [sections.neon.element, sections.semantic.element, sections.invariance.element],
  );
  rpc.onNotification(BackendNotification, ({ backend }) => view.setBackend(backend));
  rpc.onNotification(RevealSectionNotification, ({ section, run, trainIndex }) => {
    if (init && isPanelSection(section)) revealSection(section, run === true, Number.isSafeInteger(trainIndex) ? trainIndex : undefined);
  });
  void ready();
}

main();
