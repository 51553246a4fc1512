/**
 * Drives the engine for `neon` and `semantic`: starts one engine, sends the
 * request over the same protocol as the panel, formats the result and
 * optionally writes it as JSON.
 */
import * as path from 'node:path';
import { NeonRequest, SemanticShapleyRequest } from '../protocol/engineProtocol';
import { progressLogger, startEngine, writeJsonAtomically } from './engineSession';
import { neonParams, semanticParams, type UnsupervisedCommand } from './unsupervisedArgs';
import { formatNeon, formatSemantic } from './unsupervisedSummary';

export interface UnsupervisedOutcome {
  text: string;
  jsonPath?: string;
}

export async function runUnsupervisedCommand(command: UnsupervisedCommand, log: (line: string) => void, signal?: AbortSignal): Promise<UnsupervisedOutcome> {
  const session = await startEngine(command.backend, log, signal);
  try {
    const options = { signal, onProgress: progressLogger(log) };
    const manifest = path.resolve(command.manifest);
    if (command.command === 'neon') {
      const result = await session.engine.rpc.call(NeonRequest, neonParams(command), options);
      const outcome: UnsupervisedOutcome = { text: formatNeon(result) };
      if (command.json) outcome.jsonPath = await writeJsonAtomically(command.json, { manifest, backend: session.backend.name, ...result });
      return outcome;
    }
    const result = await session.engine.rpc.call(SemanticShapleyRequest, semanticParams(command), options);
    const outcome: UnsupervisedOutcome = { text: formatSemantic(result) };
    if (command.json) outcome.jsonPath = await writeJsonAtomically(command.json, { manifest, backend: session.backend.name, ...result });
    return outcome;
  } finally {
    await session.engine.dispose();
  }
}
