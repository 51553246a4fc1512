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
import { flagTable, namedCommandErrors, readCommandLine, type FlagAction } from './commandLine';
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

/** The manifest, with the engine flags, the test examples, --seed and the command's `own` flags read into `parsed`. */
function readUnsupervisedCommandLine(command: string, rest: string[], parsed: Partial<Common>, own: Readonly<Record<string, FlagAction>>): string {
  const readers = [
    engineFlagReader(parsed, NEON_COMMAND_WORDING),
    testIndicesReader((indices) => (parsed.indices = indices), NEON_COMMAND_WORDING.count),
    flagTable({ ...own, '--seed': (flag, value) => (parsed.seed = seed(flag, value)) }),
  ];
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
  const manifest = readUnsupervisedCommandLine('neon', rest, parsed, {
    '--model': (flag, value) => (parsed.model = choice(flag, value, { kmeans: 'kmeans', 'k-means': 'kmeans', kde: 'kde' } as const)),
    '--space': (flag, value) => (parsed.space = choice(flag, value, { input: 'input', representation: 'representation' } as const)),
    '--explain': (flag, value) => (parsed.explain = choice(flag, value, EXPLAINED)),
    '--k': (flag, value) => (parsed.k = intAtLeast(flag, value, 2)),
    '--n-init': (flag, value) => (parsed.nInit = intAtLeast(flag, value)),
    '--gamma': (flag, value) => (parsed.gamma = positiveNumber(flag, value)),
    '--beta': (flag, value) => (parsed.beta = positiveNumber(flag, value)),
    '--features': (flag, value) => (parsed.features = intAtLeast(flag, value)),
    '--draws': (flag, value) => (parsed.draws = intAtLeast(flag, value, 2)),
    '--fit-examples': (flag, value) => (parsed.fitExamples = intAtLeast(flag, value, 2)),
  });
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

/** Permutations are paired with their reverses: an even count, at least 2. */
function evenSamples(flag: string, value: string | undefined): number {
  const samples = intAtLeast(flag, value, 2);
  if (samples % 2 !== 0) throw new UsageError(`${flag} must be even (permutations are paired with their reverses), got ${samples}`);
  return samples;
}

/** `modeldebug semantic <manifest> [--representation fourier|vae] [...]`. */
export function parseSemanticArgs(rest: string[]): SemanticCommand {
  const parsed: Partial<SemanticCommand> = {};
  const manifest = readUnsupervisedCommandLine('semantic', rest, parsed, {
    '--representation': (flag, value) => (parsed.representation = choice(flag, value, { fourier: 'fourier', vae: 'vae' } as const)),
    '--bins': (flag, value) => (parsed.bins = intAtLeast(flag, value)),
    '--vae-manifest': (flag, value) => (parsed.vaeManifest = text(flag, value, 'the VAE run manifest')),
    '--vae-checkpoint': (flag, value) => (parsed.vaeCheckpoint = text(flag, value, 'a checkpoint path as written in the VAE manifest')),
    '--scope': (flag, value) => (parsed.scope = choice(flag, value, { local: 'local', global: 'global' } as const)),
    '--class': (flag, value) => (parsed.classIndex = nonNegativeInt(flag, value)),
    '--background': (flag, value) => (parsed.background = intAtLeast(flag, value)),
    '--method': (flag, value) => (parsed.method = choice(flag, value, { auto: 'auto', exact: 'exact', permutation: 'permutation' } as const)),
    '--samples': (flag, value) => (parsed.samples = evenSamples(flag, value)),
  });
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
