/**
 * The flags that choose how the engine runs, shared by the commands that take
 * them: --checkpoint, --backend, --batch-size, --json, and the test examples
 * (--indices, --examples).
 */
import type { BackendName } from '../protocol/engineProtocol';
import { flagTable, type FlagAction, type FlagReader } from './commandLine';
import { choice, exactWord, firstIndices, indexList, intAtLeast, nonEmpty, orList, positiveInt, text, type ValueReader } from './flagReader';
import { UsageError } from './usageError';

export const BACKEND_NAMES: readonly BackendName[] = ['tensorflow', 'wasm', 'cpu'];

/** --backend as explain, attribute and checks read it: exactly a name, "must be tensorflow, wasm or cpu". */
export function plainBackend(flag: string, value: string | undefined): BackendName {
  const name = BACKEND_NAMES.find((b) => b === value);
  if (name === undefined) throw new UsageError(`${flag} must be ${orList(BACKEND_NAMES)}`);
  return name;
}

/**
 * How a family of commands reads --backend and counts. The example commands
 * and neon/semantic/invariance were written apart and word these errors
 * differently (and neon/semantic/invariance take --backend in any case).
 */
export interface EngineFlagWording {
  backend: ValueReader<BackendName>;
  count: ValueReader<number>;
}

/** examples, index, self-influence, suspicious, example-checks. */
export const EXAMPLE_COMMAND_WORDING: EngineFlagWording = { backend: (flag, value) => exactWord(flag, value, BACKEND_NAMES), count: positiveInt };

/** neon, semantic, invariance. */
export const NEON_COMMAND_WORDING: EngineFlagWording = { backend: (flag, value) => choice(flag, value, BACKEND_NAMES), count: (flag, value) => intAtLeast(flag, value) };

export interface EngineFlags {
  checkpoint?: string;
  backend?: BackendName;
  batchSize?: number;
  /** Also write the result as JSON here. */
  json?: string;
}

/** --checkpoint (unless `checkpoint` is false), --backend, --batch-size and --json into `parsed`. */
export function engineFlagReader(parsed: EngineFlags, wording: EngineFlagWording, { checkpoint = true } = {}): FlagReader {
  const actions: Record<string, FlagAction> = {
    '--backend': (flag, value) => (parsed.backend = wording.backend(flag, value)),
    '--batch-size': (flag, value) => (parsed.batchSize = wording.count(flag, value)),
    '--json': (flag, value) => (parsed.json = text(flag, value, 'a file name')),
  };
  if (checkpoint) actions['--checkpoint'] = (flag, value) => (parsed.checkpoint = text(flag, value, 'a checkpoint path as written in the manifest'));
  return flagTable(actions);
}

/** --checkpoint and --backend as explain, attribute and checks read them. */
export function plainEngineFlagReader(parsed: Pick<EngineFlags, 'checkpoint' | 'backend'>): FlagReader {
  return flagTable({
    '--checkpoint': (flag, value) => (parsed.checkpoint = nonEmpty(flag, value, 'a path')),
    '--backend': (flag, value) => (parsed.backend = plainBackend(flag, value)),
  });
}

/** --indices i,j,... or --examples n (test examples 0..n-1) into `set`; the later flag wins. */
export function testIndicesReader(set: (indices: number[]) => void, count: ValueReader<number>): FlagReader {
  return flagTable({
    '--indices': (flag, value) => set(indexList(flag, value)),
    '--examples': (flag, value) => set(firstIndices(count(flag, value))),
  });
}
