/**
 * Command-line parsing for `modeldebug invariance`, and the `vae/invariance`
 * params it becomes. Pure, so it can be tested; every error names the flag.
 */
import * as path from 'node:path';
import { MAX_INVARIANCE_CURVE_EXAMPLES, MAX_INVARIANCE_EXAMPLES, type BackendName, type InvarianceKind, type InvarianceParams } from '../protocol/engineProtocol';
import { UsageError } from './args';
import { indexList } from './exampleArgs';

export interface InvarianceCommand {
  command: 'invariance';
  manifest: string;
  kind: InvarianceKind;
  /** Absent for a curve over a seeded sample of the test set. */
  indices?: number[];
  /** --examples n for a curve: a seeded sample of n test examples. */
  examples?: number;
  /** --sigma: one value (samples, divergence with --baseline invariant) or a list (curve). */
  sigmas?: number[];
  count?: number;
  seed?: number;
  background?: number;
  samples?: number;
  noise?: number;
  baseline?: 'train' | 'invariant';
  stepSize?: number;
  maxStep?: number;
  criterion?: 'latent' | 'decoded';
  checkpoint?: string;
  backend?: BackendName;
  batchSize?: number;
  json?: string;
  out?: string;
}

export const DEFAULT_INVARIANCE_CLI_INDICES = 4;
const KINDS: readonly InvarianceKind[] = ['samples', 'curve', 'counterfactuals', 'divergence'];

/** Which kinds each kind-specific flag applies to. */
const FLAG_KINDS: Record<string, readonly InvarianceKind[]> = {
  '--examples': ['curve'],
  '--count': ['samples', 'curve'],
  '--sigma': ['samples', 'curve', 'divergence'],
  '--background': ['counterfactuals', 'divergence'],
  '--samples': ['divergence'],
  '--noise': ['divergence'],
  '--baseline': ['divergence'],
  '--step-size': ['counterfactuals'],
  '--max-step': ['counterfactuals'],
  '--criterion': ['counterfactuals'],
};

function nonNegativeInt(flag: string, value: string | undefined): number {
  const n = Number(value);
  if (value === undefined || value.trim() === '' || !Number.isSafeInteger(n) || n < 0) throw new UsageError(`${flag} needs a non-negative integer, got ${value ?? 'nothing'}`);
  return n;
}

function positiveInt(flag: string, value: string | undefined): number {
  const n = nonNegativeInt(flag, value);
  if (n < 1) throw new UsageError(`${flag} must be at least 1, got ${n}`);
  return n;
}

function number(flag: string, value: string | undefined, positive: boolean): number {
  const n = Number(value);
  if (value === undefined || value.trim() === '' || !Number.isFinite(n) || n < 0 || (positive && n === 0)) {
    throw new UsageError(`${flag} needs a ${positive ? 'positive' : 'non-negative'} number, got ${value ?? 'nothing'}`);
  }
  return n;
}

function text(flag: string, value: string | undefined, what: string): string {
  if (value === undefined || value === '' || value.startsWith('--')) throw new UsageError(`${flag} needs ${what}`);
  return value;
}

function choice<T extends string>(flag: string, value: string | undefined, choices: readonly T[]): T {
  const picked = choices.find((c) => c === value?.toLowerCase());
  if (picked === undefined) throw new UsageError(`${flag} must be one of ${choices.join(', ')}; got ${value ?? 'nothing'}`);
  return picked;
}

/** `modeldebug invariance <manifest> --kind samples|curve|counterfactuals|divergence [...]`; argv starts after the command name. */
export function parseInvarianceArgs(rest: string[]): InvarianceCommand {
  const parsed: Partial<InvarianceCommand> = {};
  const seen: string[] = [];
  let manifest: string | undefined;
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i]!;
    const value = (): string | undefined => rest[++i];
    if (arg.startsWith('-')) seen.push(arg);
    switch (arg) {
      case '--kind':
        parsed.kind = choice(arg, value(), KINDS);
        break;
      case '--indices':
        parsed.indices = indexList(arg, value());
        break;
      case '--examples':
        parsed.examples = positiveInt(arg, value());
        break;
      case '--sigma': {
        const raw = value();
        if (raw === undefined || raw.trim() === '') throw new UsageError('--sigma needs a positive number (or, for --kind curve, a comma-separated list)');
        parsed.sigmas = raw.split(',').map((s) => number(arg, s.trim(), true));
        break;
      }
      case '--count':
        parsed.count = positiveInt(arg, value());
        break;
      case '--seed':
        parsed.seed = nonNegativeInt(arg, value());
        if (parsed.seed > 2 ** 32 - 1) throw new UsageError(`--seed must be at most ${2 ** 32 - 1}`);
        break;
      case '--background':
        parsed.background = positiveInt(arg, value());
        break;
      case '--samples':
        parsed.samples = positiveInt(arg, value());
        break;
      case '--noise':
        parsed.noise = number(arg, value(), false);
        break;
      case '--baseline':
        parsed.baseline = choice(arg, value(), ['train', 'invariant'] as const);
        break;
      case '--step-size':
        parsed.stepSize = number(arg, value(), true);
        break;
      case '--max-step':
        parsed.maxStep = number(arg, value(), true);
        break;
      case '--criterion':
        parsed.criterion = choice(arg, value(), ['latent', 'decoded'] as const);
        break;
      case '--checkpoint':
        parsed.checkpoint = text(arg, value(), 'a checkpoint path as written in the manifest');
        break;
      case '--backend':
        parsed.backend = choice(arg, value(), ['tensorflow', 'wasm', 'cpu'] as const);
        break;
      case '--batch-size':
        parsed.batchSize = positiveInt(arg, value());
        break;
      case '--json':
        parsed.json = text(arg, value(), 'a file name');
        break;
      case '--out':
        parsed.out = text(arg, value(), 'a folder for the PNGs');
        break;
      default:
        if (arg.startsWith('-')) throw new UsageError(`invariance has no option ${arg}`);
        if (manifest) throw new UsageError(`unexpected argument ${arg}`);
        manifest = arg;
    }
  }
  if (!manifest) throw new UsageError('invariance needs a <manifest> (a supervised VAE run)');
  const kind = parsed.kind;
  if (!kind) throw new UsageError(`invariance needs --kind ${KINDS.join('|')}`);
  for (const flag of seen) {
    const kinds = FLAG_KINDS[flag];
    if (kinds && !kinds.includes(kind)) throw new UsageError(`${flag} applies to --kind ${kinds.join(' or ')}, not ${kind}`);
  }
  if (kind !== 'curve' && parsed.sigmas && parsed.sigmas.length > 1) throw new UsageError(`--sigma takes one value for --kind ${kind} (a list is for --kind curve)`);
  if (kind === 'divergence' && parsed.sigmas && parsed.baseline !== 'invariant') throw new UsageError('--sigma applies to --baseline invariant (the invariant samples), not train');
  if (kind === 'curve' && parsed.indices && parsed.examples !== undefined) throw new UsageError('--examples and --indices both pick the curve\'s test examples; give one');
  const command: InvarianceCommand = { ...parsed, command: 'invariance', manifest, kind };
  if (kind !== 'curve' && !command.indices) command.indices = Array.from({ length: DEFAULT_INVARIANCE_CLI_INDICES }, (_, k) => k);
  const max = kind === 'curve' ? MAX_INVARIANCE_CURVE_EXAMPLES : MAX_INVARIANCE_EXAMPLES;
  if (command.indices && command.indices.length > max) throw new UsageError(`--indices: at most ${max} test examples for --kind ${kind}, got ${command.indices.length}`);
  if (command.examples !== undefined && command.examples > max) throw new UsageError(`--examples: at most ${max}, got ${command.examples}`);
  return command;
}

/** The `vae/invariance` params of a parsed command. */
export function invarianceParams(command: InvarianceCommand): InvarianceParams {
  const common = {
    manifestPath: path.resolve(command.manifest),
    ...(command.checkpoint !== undefined ? { checkpoint: command.checkpoint } : {}),
    ...(command.seed !== undefined ? { seed: command.seed } : {}),
    ...(command.batchSize !== undefined ? { batchSize: command.batchSize } : {}),
  };
  const sigma = command.sigmas?.[0];
  const indices = command.indices ?? [];
  switch (command.kind) {
    case 'samples':
      return { ...common, kind: 'samples', testIndices: indices, ...(command.count !== undefined ? { count: command.count } : {}), ...(sigma !== undefined ? { sigma } : {}) };
    case 'curve':
      return {
        ...common,
        kind: 'curve',
        ...(command.indices ? { testIndices: command.indices } : {}),
        ...(command.examples !== undefined ? { examples: command.examples } : {}),
        ...(command.sigmas ? { sigmas: command.sigmas } : {}),
        ...(command.count !== undefined ? { count: command.count } : {}),
      };
    case 'counterfactuals':
      return {
        ...common,
        kind: 'counterfactuals',
        testIndices: indices,
        ...(command.background !== undefined ? { background: command.background } : {}),
        ...(command.stepSize !== undefined ? { stepSize: command.stepSize } : {}),
        ...(command.maxStep !== undefined ? { maxStep: command.maxStep } : {}),
        ...(command.criterion !== undefined ? { criterion: command.criterion } : {}),
      };
    case 'divergence':
      return {
        ...common,
        kind: 'divergence',
        testIndices: indices,
        ...(command.baseline !== undefined ? { baseline: command.baseline } : {}),
        ...(command.background !== undefined ? { background: command.background } : {}),
        ...(sigma !== undefined ? { sigma } : {}),
        ...(command.samples !== undefined ? { samples: command.samples } : {}),
        ...(command.noise !== undefined ? { noise: command.noise } : {}),
      };
  }
}
