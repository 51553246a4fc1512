#!/usr/bin/env node
/** `modeldebug`: the command-line face of the engine. */
import { parseArgs, USAGE, UsageError } from './args';
import { runExplain } from './runExplain';

async function main(): Promise<number> {
  let command;
  try {
    command = parseArgs(process.argv.slice(2));
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`modeldebug: ${error.message}\n\n${USAGE}`);
      return 2;
    }
    throw error;
  }
  const controller = new AbortController();
  process.once('SIGINT', () => controller.abort());
  const log = (line: string): void => console.error(line);
  try {
    const { report, jsonPath, htmlPath } = await runExplain(command, log, controller.signal);
    console.log(`report.json: ${jsonPath}`);
    console.log(`report.html: ${htmlPath}`);
    console.log('timings (s):');
    for (const [phase, seconds] of Object.entries(report.timings)) console.log(`  ${phase.padEnd(20)} ${seconds.toFixed(2)}`);
    return 0;
  } catch (error) {
    const e = error as { message?: string; file?: string };
    console.error(`modeldebug: ${e.message ?? String(error)}`);
    return 1;
  }
}

void main().then((code) => {
  process.exitCode = code;
});
