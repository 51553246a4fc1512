/**
 * Drives the engine for `modeldebug checks`: the latent-unit statistics, the
 * consistency and sanity checks, and an optional representation comparison.
 * A check that fails is reported and the others still run.
 */
import * as path from 'node:path';
import {
  CompareRepresentationsRequest,
  ConsistencyRequest,
  LatentUnitsRequest,
  SanityCheckRequest,
  type AttributeBaselineSpec,
  type AttributeMethodSpec,
} from '../protocol/engineProtocol';
import type { EngineProcess } from '../host/engineProcess';
import { methodSpec, type ChecksCommand } from './attributionArgs';
import type { ChecksResults } from './attributionSummary';
import { resolveBaselineArg } from './baselineArg';
import { progressLogger, startEngine, writeJsonAtomically } from './engineSession';

export interface ChecksOutcome {
  results: ChecksResults;
  sanityIndex: number;
  jsonPath?: string;
}

interface Shared {
  manifestPath: string;
  checkpoint?: string;
  method: AttributeMethodSpec;
  baseline?: AttributeBaselineSpec;
}

async function attempt<T>(name: string, results: ChecksResults, log: (line: string) => void, work: () => Promise<T>): Promise<T | undefined> {
  log(`${name}...`);
  try {
    return await work();
  } catch (error) {
    results.errors[name] = (error as Error).message;
    if ((error as { code?: string }).code === 'cancelled') throw error;
    return undefined;
  }
}

async function runAll(engine: EngineProcess, command: ChecksCommand, shared: Shared, sanityIndex: number, log: (line: string) => void, signal?: AbortSignal): Promise<ChecksResults> {
  const results: ChecksResults = { errors: {} };
  const options = { signal, onProgress: progressLogger(log) };
  const units = await attempt('latent units', results, log, () => engine.rpc.call(LatentUnitsRequest, { ...shared, testIndices: command.indices }, options));
  if (units) results.units = units;
  const consistency = await attempt('consistency', results, log, () => engine.rpc.call(ConsistencyRequest, { ...shared, testIndices: command.indices, target: command.target }, options));
  if (consistency) results.consistency = consistency;
  const sanity = await attempt('sanity', results, log, () => engine.rpc.call(SanityCheckRequest, { ...shared, testIndex: sanityIndex, target: command.target }, options));
  if (sanity) results.sanity = sanity;
  if (command.compare || command.compareCheckpoint) {
    const other: { manifestPath?: string; checkpoint?: string } = {};
    if (command.compare) other.manifestPath = path.resolve(command.compare);
    if (command.compareCheckpoint) other.checkpoint = command.compareCheckpoint;
    const compare = await attempt('representation comparison', results, log, () => engine.rpc.call(CompareRepresentationsRequest, { ...shared, other, testIndices: command.indices }, options));
    if (compare) results.compare = compare;
  }
  return results;
}

/** The per-unit maps are only needed for the completeness readout; the JSON keeps their completeness, not their values. */
function withoutMapValues(results: ChecksResults): unknown {
  if (!results.units) return results;
  const examples = results.units.examples.map(({ maps, ...rest }) => ({ ...rest, completeness: maps?.map((m) => m.completeness ?? null) }));
  return { ...results, units: { ...results.units, examples } };
}

export async function runChecks(command: ChecksCommand, log: (line: string) => void, signal?: AbortSignal): Promise<ChecksOutcome> {
  const shared: Shared = { manifestPath: path.resolve(command.manifest), method: methodSpec(command) };
  const baseline = await resolveBaselineArg(command.baseline);
  if (baseline) shared.baseline = baseline;
  if (command.checkpoint) shared.checkpoint = command.checkpoint;
  const sanityIndex = command.sanityIndex ?? command.indices[0]!;
  const { engine } = await startEngine(command.backend, log, signal);
  try {
    const results = await runAll(engine, command, shared, sanityIndex, log, signal);
    const outcome: ChecksOutcome = { results, sanityIndex };
    if (command.out) outcome.jsonPath = await writeJsonAtomically(command.out, { manifest: shared.manifestPath, checkpoint: command.checkpoint ?? null, sanityIndex, ...(withoutMapValues(results) as object) });
    return outcome;
  } finally {
    await engine.dispose();
  }
}
