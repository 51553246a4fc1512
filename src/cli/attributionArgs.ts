/** Command-line parsing for `modeldebug attribute` and `modeldebug checks`; pure, so it can be tested. */
import { ATTRIBUTE_METHOD_NAMES, type AttributeMethodName, type AttributeMethodSpec, type AttributeTargetSpec, type BackendName } from '../protocol/engineProtocol';
import { flagTable, PLAIN_ERRORS, readCommandLine, type FlagAction, type FlagReader } from './commandLine';
import { plainEngineFlagReader } from './engineFlags';
import { commaList, firstIndices, lookUpName, nameTable, nonEmpty, nonNegativeInt, positiveInt, squash, uniqueIndices } from './flagReader';
import { UsageError } from './usageError';

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

const METHOD_NAMES = nameTable(ATTRIBUTE_METHOD_NAMES, { ig: 'integratedGradients', gradshap: 'gradientShap', gxi: 'gradientXInput' });

export function parseMethodArg(value: string | undefined): AttributeMethodName {
  const method = lookUpName(METHOD_NAMES, value);
  if (!method) throw new UsageError(`--method must be one of ${ATTRIBUTE_METHOD_NAMES.join(', ')}, got ${value ?? 'nothing'}`);
  return method;
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

/** The flags every attribution command shares, into `parsed`. */
function methodFlagReader(parsed: Partial<MethodOptions>): FlagReader {
  return flagTable({
    '--method': (_, value) => (parsed.method = parseMethodArg(value)),
    '--steps': (flag, value) => (parsed.steps = positiveInt(flag, value)),
    '--samples': (flag, value) => (parsed.samples = positiveInt(flag, value)),
    '--baseline': (_, value) => (parsed.baseline = parseBaselineArg(value)),
    '--settings': (_, value) => (parsed.settings = parseSettings(value)),
    '--out': (flag, value) => (parsed.out = nonEmpty(flag, value, 'a file name')),
  });
}

/** The manifest, with the shared flags and the command's `own` flags read into `parsed`. */
function readAttributionCommandLine(rest: string[], parsed: Partial<MethodOptions>, own: Readonly<Record<string, FlagAction>>): string {
  return readCommandLine(rest, [methodFlagReader(parsed), plainEngineFlagReader(parsed), flagTable(own)], PLAIN_ERRORS);
}

/** `modeldebug attribute <manifest> --method <name> [...]`; argv starts after the command name. */
export function parseAttributeArgs(rest: string[]): AttributeCommand {
  const parsed: Partial<AttributeCommand> = {};
  const manifest = readAttributionCommandLine(rest, parsed, {
    '--target': (_, value) => (parsed.target = parseTargetArg(value)),
    '--index': (flag, value) => (parsed.index = nonNegativeInt(flag, value)),
  });
  if (!parsed.method) throw new UsageError('missing --method');
  const command: AttributeCommand = { ...parsed, command: 'attribute', manifest, method: parsed.method, target: parsed.target ?? { kind: 'labelFree' }, index: parsed.index ?? 0 };
  methodSpec(command);
  return command;
}

/** `modeldebug checks <manifest> [...]`; argv starts after the command name. */
export function parseChecksArgs(rest: string[]): ChecksCommand {
  const parsed: Partial<ChecksCommand> = {};
  const manifest = readAttributionCommandLine(rest, parsed, {
    // A blank list is read as one blank index: "needs a non-negative integer".
    '--indices': (flag, value) => (parsed.indices = uniqueIndices(flag, commaList(flag, value ?? '', nonNegativeInt))),
    '--examples': (flag, value) => (parsed.indices = firstIndices(positiveInt(flag, value))),
    '--target': (_, value) => (parsed.target = parseTargetArg(value, false)),
    '--sanity-index': (flag, value) => (parsed.sanityIndex = nonNegativeInt(flag, value)),
    '--compare': (flag, value) => (parsed.compare = nonEmpty(flag, value, 'a manifest')),
    '--compare-checkpoint': (flag, value) => (parsed.compareCheckpoint = nonEmpty(flag, value, 'a path')),
  });
  const command: ChecksCommand = {
    ...parsed,
    command: 'checks',
    manifest,
    method: parsed.method ?? 'integratedGradients',
    target: parsed.target ?? { kind: 'labelFree' },
    indices: parsed.indices ?? firstIndices(DEFAULT_CHECK_EXAMPLES),
  };
  methodSpec(command);
  return command;
}
