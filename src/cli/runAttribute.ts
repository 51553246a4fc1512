/** Drives the engine for `modeldebug attribute`. */
import * as path from 'node:path';
import { AttributeRequest, type AttributeParams, type AttributeResult } from '../protocol/engineProtocol';
import { methodSpec, type AttributeCommand } from './attributionArgs';
import { resolveBaselineArg } from './baselineArg';
import { progressLogger, startEngine, writeJsonAtomically } from './engineSession';

export interface AttributeOutcome {
  result: AttributeResult;
  jsonPath?: string;
}

export async function runAttribute(command: AttributeCommand, log: (line: string) => void, signal?: AbortSignal): Promise<AttributeOutcome> {
  const manifestPath = path.resolve(command.manifest);
  const params: AttributeParams = { manifestPath, testIndex: command.index, method: methodSpec(command), target: command.target };
  const baseline = await resolveBaselineArg(command.baseline);
  if (baseline) params.baseline = baseline;
  if (command.checkpoint) params.checkpoint = command.checkpoint;
  const { engine } = await startEngine(command.backend, log, signal);
  try {
    const result = await engine.rpc.call(AttributeRequest, params, { signal, onProgress: progressLogger(log) });
    const outcome: AttributeOutcome = { result };
    if (command.out) outcome.jsonPath = await writeJsonAtomically(command.out, { manifest: manifestPath, checkpoint: command.checkpoint ?? null, testIndex: command.index, ...result });
    return outcome;
  } finally {
    await engine.dispose();
  }
}
