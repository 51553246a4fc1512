/**
 * Drives the engine for `modeldebug explain`: the same child process and the
 * same protocol the extension uses, so the CLI exercises the real path.
 */
import * as path from 'node:path';
import { ExplainRequest, OpenRunRequest, type ExplainParams } from '../protocol/engineProtocol';
import type { ExplainCommand } from './args';
import { progressLogger, startEngine, writeTextAtomically } from './engineSession';
import { reportWithImages } from './explainReport';
import { PhaseTimer } from '../shared/phaseTimer';
import { renderReportHtml } from './reportHtml';
import type { Report } from './reportJson';

export interface ExplainOutcome {
  report: Report;
  jsonPath: string;
  htmlPath: string;
}

export async function runExplain(command: ExplainCommand, log: (line: string) => void, signal?: AbortSignal): Promise<ExplainOutcome> {
  const manifest = path.resolve(command.manifest);
  const outDir = path.resolve(command.out ?? path.dirname(manifest));
  const timer = new PhaseTimer();
  const { engine } = await timer.run('engineStart', () => startEngine(command.backend, log, signal));
  try {
    const run = await timer.run('openRun', () => engine.rpc.call(OpenRunRequest, { manifestPath: manifest }, { signal }));
    log(`run: ${run.name}: ${run.train.count} training and ${run.test.count} test examples, ${run.checkpoints.length} checkpoints`);
    const result = await engine.rpc.call(ExplainRequest, explainParams(manifest, command), { signal, onProgress: progressLogger(log) });
    const { report, images } = await reportWithImages(engine.rpc, manifest, result, command.indices, timer, signal);
    const jsonPath = await writeTextAtomically(path.join(outDir, 'report.json'), JSON.stringify(report, null, 1));
    const htmlPath = await writeTextAtomically(path.join(outDir, 'report.html'), renderReportHtml(report, images));
    return { report, jsonPath, htmlPath };
  } finally {
    await engine.dispose();
  }
}

function explainParams(manifestPath: string, command: ExplainCommand): ExplainParams {
  const params: ExplainParams = { manifestPath, testIndices: command.indices };
  if (command.steps !== undefined) params.steps = command.steps;
  if (command.topK !== undefined) params.topK = command.topK;
  if (command.checkpoint !== undefined) params.checkpoint = command.checkpoint;
  return params;
}
