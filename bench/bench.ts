/**
 * `npm run bench`: throughput of the engine's methods on the demo encoder,
 * and the peak memory of this process, which runs the engine's code in the
 * same way the forked engine does. Numbers are printed, never asserted.
 */
import { selectBackend } from '../src/engine/backend/selectBackend';
import { benchAttribution } from './attributionBench';

function megabytes(bytes: number): string {
  return `${(bytes / (1 << 20)).toFixed(0)} MiB`;
}

async function main(): Promise<void> {
  const backend = await selectBackend({ log: (line) => console.error(line) });
  console.log(`backend: ${backend.name} (TF.js ${backend.tfjsVersion})${backend.skipped.length ? `; skipped: ${backend.skipped.join('; ')}` : ''}`);
  console.log('\nFeature attribution on the demo encoder (label-free target)');
  console.log(`${'method'.padEnd(44)} examples/s`);
  for (const row of await benchAttribution()) console.log(`${row.method.padEnd(44)} ${row.examplesPerSecond.toFixed(2)}`);
  // maxRSS is reported in kilobytes.
  console.log(`\npeak memory (max RSS of the engine process): ${megabytes(process.resourceUsage().maxRSS * 1024)}`);
}

main().catch((error: unknown) => {
  console.error(`bench failed: ${(error as Error).stack ?? String(error)}`);
  process.exitCode = 1;
});
