import type * as vscode from 'vscode';
import type { Progress } from '../protocol/rpc';
import { progressLine } from '../protocol/webviewProtocol';

/** Adapts the engine's progress to a notification's: VS Code wants increments, the engine sends fractions. */
export function notificationProgress(progress: vscode.Progress<{ message?: string; increment?: number }>): (p: Progress) => void {
  let reported = 0;
  return (p: Progress): void => {
    const step: { message: string; increment?: number } = { message: progressLine(p) };
    if (p.fraction !== undefined && Number.isFinite(p.fraction)) {
      const percent = Math.min(100, Math.max(0, p.fraction * 100));
      if (percent > reported) step.increment = percent - reported;
      reported = Math.max(reported, percent);
    }
    progress.report(step);
  };
}
