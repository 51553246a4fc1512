/**
 * Command-line parsing for `neon` and `semantic`, and the request params they
 * become. Pure, so it can be tested; every error names the flag it is about.
 */
import * as path from 'node:path';
import {
  MAX_NEON_EXAMPLES,
  MAX_SEMANTIC_EXAMPLES,
  type BackendName,
  type NeonExplained,
  type NeonParams,
  type NeonSpace,
  type SemanticShapleyParams,
} from '../protocol/engineProtocol';
import { UsageError } from './args';
import { indexList } from './exampleArgs';

interface Common {
  manifest: string;
  checkpoint?: string;
  backend?: BackendName;
  batchSize?: number;
  json?: string;
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

function nonNegativeInt(flag: string, value: string | undefined): number {
  const n = Number(value);
  if (value === undefined || value.trim() === '' || !Number.isSafeInteger(n) || n < 0) throw new UsageError(`${flag} needs a non-negative integer, got ${value ?? 'nothing'}`);
  return n;
}

function positiveInt(flag: string, value: string | undefined, min = 1): number {
  const n = nonNegativeInt(flag, value);
  if (n < min) throw new UsageError(`${flag} must be at least ${min}, got ${n}`);
  return n;
}

function positiveNumber(flag: string, value: string | undefined): number {
  const n = Number(value);
  if (value === undefined || value.trim() === '' || !Number.isFinite(n) || n <= 0) throw new UsageError(`${flag} needs a positive number, got ${value ?? 'nothing'}`);
  return n;
}

function text(flag: string, value: string | undefined, what: string): string {
  if (value === undefined || value === '' || value.startsWith('--')) throw new UsageError(`${flag} needs ${what}`);
  return value;
}

function choice<T extends string>(flag: string, value: string | undefined, choices: Record<string, T>): T {
  const picked = value === undefined ? undefined : choices[value.toLowerCase()];
  if (picked === undefined) throw new UsageError(`${flag} must be one of ${Object.keys(choices).join(', ')}; got ${value ?? 'nothing'}`);
  return picked;
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, k) => k);
}

/** Flags both commands take; false for one they do not know. */
function commonFlag(arg: string, value: () => string | undefined, parsed: Partial<Common>): boolean {
  switch (arg) {
    case '--checkpoint':
      parsed.checkpoint = text(arg, value(), 'a checkpoint path as written in the manifest');
      return true;
    case '--backend':
      parsed.backend = choice(arg, value(), { tensorflow: 'tensorflow', wasm: 'wasm', cpu: 'cpu' } as const);
      return true;
    case '--batch-size':
      parsed.batchSize = positiveInt(arg, value());
      return true;
    case '--json':
      parsed.json = text(arg, value(), 'a file name');
      return true;
    case '--indices':
      parsed.indices = indexList(arg, value());
      return true;
    case '--examples':
      parsed.indices = range(positiveInt(arg, value()));
      return true;
    case '--seed':
      parsed.seed = nonNegativeInt(arg, value());
      if (parsed.seed > 2 ** 32 - 1) throw new UsageError(`--seed must be at most ${2 ** 32 - 1}`);
      return true;
    default:
      return false;
  }
}

function walk(command: string, rest: string[], own: (arg: string, value: () => string | undefined) => boolean, parsed: Partial<Common>): string {
  let manifest: string | undefined;
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i]!;
    const value = (): string | undefined => rest[++i];
    if (commonFlag(arg, value, parsed) || own(arg, value)) continue;
    if (arg.startsWith('-')) throw new UsageError(`${command} has no option ${arg}`);
    if (manifest) throw new UsageError(`unexpected argument ${arg}`);
    manifest = arg;
  }
  if (!manifest) throw new UsageError(`${command} needs a <manifest>`);
  return manifest;
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
  const manifest = walk(
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
          parsed.k = positiveInt(arg, value(), 2);
          return true;
        case '--n-init':
          parsed.nInit = positiveInt(arg, value());
          return true;
        case '--gamma':
          parsed.gamma = positiveNumber(arg, value());
          return true;
        case '--beta':
          parsed.beta = positiveNumber(arg, value());
          return true;
        case '--features':
          parsed.features = positiveInt(arg, value());
          return true;
        case '--draws':
          parsed.draws = positiveInt(arg, value(), 2);
          return true;
        case '--fit-examples':
          parsed.fitExamples = positiveInt(arg, value(), 2);
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
  const indices = parsed.indices ?? range(DEFAULT_NEON_INDICES);
  checkCount('--indices/--examples', indices, MAX_NEON_EXAMPLES);
  return { ...parsed, command: 'neon', manifest, model, space: parsed.space ?? 'input', explain, indices };
}

/** `modeldebug semantic <manifest> [--representation fourier|vae] [...]`. */
export function parseSemanticArgs(rest: string[]): SemanticCommand {
  const parsed: Partial<SemanticCommand> = {};
  const manifest = walk(
    'semantic',
    rest,
    (arg, value) => {
      switch (arg) {
        case '--representation':
          parsed.representation = choice(arg, value(), { fourier: 'fourier', vae: 'vae' } as const);
          return true;
        case '--bins':
          parsed.bins = positiveInt(arg, value());
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
          parsed.background = positiveInt(arg, value());
          return true;
        case '--method':
          parsed.method = choice(arg, value(), { auto: 'auto', exact: 'exact', permutation: 'permutation' } as const);
          return true;
        case '--samples': {
          const samples = positiveInt(arg, value(), 2);
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
  const indices = parsed.indices ?? range(DEFAULT_NEON_INDICES);
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
  for (const key of ['checkpoint', 'batchSize', 'seed', 'beta', 'features', 'draws', 'fitExamples'] as const) {
    if (command[key] !== undefined) (params as unknown as Record<string, unknown>)[key] = command[key];
  }
  return params;
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
  for (const key of ['checkpoint', 'batchSize', 'seed', 'background', 'method', 'samples'] as const) {
    if (command[key] !== undefined) (params as unknown as Record<string, unknown>)[key] = command[key];
  }
  return params;
}

export const UNSUPERVISED_COMMANDS = ['neon', 'semantic'] as const;

export function parseUnsupervisedCommand(command: (typeof UNSUPERVISED_COMMANDS)[number], rest: string[]): UnsupervisedCommand {
  return command === 'neon' ? parseNeonArgs(rest) : parseSemanticArgs(rest);
}
