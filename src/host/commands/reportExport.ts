/**
 * "Export Report": the pipeline of `modeldebug explain` (src/cli/runExplain.ts)
 * run through the extension's engine, written with the CLI's own report
 * writers, so the files match what the CLI makes. Free of `vscode`.
 */
import * as path from 'node:path';
import { ExplainRequest, OpenRunRequest, type ExplainParams } from '../../protocol/engineProtocol';
import type { Progress } from '../../protocol/rpc';
import { reportWithImages } from '../../cli/explainReport';
import { PhaseTimer } from '../../shared/phaseTimer';
import { renderReportHtml } from '../../cli/reportHtml';
import type { Report } from '../../cli/reportJson';
import type { EngineHandle } from '../engineHandle';

/** As `modeldebug explain` without --examples: test examples 0..7. */
export const DEFAULT_REPORT_EXAMPLES = 8;

export interface ExportedReport {
  report: Report;
  json: string;
  html: string;
}

export interface ExportOptions {
  checkpoint?: string;
  signal?: AbortSignal;
  onProgress?: (progress: Progress) => void;
  /** Test examples 0..n-1, capped at the test set's size. */
  examples?: number;
}

export async function buildReport(engine: Pick<EngineHandle, 'rpc'>, manifestPath: string, options: ExportOptions = {}): Promise<ExportedReport> {
  const manifest = path.resolve(manifestPath);
  const { signal } = options;
  const timer = new PhaseTimer();
  const report = (message: string, fraction?: number): void => options.onProgress?.(fraction === undefined ? { message } : { message, fraction });

  report('Opening the run', 0);
  const run = await timer.run('openRun', () => engine.rpc.call(OpenRunRequest, { manifestPath: manifest }, signal ? { signal } : {}));
  const count = Math.max(1, Math.min(options.examples ?? DEFAULT_REPORT_EXAMPLES, run.test.count));
  const params: ExplainParams = { manifestPath: manifest, testIndices: Array.from({ length: count }, (_, i) => i) };
  if (options.checkpoint !== undefined) params.checkpoint = options.checkpoint;
  const result = await engine.rpc.call(ExplainRequest, params, {
    ...(signal ? { signal } : {}),
    onProgress: (p) => options.onProgress?.({ ...p, ...(p.fraction === undefined ? {} : { fraction: 0.05 + 0.9 * p.fraction }) }),
  });
  report('Fetching the images', 0.95);
  const { report: built, images } = await reportWithImages(engine.rpc, manifest, result, params.testIndices, timer, signal);
  report('Done', 1);
  return { report: built, json: JSON.stringify(built, null, 1), html: renderReportHtml(built, images) };
}

/** Both files from the one the user named in the save dialog: `x.html` or `x.json` gives `x.html` and `x.json`. */
export function reportPaths(chosen: string): { html: string; json: string } {
  const ext = path.extname(chosen).toLowerCase();
  const base = ext === '.html' || ext === '.htm' || ext === '.json' ? chosen.slice(0, -ext.length) : chosen;
  return { html: `${base}${ext === '.htm' ? '.htm' : '.html'}`, json: `${base}.json` };
}
