/**
 * `npm run bench [-- <part> ...]`: throughput of the engine's methods and
 * their peak memory. Parts: attribution (feature attribution on the demo
 * encoder, in this process, which runs the engine's code the way the forked
 * engine does) and examples (example importance through a forked engine; see
 * exampleBench.ts). Numbers are printed, never asserted.
 */
import { selectBackend } from '../src/engine/backend/selectBackend';
import { benchAttribution } from './attributionBench';
import { mebibytes } from './benchMetrics';
import { BENCH_USAGE, BenchUsageError, parseBenchParts, type BenchParts } from './benchParts';
import { benchExamples } from './exampleBench';

async function attribution(): Promise<void> {
  const backend = await selectBackend({ log: (line: string) => console.error(line) });
  console.log(`backend: ${backend.name} (TF.js ${backend.tfjsVersion})${backend.skipped.length ? `; skipped: ${backend.skipped.join('; ')}` : ''}`);
  console.log('\nFeature attribution on the demo encoder (label-free target)');
  console.log(`${'method'.padEnd(44)} examples/s`);
  for (const row of await benchAttribution()) console.log(`${row.method.padEnd(44)} ${row.examplesPerSecond.toFixed(2)}`);
  // maxRSS is reported in kilobytes.
  console.log(`\npeak memory (max RSS of this process, which ran the attribution code): ${mebibytes(process.resourceUsage().maxRSS * 1024)}`);
}

async function main(): Promise<void> {
  let parts: BenchParts;
  try {
    parts = parseBenchParts(process.argv.slice(2), process.env.MODELDEBUG_BENCH);
  } catch (error) {
    if (!(error instanceof BenchUsageError)) throw error;
    console.error(`bench: ${error.message}\n\n${BENCH_USAGE}`);
    process.exitCode = 2;
    return;
  }
  const controller = new AbortController();
  process.once('SIGINT', () => {
    console.error('bench: cancelling (Ctrl-C again to quit at once)');
    controller.abort();
  });
  if (parts.attribution) await attribution();
  await benchExamples(parts.examples, (line) => console.log(line), (line) => console.error(line), controller.signal);
}

main().catch((error: unknown) => {
  console.error(`bench failed: ${(error as Error).stack ?? String(error)}`);
  process.exitCode = 1;
});
