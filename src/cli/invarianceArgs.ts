/**
 * Command-line parsing for `modeldebug invariance`, and the `vae/invariance`
 * params it becomes. Pure, so it can be tested; every error names the flag.
 */
import * as path from 'node:path';
import { MAX_INVARIANCE_CURVE_EXAMPLES, MAX_INVARIANCE_EXAMPLES, type InvarianceKind, type InvarianceParams } from '../protocol/engineProtocol';
import { flagTable, namedCommandErrors, readCommandLine, type FlagAction, type FlagReader } from './commandLine';
import { definedFields } from './definedFields';
import { engineFlagReader, NEON_COMMAND_WORDING, type EngineFlags } from './engineFlags';
import { choice, firstIndices, indexList, intAtLeast, nonNegativeNumber, positiveNumber, requiredList, seed, text } from './flagReader';
import { UsageError } from './usageError';

export interface InvarianceCommand extends EngineFlags {
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

/** `modeldebug invariance <manifest> --kind samples|curve|counterfactuals|divergence [...]`; argv starts after the command name. */
export function parseInvarianceArgs(rest: string[]): InvarianceCommand {
  const parsed: Partial<InvarianceCommand> = {};
  const invarianceFlags: Record<string, FlagAction> = {
    '--kind': (flag, value) => (parsed.kind = choice(flag, value, KINDS)),
    '--indices': (flag, value) => (parsed.indices = indexList(flag, value)),
    '--examples': (flag, value) => (parsed.examples = intAtLeast(flag, value)),
    '--sigma': (flag, value) => (parsed.sigmas = requiredList(flag, value, 'a positive number (or, for --kind curve, a comma-separated list)', positiveNumber)),
    '--count': (flag, value) => (parsed.count = intAtLeast(flag, value)),
    '--seed': (flag, value) => (parsed.seed = seed(flag, value)),
    '--background': (flag, value) => (parsed.background = intAtLeast(flag, value)),
    '--samples': (flag, value) => (parsed.samples = intAtLeast(flag, value)),
    '--noise': (flag, value) => (parsed.noise = nonNegativeNumber(flag, value)),
    '--baseline': (flag, value) => (parsed.baseline = choice(flag, value, ['train', 'invariant'] as const)),
    '--step-size': (flag, value) => (parsed.stepSize = positiveNumber(flag, value)),
    '--max-step': (flag, value) => (parsed.maxStep = positiveNumber(flag, value)),
    '--criterion': (flag, value) => (parsed.criterion = choice(flag, value, ['latent', 'decoded'] as const)),
    '--out': (flag, value) => (parsed.out = text(flag, value, 'a folder for the PNGs')),
  };
  const readInvarianceFlag = flagTable(invarianceFlags);
  // The flags given, in order: the kind-specific ones are checked against --kind once it is known.
  const seen: string[] = [];
  const invarianceFlag: FlagReader = (flag, value) => {
    if (!readInvarianceFlag(flag, value)) return false;
    seen.push(flag);
    return true;
  };
  const manifest = readCommandLine(rest, [invarianceFlag, engineFlagReader(parsed, NEON_COMMAND_WORDING)], namedCommandErrors('invariance', ' (a supervised VAE run)'));
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
  if (kind !== 'curve' && !command.indices) command.indices = firstIndices(DEFAULT_INVARIANCE_CLI_INDICES);
  const max = kind === 'curve' ? MAX_INVARIANCE_CURVE_EXAMPLES : MAX_INVARIANCE_EXAMPLES;
  if (command.indices && command.indices.length > max) throw new UsageError(`--indices: at most ${max} test examples for --kind ${kind}, got ${command.indices.length}`);
  if (command.examples !== undefined && command.examples > max) throw new UsageError(`--examples: at most ${max}, got ${command.examples}`);
  return command;
}

/** The `vae/invariance` params of a parsed command. */
export function invarianceParams(command: InvarianceCommand): InvarianceParams {
  const { checkpoint, seed, batchSize, count, examples, sigmas, background, stepSize, maxStep, criterion, baseline, samples, noise } = command;
  const common = { manifestPath: path.resolve(command.manifest), ...definedFields({ checkpoint, seed, batchSize }) };
  const sigma = sigmas?.[0];
  const testIndices = command.indices ?? [];
  switch (command.kind) {
    case 'samples':
      return { ...common, kind: 'samples', testIndices, ...definedFields({ count, sigma }) };
    case 'curve':
      return { ...common, kind: 'curve', ...definedFields({ testIndices: command.indices, examples, sigmas, count }) };
    case 'counterfactuals':
      return { ...common, kind: 'counterfactuals', testIndices, ...definedFields({ background, stepSize, maxStep, criterion }) };
    case 'divergence':
      return { ...common, kind: 'divergence', testIndices, ...definedFields({ baseline, background, sigma, samples, noise }) };
  }
}
