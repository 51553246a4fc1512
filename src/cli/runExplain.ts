/**
 * Drives the engine for `modeldebug explain`: the same child process and the
 * same protocol the extension uses, so the CLI exercises the real path.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { ExplainRequest, GetExamplesRequest, InitializeRequest, OpenRunRequest, type ExplainParams } from '../protocol/engineProtocol';
import { EngineProcess } from '../host/engineProcess';
import type { ExplainCommand } from './args';
import { progressLogger } from './engineSession';
import { renderReportHtml, type ReportImages } from './reportHtml';
import { toReport, type Report } from './reportJson';

export interface ExplainOutcome {
  report: Report;
  jsonPath: string;
  htmlPath: string;
}

function engineEntry(): { enginePath: string; execArgv: string[] } {
  // From the bundle, dist/cli.js sits beside dist/engine.js; from sources (tests), run the engine through tsx.
  if (__filename.endsWith('.ts')) return { enginePath: path.join(__dirname, '..', 'engine', 'main.ts'), execArgv: ['--import', 'tsx'] };
  return { enginePath: path.join(__dirname, 'engine.js'), execArgv: [] };
}

export async function runExplain(command: ExplainCommand, log: (line: string) => void, signal?: AbortSignal): Promise<ExplainOutcome> {
  const manifest = path.resolve(command.manifest);
  const outDir = path.resolve(command.out ?? path.dirname(manifest));
  const timings: Record<string, number> = {};
  const timed = async <T>(phase: string, work: () => Promise<T>): Promise<T> => {
    const t0 = performance.now();
    try {
      return await work();
    } finally {
      timings[phase] = (performance.now() - t0) / 1000;
    }
  };

  const engine = EngineProcess.start({
    ...engineEntry(),
    env: command.backend ? { MODELDEBUG_BACKEND: command.backend } : {},
    onLog: ({ level, message }) => {
      if (level !== 'info' || process.env.MODELDEBUG_VERBOSE) log(`engine ${level}: ${message}`);
    },
  });
  try {
    const backend = await timed('engineStart', () => engine.rpc.call(InitializeRequest, command.backend ? { preferredBackend: command.backend } : {}, { signal }));
    log(`backend: ${backend.name}${backend.skipped.length ? ` (skipped: ${backend.skipped.join('; ')})` : ''}`);
    const run = await timed('openRun', () => engine.rpc.call(OpenRunRequest, { manifestPath: manifest }, { signal }));
    log(`run: ${run.name}: ${run.train.count} training and ${run.test.count} test examples, ${run.checkpoints.length} checkpoints`);

    const result = await engine.rpc.call(ExplainRequest, explainParams(manifest, command), { signal, onProgress: progressLogger(log) });
    const train = new Set(result.examples.flatMap((e) => [...e.proponents, ...e.opponents].map((p) => p.index)));
    const [trainPixels, testPixels] = await timed('fetchImages', () =>
      Promise.all([
        engine.rpc.call(GetExamplesRequest, { manifestPath: manifest, split: 'train', indices: [...train] }, { signal }),
        engine.rpc.call(GetExamplesRequest, { manifestPath: manifest, split: 'test', indices: command.indices }, { signal }),
      ]),
    );
    const report = toReport(manifest, result, { ...timings, ...Object.fromEntries(Object.entries(result.timings).map(([k, v]) => [`engine.${k}`, v])) });
    const images: ReportImages = { height: trainPixels.shape[0] ?? 1, width: trainPixels.shape[1] ?? 1, pixels: {} };
    for (const e of trainPixels.examples) images.pixels[`train:${e.index}`] = Array.from(e.values);
    for (const e of testPixels.examples) images.pixels[`test:${e.index}`] = Array.from(e.values);

    await fs.mkdir(outDir, { recursive: true });
    const jsonPath = path.join(outDir, 'report.json');
    const htmlPath = path.join(outDir, 'report.html');
    await writeAtomically(jsonPath, JSON.stringify(report, null, 1));
    await writeAtomically(htmlPath, renderReportHtml(report, images));
    return { report, jsonPath, htmlPath };
  } finally {
    await engine.dispose();
  }
}

/** Never leave a half-written report where the user's old one was. */
async function writeAtomically(file: string, text: string): Promise<void> {
  const temp = `${file}.${process.pid}.tmp`;
  await fs.writeFile(temp, text);
  await fs.rename(temp, file);
}

function explainParams(manifestPath: string, command: ExplainCommand): ExplainParams {
  const params: ExplainParams = { manifestPath, testIndices: command.indices };
  if (command.steps !== undefined) params.steps = command.steps;
  if (command.topK !== undefined) params.topK = command.topK;
  if (command.checkpoint !== undefined) params.checkpoint = command.checkpoint;
  return params;
}
