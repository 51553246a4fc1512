/** What the status bar says about the engine: its state, the TF.js backend it chose, and any work in progress. */
import type { BackendInfo } from '../protocol/engineProtocol';

export interface BackendStatusText {
  text: string;
  tooltip: string;
}

const CLICK_FOR_LOG = 'Click to show the engine log.';

function backendLines(info: BackendInfo): string[] {
  const heap = info.heapLimitMb === undefined ? '' : ` Heap limit ${info.heapLimitMb} MB.`;
  const lines = [`Model Debugger engine: TensorFlow.js ${info.tfjsVersion} on the "${info.name}" backend.${heap}`];
  if (info.skipped.length > 0) {
    lines.push('', 'Skipped backends:');
    for (const reason of info.skipped) lines.push(`• ${reason}`);
  }
  return lines;
}

export function describeBackend(info: BackendInfo): BackendStatusText {
  return { text: `$(pulse) TF.js: ${info.name}`, tooltip: [...backendLines(info), '', CLICK_FOR_LOG].join('\n') };
}

export const BACKEND_STARTING: BackendStatusText = {
  text: '$(loading~spin) TF.js: starting',
  tooltip: `The Model Debugger engine is starting. ${CLICK_FOR_LOG}`,
};

/** The work the engine is doing for the user right now (the most recent request that reports progress). */
export interface WorkStatus {
  title: string;
  /** 0..100, when the request reported a fraction. */
  percent?: number;
  /** Requests in flight, this one included. */
  count: number;
}

export type EngineState =
  /** No engine was needed yet, or it was stopped: nothing to show. */
  | { kind: 'stopped' }
  | { kind: 'starting' }
  | { kind: 'ready'; info: BackendInfo }
  /** Crashed; the manager restarts it after a back-off. */
  | { kind: 'restarting'; reason: string; delayMs: number }
  /** Crashed too often; nothing restarts until the user asks. */
  | { kind: 'failed'; message: string }
  /** Restricted Mode: no engine process may be spawned. */
  | { kind: 'restricted' };

export interface EngineStatusText extends BackendStatusText {
  /** Hidden when there is nothing to say. */
  visible: boolean;
  /** Draw the item with the error or warning background. */
  severity?: 'error' | 'warning';
}

/** Percentages are whole numbers, clamped to 0..100; unknown fractions give none. */
export function toPercent(fraction: number | undefined): number | undefined {
  if (fraction === undefined || !Number.isFinite(fraction)) return undefined;
  return Math.round(100 * Math.min(1, Math.max(0, fraction)));
}

export function describeEngineStatus(state: EngineState, work?: WorkStatus): EngineStatusText {
  switch (state.kind) {
    case 'stopped':
      return { visible: false, text: '', tooltip: '' };
    case 'starting':
      return { visible: true, ...BACKEND_STARTING };
    case 'ready': {
      if (!work) return { visible: true, ...describeBackend(state.info) };
      const percent = work.percent === undefined ? '' : ` ${work.percent}%`;
      const more = work.count > 1 ? ` (+${work.count - 1} more)` : '';
      return {
        visible: true,
        text: `$(sync~spin) TF.js: ${state.info.name}${percent}`,
        tooltip: [`Working: ${work.title}${percent}${more}`, '', ...backendLines(state.info), '', CLICK_FOR_LOG].join('\n'),
      };
    }
    case 'restarting':
      return {
        visible: true,
        severity: 'warning',
        text: '$(warning) TF.js: restarting',
        tooltip: `The Model Debugger engine stopped unexpectedly (${state.reason.trim()}) and restarts in ${Math.max(1, Math.round(state.delayMs / 1000))} s. ${CLICK_FOR_LOG}`,
      };
    case 'failed':
      return {
        visible: true,
        severity: 'error',
        text: '$(error) TF.js: failed',
        tooltip: `${state.message}\n\nRun "Model Debugger: Restart Engine" to try again. ${CLICK_FOR_LOG}`,
      };
    case 'restricted':
      return {
        visible: true,
        text: '$(shield) Model Debugger: Restricted Mode',
        tooltip: 'Model Debugger runs no engine in Restricted Mode: the engine loads model and data files from this workspace. Trust the workspace to explain checkpoints.',
      };
  }
}
