/** What the status bar says about the TF.js backend the engine chose. */
import type { BackendInfo } from '../protocol/engineProtocol';

export interface BackendStatusText {
  text: string;
  tooltip: string;
}

export function describeBackend(info: BackendInfo): BackendStatusText {
  const lines = [`Model Debugger engine: TensorFlow.js ${info.tfjsVersion} on the "${info.name}" backend.`];
  if (info.skipped.length > 0) {
    lines.push('', 'Skipped backends:');
    for (const reason of info.skipped) lines.push(`• ${reason}`);
  }
  lines.push('', 'Click to show the engine log.');
  return { text: `$(pulse) TF.js: ${info.name}`, tooltip: lines.join('\n') };
}

export const BACKEND_STARTING: BackendStatusText = {
  text: '$(loading~spin) TF.js: starting',
  tooltip: 'The Model Debugger engine is starting. Click to show the engine log.',
};
