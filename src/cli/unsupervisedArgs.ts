/**
 * Command-line parsing for `neon` and `semantic`, and the request params they
 * become. Pure, so it can be tested; every error names the flag it is about.
 */
import * as path from 'node:path';
import {
  MAX_NEON_EXAMPLES,
  MAX_SEMANTIC_EXAMPLES,
  type NeonExplained,
  type NeonParams,
  type NeonSpace,
  type SemanticShapleyParams,
} from '../protocol/engineProtocol';
import { namedCommandErrors, readCommandLine, type FlagReader } from './commandLine';
import { definedFields } from './definedFields';
import { engineFlagReader, NEON_COMMAND_WORDING, testIndicesReader, type EngineFlags } from './engineFlags';
import { choice, firstIndices, intAtLeast, nonNegativeInt, positiveNumber, seed, text } from './flagReader';
import { UsageError } from './usageError';

interface Common extends EngineFlags {
  manifest: string;
  indices: number[];
  seed?: number;
}

export interface NeonCommand extends Common {
  command: 'neon';
  model: 'kmeans' | 'kde';
  space: NeonSpace;
  explain: NeonExplained;
  k?: number;
  nInit?: number;
  gamma?: number;
  beta?: number;
  features?: number;
  draws?: number;
  fitExamples?: number;
}

export interface SemanticCommand extends Common {
  command: 'semantic';
  representation: 'fourier' | 'vae';
  bins?: number;
  /** --vae-manifest: the VAE run (default: the explained manifest). */
  vaeManifest?: string;
  vaeCheckpoint?: string;
  scope: 'local' | 'global';
  classIndex?: number;
  background?: number;
  method?: 'auto' | 'exact' | 'permutation';
  samples?: number;
}

export type UnsupervisedCommand = NeonCommand | SemanticCommand;

export const DEFAULT_NEON_INDICES = 8;
export const DEFAULT_KMEANS_K = 10;

/** The manifest, with the engine flags, the test examples, --seed and then `own` read into `parsed`. */
function readUnsupervisedCommandLine(command: string, rest: string[], own: FlagReader, parsed: Partial<Common>): string {
  const seedFlag: FlagReader = (flag, value) => {
    if (flag !== '--seed') return false;
    parsed.seed = seed(flag, value());
    return true;
  };
  const readers = [engineFlagReader(parsed, NEON_COMMAND_WORDING), testIndicesReader((indices) => (parsed.indices = indices), NEON_COMMAND_WORDING.count), seedFlag, own];
  return readCommandLine(rest, readers, namedCommandErrors(command));
}

function checkCount(flagNames: string, indices: number[], max: number): void {
  if (indices.length > max) throw new UsageError(`${flagNames}: at most ${max} test examples per run, got ${indices.length}`);
}

const EXPLAINED: Record<string, NeonExplained> = {
  cluster: 'clusterMembership',
  clustermembership: 'clusterMembership',
  outlier: 'outlierness',
  outlierness: 'outlierness',
  inlier: 'inlierness',
  inlierness: 'inlierness',
};

/** `modeldebug neon <manifest> --model kmeans|kde [...]`; argv starts after the command name. */
export function parseNeonArgs(rest: string[]): NeonCommand {
  const parsed: Partial<NeonCommand> = {};
  const manifest = readUnsupervisedCommandLine(
    'neon',
    rest,
    (arg, value) => {
      switch (arg) {
        case '--model':
          parsed.model = choice(arg, value(), { kmeans: 'kmeans', 'k-means': 'kmeans', kde: 'kde' } as const);
          return true;
        case '--space':
          parsed.space = choice(arg, value(), { input: 'input', representation: 'representation' } as const);
          return true;
        case '--explain':
          parsed.explain = choice(arg, value(), EXPLAINED);
          return true;
        case '--k':
          parsed.k = intAtLeast(arg, value(), 2);
          return true;
        case '--n-init':
          parsed.nInit = intAtLeast(arg, value());
          return true;
        case '--gamma':
          parsed.gamma = positiveNumber(arg, value());
          return true;
        case '--beta':
          parsed.beta = positiveNumber(arg, value());
          return true;
        case '--features':
          parsed.features = intAtLeast(arg, value());
          return true;
        case '--draws':
          parsed.draws = intAtLeast(arg, value(), 2);
          return true;
        case '--fit-examples':
          parsed.fitExamples = intAtLeast(arg, value(), 2);
          return true;
        default:
          return false;
      }
    },
    parsed,
  );
  if (!parsed.model) throw new UsageError('neon needs --model kmeans or --model kde');
  const model = parsed.model;
  const explain = parsed.explain ?? (model === 'kmeans' ? 'clusterMembership' : 'outlierness');
  const needs = explain === 'clusterMembership' ? 'kmeans' : 'kde';
  if (needs !== model) throw new UsageError(`--explain ${explain === 'clusterMembership' ? 'cluster' : explain === 'outlierness' ? 'outlier' : 'inlier'} needs --model ${needs}, not ${model}`);
  if (model !== 'kmeans') {
    if (parsed.k !== undefined) throw new UsageError('--k applies to --model kmeans');
    if (parsed.nInit !== undefined) throw new UsageError('--n-init applies to --model kmeans');
  }
  if (model !== 'kde' && parsed.gamma !== undefined) throw new UsageError('--gamma applies to --model kde');
  if (explain !== 'inlierness') {
    if (parsed.features !== undefined) throw new UsageError('--features applies to --explain inlier');
    if (parsed.draws !== undefined) throw new UsageError('--draws applies to --explain inlier');
  } else if (parsed.beta !== undefined) throw new UsageError('--beta applies to --explain cluster and outlier, not inlier');
  const indices = parsed.indices ?? firstIndices(DEFAULT_NEON_INDICES);
  checkCount('--indices/--examples', indices, MAX_NEON_EXAMPLES);
  return { ...parsed, command: 'neon', manifest, model, space: parsed.space ?? 'input', explain, indices };
}

/** `modeldebug semantic <manifest> [--representation fourier|vae] [...]`. */
export function parseSemanticArgs(rest: string[]): SemanticCommand {
  const parsed: Partial<SemanticCommand> = {};
  const manifest = readUnsupervisedCommandLine(
    'semantic',
    rest,
    (arg, value) => {
      switch (arg) {
        case '--representation':
          parsed.representation = choice(arg, value(), { fourier: 'fourier', vae: 'vae' } as const);
          return true;
        case '--bins':
          parsed.bins = intAtLeast(arg, value());
          return true;
        case '--vae-manifest':
          parsed.vaeManifest = text(arg, value(), 'the VAE run manifest');
          return true;
        case '--vae-checkpoint':
          parsed.vaeCheckpoint = text(arg, value(), 'a checkpoint path as written in the VAE manifest');
          return true;
        case '--scope':
          parsed.scope = choice(arg, value(), { local: 'local', global: 'global' } as const);
          return true;
        case '--class':
          parsed.classIndex = nonNegativeInt(arg, value());
          return true;
        case '--background':
          parsed.background = intAtLeast(arg, value());
          return true;
        case '--method':
          parsed.method = choice(arg, value(), { auto: 'auto', exact: 'exact', permutation: 'permutation' } as const);
          return true;
        case '--samples': {
          const samples = intAtLeast(arg, value(), 2);
          if (samples % 2 !== 0) throw new UsageError(`--samples must be even (permutations are paired with their reverses), got ${samples}`);
          parsed.samples = samples;
          return true;
        }
        default:
          return false;
      }
    },
    parsed,
  );
  const representation = parsed.representation ?? 'fourier';
  if (representation !== 'fourier' && parsed.bins !== undefined) throw new UsageError('--bins applies to --representation fourier');
  if (representation !== 'vae' && (parsed.vaeManifest !== undefined || parsed.vaeCheckpoint !== undefined)) {
    throw new UsageError(`${parsed.vaeManifest !== undefined ? '--vae-manifest' : '--vae-checkpoint'} applies to --representation vae`);
  }
  if (parsed.samples !== undefined && parsed.method === 'exact') throw new UsageError('--samples applies to --method permutation (or auto above 12 features), not exact');
  const indices = parsed.indices ?? firstIndices(DEFAULT_NEON_INDICES);
  checkCount('--indices/--examples', indices, MAX_SEMANTIC_EXAMPLES);
  return { ...parsed, command: 'semantic', manifest, representation, scope: parsed.scope ?? 'local', indices };
}

/** The `unsupervised/neon` params of a parsed command. */
export function neonParams(command: NeonCommand): NeonParams {
  const params: NeonParams = {
    manifestPath: path.resolve(command.manifest),
    space: command.space,
    model: command.model === 'kmeans' ? { kind: 'kmeans', k: command.k ?? DEFAULT_KMEANS_K } : { kind: 'kde' },
    explain: command.explain,
    testIndices: command.indices,
  };
  if (params.model.kind === 'kmeans' && command.nInit !== undefined) params.model.nInit = command.nInit;
  if (params.model.kind === 'kde' && command.gamma !== undefined) params.model.gamma = command.gamma;
  const { checkpoint, batchSize, seed, beta, features, draws, fitExamples } = command;
  return { ...params, ...definedFields({ checkpoint, batchSize, seed, beta, features, draws, fitExamples }) };
}

/** The `semantic/shapley` params of a parsed command. */
export function semanticParams(command: SemanticCommand): SemanticShapleyParams {
  const params: SemanticShapleyParams = {
    manifestPath: path.resolve(command.manifest),
    representation: command.representation === 'fourier' ? { kind: 'fourier' } : { kind: 'vae' },
    target: command.classIndex === undefined ? { kind: 'class' } : { kind: 'class', classIndex: command.classIndex },
    testIndices: command.indices,
    scope: command.scope,
  };
  if (params.representation.kind === 'fourier' && command.bins !== undefined) params.representation.bins = command.bins;
  if (params.representation.kind === 'vae') {
    if (command.vaeManifest !== undefined) params.representation.manifestPath = path.resolve(command.vaeManifest);
    if (command.vaeCheckpoint !== undefined) params.representation.checkpoint = command.vaeCheckpoint;
  }
  const { checkpoint, batchSize, seed, background, method, samples } = command;
  return { ...params, ...definedFields({ checkpoint, batchSize, seed, background, method, samples }) };
}

export const UNSUPERVISED_COMMANDS = ['neon', 'semantic'] as const;

export function parseUnsupervisedCommand(command: (typeof UNSUPERVISED_COMMANDS)[number], rest: string[]): UnsupervisedCommand {
  return command === 'neon' ? parseNeonArgs(rest) : parseSemanticArgs(rest);
}
