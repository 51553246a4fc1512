/**
 * Drives the engine for the example-importance commands: `examples`, `index`,
 * `self-influence`, `suspicious` and `example-checks`. Each starts one engine,
 * sends its requests over the same protocol as the panel, prints the result
 * and optionally writes it as JSON.
 */
import * as path from 'node:path';
import {
  BuildGradientIndexRequest,
  CompareExampleImportanceRequest,
  ExampleConsistencyRequest,
  ExampleImportanceRequest,
  SelfInfluenceRequest,
  SuspiciousRequest,
  type BuildGradientIndexParams,
  type CompareExampleImportanceResult,
  type ExampleConsistencyParams,
  type ExampleConsistencyResult,
  type ExampleImportanceParams,
  type SelfInfluenceParams,
  type SuspiciousParams,
} from '../protocol/engineProtocol';
import { progressLogger, startEngine, writeJsonAtomically, type EngineSession } from './engineSession';
import { exampleCheckSpecs, exampleMethodSpec, type ExampleChecksCommand, type ExampleCommand, type ExamplesCommand } from './exampleArgs';
import {
  formatExampleComparison,
  formatExampleConsistency,
  formatExampleImportance,
  formatGradientIndex,
  formatSelfInfluence,
  formatSuspicious,
} from './exampleSummary';

type Log = (line: string) => void;

export interface ExampleOutcome {
  /** What to print on stdout. */
  text: string;
  jsonPath?: string;
  /** Non-zero when part of the work failed (example-checks runs the rest). */
  exitCode: number;
}

export function importanceParams(command: ExamplesCommand): ExampleImportanceParams {
  const params: ExampleImportanceParams = { manifestPath: path.resolve(command.manifest), testIndices: command.indices, method: exampleMethodSpec(command.method, command.options) };
  if (command.checkpoint) params.checkpoint = command.checkpoint;
  if (command.topK !== undefined) params.topK = command.topK;
  if (command.batchSize !== undefined) params.batchSize = command.batchSize;
  return params;
}

export function consistencyParams(command: ExampleChecksCommand): ExampleConsistencyParams {
  const params: ExampleConsistencyParams = { manifestPath: path.resolve(command.manifest), testIndices: command.indices, methods: exampleCheckSpecs(command) };
  if (command.checkpoint) params.checkpoint = command.checkpoint;
  if (command.ms) params.ms = command.ms;
  if (command.batchSize !== undefined) params.batchSize = command.batchSize;
  return params;
}

async function withEngine<T>(command: ExampleCommand, log: Log, signal: AbortSignal | undefined, work: (session: EngineSession) => Promise<T>): Promise<T> {
  const session = await startEngine(command.backend, log, signal);
  try {
    return await work(session);
  } finally {
    await session.engine.dispose();
  }
}

async function exampleChecks(session: EngineSession, command: ExampleChecksCommand, log: Log, signal?: AbortSignal): Promise<ExampleOutcome> {
  const options = { signal, onProgress: progressLogger(log) };
  const sections: string[] = [];
  const errors: Record<string, string> = {};
  const comparisons: CompareExampleImportanceResult[] = [];
  const attempt = async <T>(name: string, work: () => Promise<T>): Promise<T | undefined> => {
    log(`${name}...`);
    try {
      return await work();
    } catch (error) {
      if ((error as { code?: string }).code === 'cancelled') throw error;
      errors[name] = (error as Error).message;
      sections.push(`${name}: failed: ${(error as Error).message}`);
      return undefined;
    }
  };
  const rates: ExampleConsistencyResult | undefined = await attempt('similarity rates', () => session.engine.rpc.call(ExampleConsistencyRequest, consistencyParams(command), options));
  if (rates) sections.unshift(formatExampleConsistency(rates));
  if (command.compare || command.compareCheckpoint) {
    const other: { manifestPath?: string; checkpoint?: string } = {};
    if (command.compare) other.manifestPath = path.resolve(command.compare);
    if (command.compareCheckpoint) other.checkpoint = command.compareCheckpoint;
    const lines = ['Score correlation between the two encoders'];
    for (const method of exampleCheckSpecs(command)) {
      const params = { manifestPath: path.resolve(command.manifest), other, testIndices: command.indices, method, ...(command.checkpoint ? { checkpoint: command.checkpoint } : {}), ...(command.batchSize ? { batchSize: command.batchSize } : {}) };
      const compared = await attempt(`comparison (${method.method})`, () => session.engine.rpc.call(CompareExampleImportanceRequest, params, options));
      if (compared) {
        comparisons.push(compared);
        lines.push(formatExampleComparison(compared));
      }
    }
    if (comparisons.length > 0) sections.push(lines.join('\n'));
  }
  const outcome: ExampleOutcome = { text: sections.join('\n\n'), exitCode: Object.keys(errors).length > 0 ? 1 : 0 };
  if (command.json) outcome.jsonPath = await writeJsonAtomically(command.json, { manifest: path.resolve(command.manifest), similarityRates: rates ?? null, comparisons, errors });
  return outcome;
}

export async function runExampleCommand(command: ExampleCommand, log: Log, signal?: AbortSignal): Promise<ExampleOutcome> {
  const manifestPath = path.resolve(command.manifest);
  const options = { signal, onProgress: progressLogger(log) };
  const save = async (value: object): Promise<string | undefined> => (command.json ? writeJsonAtomically(command.json, { manifest: manifestPath, ...value }) : undefined);
  return withEngine(command, log, signal, async (session) => {
    const call = session.engine.rpc;
    switch (command.command) {
      case 'examples': {
        const result = await call.call(ExampleImportanceRequest, importanceParams(command), options);
        return { text: formatExampleImportance(result), jsonPath: await save(result), exitCode: 0 };
      }
      case 'index': {
        const params: BuildGradientIndexParams = { manifestPath };
        if (command.sketchDim !== undefined) params.sketchDim = command.sketchDim;
        if (command.batchSize !== undefined) params.batchSize = command.batchSize;
        const result = await call.call(BuildGradientIndexRequest, params, options);
        return { text: formatGradientIndex(result), jsonPath: await save(result), exitCode: 0 };
      }
      case 'self-influence': {
        const params: SelfInfluenceParams = { manifestPath, method: command.method };
        if (command.checkpoint) params.checkpoint = command.checkpoint;
        if (command.topK !== undefined) params.topK = command.topK;
        if (command.batchSize !== undefined) params.batchSize = command.batchSize;
        const result = await call.call(SelfInfluenceRequest, params, options);
        return { text: formatSelfInfluence(result), jsonPath: await save(result), exitCode: 0 };
      }
      case 'suspicious': {
        const params: SuspiciousParams = { manifestPath };
        if (command.checkpoint) params.checkpoint = command.checkpoint;
        if (command.limit !== undefined) params.limit = command.limit;
        if (command.neighbours !== undefined) params.neighbours = command.neighbours;
        if (command.signals) params.signals = command.signals;
        if (command.batchSize !== undefined) params.batchSize = command.batchSize;
        const result = await call.call(SuspiciousRequest, params, options);
        return { text: formatSuspicious(result), jsonPath: await save(result), exitCode: 0 };
      }
      case 'example-checks':
        return exampleChecks(session, command, log, signal);
    }
  });
}
