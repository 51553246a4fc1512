/**
 * What `modeldebug explain` and the extension's Export Report both do with an
 * explain result: fetch the images the report shows and build the report.
 * Imports nothing node-only, so the extension bundles it too.
 */
import { GetExamplesRequest, type ExplainResult } from '../protocol/engineProtocol';
import type { RpcEndpoint } from '../protocol/rpc';
import type { PhaseTimer } from '../shared/phaseTimer';
import type { ReportImages } from './reportHtml';
import { toReport, type Report } from './reportJson';

export interface ReportWithImages {
  report: Report;
  images: ReportImages;
}

/**
 * The report of `result`, timed by `timer` (its phases, then the engine's as
 * `engine.<phase>`), and the images of its test examples and of every
 * proponent and opponent, fetched as the phase `fetchImages`.
 */
export async function reportWithImages(
  rpc: Pick<RpcEndpoint, 'call'>,
  manifestPath: string,
  result: ExplainResult,
  testIndices: number[],
  timer: PhaseTimer,
  signal?: AbortSignal,
): Promise<ReportWithImages> {
  const options = signal ? { signal } : {};
  const train = new Set(result.examples.flatMap((e) => [...e.proponents, ...e.opponents].map((p) => p.index)));
  const [trainPixels, testPixels] = await timer.run('fetchImages', () =>
    Promise.all([
      rpc.call(GetExamplesRequest, { manifestPath, split: 'train', indices: [...train] }, options),
      rpc.call(GetExamplesRequest, { manifestPath, split: 'test', indices: testIndices }, options),
    ]),
  );
  const report = toReport(manifestPath, result, { ...timer.timings, ...Object.fromEntries(Object.entries(result.timings).map(([k, v]) => [`engine.${k}`, v])) });
  const images: ReportImages = { height: trainPixels.shape[0] ?? 1, width: trainPixels.shape[1] ?? 1, pixels: {} };
  for (const e of trainPixels.examples) images.pixels[`train:${e.index}`] = Array.from(e.values);
  for (const e of testPixels.examples) images.pixels[`test:${e.index}`] = Array.from(e.values);
  return { report, images };
}
