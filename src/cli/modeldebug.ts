#!/usr/bin/env node
/** `modeldebug`: the command-line face of the engine. */
import type { ExplainCommand } from './args';
import type { AttributeCommand, ChecksCommand } from './attributionArgs';
import { formatAttributeSummary, formatChecksSummary } from './attributionSummary';
import { parseCommand, type Command } from './commands';
import type { ExampleCommand } from './exampleArgs';
import { runExampleCommand } from './runExamples';
import { runInvariance } from './runInvariance';
import type { InvarianceCommand } from './invarianceArgs';
import { runAttribute } from './runAttribute';
import { runChecks } from './runChecks';
import { runExplain } from './runExplain';
import { runUnsupervisedCommand } from './runUnsupervised';
import { USAGE } from './usageText';
import { UsageError } from './usageError';
import type { UnsupervisedCommand } from './unsupervisedArgs';

type Log = (line: string) => void;

async function explain(command: ExplainCommand, log: Log, signal: AbortSignal): Promise<number> {
  const { report, jsonPath, htmlPath } = await runExplain(command, log, signal);
  console.log(`report.json: ${jsonPath}`);
  console.log(`report.html: ${htmlPath}`);
  console.log('timings (s):');
  for (const [phase, seconds] of Object.entries(report.timings)) console.log(`  ${phase.padEnd(20)} ${seconds.toFixed(2)}`);
  return 0;
}

async function attribute(command: AttributeCommand, log: Log, signal: AbortSignal): Promise<number> {
  const { result, jsonPath } = await runAttribute(command, log, signal);
  console.log(formatAttributeSummary(result, command.index));
  if (jsonPath) console.log(`maps: ${jsonPath}`);
  return 0;
}

async function checks(command: ChecksCommand, log: Log, signal: AbortSignal): Promise<number> {
  const { results, sanityIndex, jsonPath } = await runChecks(command, log, signal);
  console.log(formatChecksSummary(results, sanityIndex));
  if (jsonPath) console.log(`results: ${jsonPath}`);
  return Object.keys(results.errors).length > 0 ? 1 : 0;
}

async function exampleCommand(command: ExampleCommand, log: Log, signal: AbortSignal): Promise<number> {
  const { text, jsonPath, exitCode } = await runExampleCommand(command, log, signal);
  console.log(text);
  if (jsonPath) console.log(`json: ${jsonPath}`);
  return exitCode;
}

async function unsupervisedCommand(command: UnsupervisedCommand, log: Log, signal: AbortSignal): Promise<number> {
  const { text, jsonPath } = await runUnsupervisedCommand(command, log, signal);
  console.log(text);
  if (jsonPath) console.log(`json: ${jsonPath}`);
  return 0;
}

async function invariance(command: InvarianceCommand, log: Log, signal: AbortSignal): Promise<number> {
  const { text, jsonPath } = await runInvariance(command, log, signal);
  console.log(text);
  if (jsonPath) console.log(`json: ${jsonPath}`);
  return 0;
}

async function main(): Promise<number> {
  let command: Command;
  try {
    command = parseCommand(process.argv.slice(2));
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`modeldebug: ${error.message}\n\n${USAGE}`);
      return 2;
    }
    throw error;
  }
  const controller = new AbortController();
  process.once('SIGINT', () => {
    console.error('modeldebug: cancelling (Ctrl-C again to quit at once)');
    controller.abort();
  });
  const log: Log = (line) => console.error(line);
  try {
    switch (command.command) {
      case 'explain':
        return await explain(command, log, controller.signal);
      case 'attribute':
        return await attribute(command, log, controller.signal);
      case 'checks':
        return await checks(command, log, controller.signal);
      case 'invariance':
        return await invariance(command, log, controller.signal);
      case 'neon':
      case 'semantic':
        return await unsupervisedCommand(command, log, controller.signal);
      default:
        return await exampleCommand(command, log, controller.signal);
    }
  } catch (error) {
    const e = error as { message?: string; file?: string; code?: string };
    console.error(`modeldebug: ${e.message ?? String(error)}`);
    return e.code === 'cancelled' ? 130 : 1;
  }
}

void main().then((code) => {
  process.exitCode = code;
});
