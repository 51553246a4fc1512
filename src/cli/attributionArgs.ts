/** Command-line parsing for `modeldebug attribute` and `modeldebug checks`; pure, so it can be tested. */
import { ATTRIBUTE_METHOD_NAMES, type AttributeMethodName, type AttributeMethodSpec, type AttributeTargetSpec, type BackendName } from '../protocol/engineProtocol';
import { UsageError } from './args';

/** A baseline as given on the command line; a file is read by the CLI before the request. */
export type BaselineArg =
  | { kind: 'zeros' }
  | { kind: 'mean' }
  | { kind: 'constant'; value: number }
  | { kind: 'blur'; sigma: number }
  | { kind: 'uniform'; seed?: number }
  | { kind: 'file'; path: string };

interface MethodOptions {
  method: AttributeMethodName;
  steps?: number;
  samples?: number;
  /** Extra settings from --settings, merged into the method's. */
  settings?: Record<string, unknown>;
  baseline?: BaselineArg;
  checkpoint?: string;
  backend?: BackendName;
  out?: string;
}

export interface AttributeCommand extends MethodOptions {
  command: 'attribute';
  manifest: string;
  target: AttributeTargetSpec;
  index: number;
}

export interface ChecksCommand extends MethodOptions {
  command: 'checks';
  manifest: string;
  /** Any target but allUnits; for the consistency and sanity checks. */
  target: AttributeTargetSpec;
  indices: number[];
  /** The example of the sanity check; the first of `indices` when absent. */
  sanityIndex?: number;
  /** Compare label-free maps with this manifest's encoder. */
  compare?: string;
  /** ... or with this checkpoint (of `compare`, or of the same run). */
  compareCheckpoint?: string;
}

export const DEFAULT_BLUR_SIGMA = 2;
const DEFAULT_CHECK_EXAMPLES = 8;

function squash(name: string): string {
  return name.toLowerCase().replace(/[-_]/g, '');
}

const METHOD_ALIASES: Record<string, AttributeMethodName> = {
  ...Object.fromEntries(ATTRIBUTE_METHOD_NAMES.map((m) => [squash(m), m])),
  ig: 'integratedGradients',
  gradshap: 'gradientShap',
  gxi: 'gradientXInput',
};

export function parseMethodArg(value: string | undefined): AttributeMethodName {
  const method = value === undefined ? undefined : METHOD_ALIASES[squash(value)];
  if (!method) throw new UsageError(`--method must be one of ${ATTRIBUTE_METHOD_NAMES.join(', ')}, got ${value ?? 'nothing'}`);
  return method;
}

function nonNegativeInt(flag: string, value: string | undefined): number {
  const n = Number(value);
  if (value === undefined || value.trim() === '' || !Number.isSafeInteger(n) || n < 0) throw new UsageError(`${flag} needs a non-negative integer, got ${value ?? 'nothing'}`);
  return n;
}

export function parseTargetArg(value: string | undefined, allowAllUnits = true): AttributeTargetSpec {
  const text = value ?? '';
  const [head = '', arg] = text.split(':', 2) as [string, string | undefined];
  const kind = squash(head);
  if (kind === 'labelfree' && arg === undefined) return { kind: 'labelFree' };
  if ((kind === 'probweighted' || kind === 'probabilityweighted') && arg === undefined) return { kind: 'probabilityWeighted' };
  if (kind === 'allunits' && arg === undefined) {
    if (!allowAllUnits) throw new UsageError('--target all-units is not a check target; use unit:j, label-free or a class');
    return { kind: 'allUnits' };
  }
  if (kind === 'class') return arg === undefined ? { kind: 'class' } : { kind: 'class', classIndex: nonNegativeInt('--target class:k', arg) };
  if (kind === 'unit' && arg !== undefined) return { kind: 'latentUnit', unit: nonNegativeInt('--target unit:j', arg) };
  throw new UsageError(`--target must be label-free, class, class:k, prob-weighted, unit:j${allowAllUnits ? ' or all-units' : ''}, got ${value ?? 'nothing'}`);
}

export function parseBaselineArg(value: string | undefined): BaselineArg {
  const text = value ?? '';
  const colon = text.indexOf(':');
  const head = colon < 0 ? text : text.slice(0, colon);
  const arg = colon < 0 ? undefined : text.slice(colon + 1);
  const number = (what: string): number => {
    const n = Number(arg);
    if (arg === undefined || arg.trim() === '' || !Number.isFinite(n)) throw new UsageError(`--baseline ${head}:<${what}> needs a number, got ${arg ?? 'nothing'}`);
    return n;
  };
  switch (head) {
    case 'zeros':
    case 'black':
      if (arg === undefined) return { kind: 'zeros' };
      break;
    case 'mean':
      if (arg === undefined) return { kind: 'mean' };
      break;
    case 'blur':
      return { kind: 'blur', sigma: arg === undefined ? DEFAULT_BLUR_SIGMA : number('sigma') };
    case 'uniform':
      return arg === undefined ? { kind: 'uniform' } : { kind: 'uniform', seed: nonNegativeInt('--baseline uniform:<seed>', arg) };
    case 'constant':
      return { kind: 'constant', value: number('value') };
    case 'file':
      if (arg) return { kind: 'file', path: arg };
      break;
  }
  throw new UsageError(`--baseline must be zeros, mean, blur[:sigma], uniform[:seed], constant:<value> or file:<path.npy>, got ${value ?? 'nothing'}`);
}

function parseSettings(value: string | undefined): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value ?? '');
  } catch (error) {
    throw new UsageError(`--settings needs a JSON object, e.g. '{"rule": "riemann_trapezoid"}' (${(error as Error).message})`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new UsageError('--settings needs a JSON object');
  if ('method' in parsed) throw new UsageError('--settings must not set "method"; use --method');
  return parsed as Record<string, unknown>;
}

const STEPPED = new Set<AttributeMethodName>(['integratedGradients']);
const SAMPLED = new Set<AttributeMethodName>(['gradientShap', 'smoothGrad', 'kernelShap', 'lime']);

/** The method JSON sent to the engine: --settings, then --steps and --samples on top. */
export function methodSpec(options: Pick<MethodOptions, 'method' | 'steps' | 'samples' | 'settings'>): AttributeMethodSpec {
  const spec: AttributeMethodSpec = { ...options.settings, method: options.method };
  if (options.steps !== undefined) {
    const base = spec.base as Record<string, unknown> | undefined;
    if (STEPPED.has(options.method)) spec.steps = options.steps;
    else if (options.method === 'smoothGrad' && base?.method === 'integratedGradients') spec.base = { ...base, steps: options.steps };
    else throw new UsageError('--steps applies to integratedGradients (or smoothGrad with a base of integratedGradients)');
  }
  if (options.samples !== undefined) {
    if (!SAMPLED.has(options.method)) throw new UsageError(`--samples applies to ${[...SAMPLED].join(', ')}`);
    spec.samples = options.samples;
  }
  return spec;
}

/** Parses the flags every attribution command shares; returns false for a flag it does not know. */
function sharedFlag(arg: string, value: () => string | undefined, parsed: Partial<MethodOptions>): boolean {
  switch (arg) {
    case '--method':
      parsed.method = parseMethodArg(value());
      return true;
    case '--steps':
      parsed.steps = nonNegativeInt(arg, value());
      if (parsed.steps === 0) throw new UsageError('--steps must be at least 1');
      return true;
    case '--samples':
      parsed.samples = nonNegativeInt(arg, value());
      if (parsed.samples === 0) throw new UsageError('--samples must be at least 1');
      return true;
    case '--baseline':
      parsed.baseline = parseBaselineArg(value());
      return true;
    case '--settings':
      parsed.settings = parseSettings(value());
      return true;
    case '--checkpoint':
      parsed.checkpoint = value();
      if (!parsed.checkpoint) throw new UsageError('--checkpoint needs a path');
      return true;
    case '--out':
      parsed.out = value();
      if (!parsed.out) throw new UsageError('--out needs a file name');
      return true;
    case '--backend': {
      const name = value();
      if (name !== 'tensorflow' && name !== 'wasm' && name !== 'cpu') throw new UsageError('--backend must be tensorflow, wasm or cpu');
      parsed.backend = name;
      return true;
    }
    default:
      return false;
  }
}

function walk(rest: string[], own: (arg: string, value: () => string | undefined) => boolean, parsed: Partial<MethodOptions>): string {
  let manifest: string | undefined;
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i]!;
    const value = (): string | undefined => rest[++i];
    if (sharedFlag(arg, value, parsed) || own(arg, value)) continue;
    if (arg.startsWith('--')) throw new UsageError(`unknown option ${arg}`);
    if (manifest) throw new UsageError(`unexpected argument ${arg}`);
    manifest = arg;
  }
  if (!manifest) throw new UsageError('missing <manifest>');
  return manifest;
}

/** `modeldebug attribute <manifest> --method <name> [...]`; argv starts after the command name. */
export function parseAttributeArgs(rest: string[]): AttributeCommand {
  const parsed: Partial<AttributeCommand> = {};
  const manifest = walk(
    rest,
    (arg, value) => {
      if (arg === '--target') parsed.target = parseTargetArg(value());
      else if (arg === '--index') parsed.index = nonNegativeInt(arg, value());
      else return false;
      return true;
    },
    parsed,
  );
  if (!parsed.method) throw new UsageError('missing --method');
  const command: AttributeCommand = { ...parsed, command: 'attribute', manifest, method: parsed.method, target: parsed.target ?? { kind: 'labelFree' }, index: parsed.index ?? 0 };
  methodSpec(command);
  return command;
}

function indexList(flag: string, value: string | undefined): number[] {
  const indices = (value ?? '').split(',').map((s) => nonNegativeInt(flag, s.trim()));
  if (new Set(indices).size !== indices.length) throw new UsageError(`${flag} repeats an index`);
  return indices;
}

/** `modeldebug checks <manifest> [...]`; argv starts after the command name. */
export function parseChecksArgs(rest: string[]): ChecksCommand {
  const parsed: Partial<ChecksCommand> = {};
  const manifest = walk(
    rest,
    (arg, value) => {
      switch (arg) {
        case '--indices':
          parsed.indices = indexList(arg, value());
          return true;
        case '--examples': {
          const n = nonNegativeInt(arg, value());
          if (n === 0) throw new UsageError('--examples must be at least 1');
          parsed.indices = Array.from({ length: n }, (_, k) => k);
          return true;
        }
        case '--target':
          parsed.target = parseTargetArg(value(), false);
          return true;
        case '--sanity-index':
          parsed.sanityIndex = nonNegativeInt(arg, value());
          return true;
        case '--compare':
          parsed.compare = value();
          if (!parsed.compare) throw new UsageError('--compare needs a manifest');
          return true;
        case '--compare-checkpoint':
          parsed.compareCheckpoint = value();
          if (!parsed.compareCheckpoint) throw new UsageError('--compare-checkpoint needs a path');
          return true;
        default:
          return false;
      }
    },
    parsed,
  );
  const command: ChecksCommand = {
    ...parsed,
    command: 'checks',
    manifest,
    method: parsed.method ?? 'integratedGradients',
    target: parsed.target ?? { kind: 'labelFree' },
    indices: parsed.indices ?? Array.from({ length: DEFAULT_CHECK_EXAMPLES }, (_, k) => k),
  };
  methodSpec(command);
  return command;
}
