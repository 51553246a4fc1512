/**
 * Command-line parsing for the example-importance commands: `examples`,
 * `index`, `self-influence`, `suspicious` and `example-checks`. Pure, so it
 * can be tested; every error names the flag it is about.
 */
import {
  EXAMPLE_METHOD_NAMES,
  MAX_IMPORTANCE_EXAMPLES,
  SELF_INFLUENCE_METHODS,
  SUSPICION_SIGNALS,
  type BackendName,
  type ExampleMethodName,
  type ExampleMethodSpec,
  type SelfInfluenceMethod,
  type SuspicionSignal,
  type TracInMode,
} from '../protocol/engineProtocol';
import { UsageError } from './args';

/** Method settings as given on the command line; each belongs to one method (and sometimes one mode). */
export interface ExampleMethodOptions {
  mode?: TracInMode;
  lastLayers?: number;
  sketchDim?: number;
  inverse?: 'lissa' | 'arnoldi';
  depth?: number;
  scale?: number;
  damping?: number;
  samples?: number;
  rank?: number;
  iterations?: number;
  epochs?: number;
  learningRate?: number;
  nearest?: number;
}

interface Common {
  manifest: string;
  checkpoint?: string;
  backend?: BackendName;
  batchSize?: number;
  /** Also write the result as JSON here. */
  json?: string;
}

export interface ExamplesCommand extends Common {
  command: 'examples';
  method: ExampleMethodName;
  options: ExampleMethodOptions;
  indices: number[];
  topK?: number;
}

export interface IndexCommand extends Omit<Common, 'checkpoint'> {
  command: 'index';
  sketchDim?: number;
}

export interface SelfInfluenceCommand extends Common {
  command: 'self-influence';
  method: SelfInfluenceMethod;
  topK?: number;
}

export interface SuspiciousCommand extends Common {
  command: 'suspicious';
  limit?: number;
  neighbours?: number;
  signals?: SuspicionSignal[];
}

export interface ExampleChecksCommand extends Common {
  command: 'example-checks';
  methods: ExampleMethodName[];
  options: ExampleMethodOptions;
  indices: number[];
  ms?: number[];
  /** Also compare each method's scores with this manifest's encoder. */
  compare?: string;
  compareCheckpoint?: string;
}

export type ExampleCommand = ExamplesCommand | IndexCommand | SelfInfluenceCommand | SuspiciousCommand | ExampleChecksCommand;

export const DEFAULT_EXAMPLE_INDICES = 8;
const DEFAULT_CHECK_EXAMPLES = 32;

function squash(name: string): string {
  return name.toLowerCase().replace(/[-_]/g, '');
}

const METHOD_ALIASES: Record<string, ExampleMethodName> = {
  ...Object.fromEntries(EXAMPLE_METHOD_NAMES.map((m) => [squash(m), m])),
  tracincp: 'tracin',
  knn: 'deepKnn',
  influencefunctions: 'influence',
};

export function parseExampleMethod(flag: string, value: string | undefined): ExampleMethodName {
  const method = value === undefined ? undefined : METHOD_ALIASES[squash(value)];
  if (!method) throw new UsageError(`${flag} must be one of tracin, influence, deepknn, simplex; got ${value ?? 'nothing'}`);
  return method;
}

export function parseExampleMethodList(flag: string, value: string | undefined): ExampleMethodName[] {
  if (value === undefined || value.trim() === '') throw new UsageError(`${flag} needs a comma-separated list of tracin, influence, deepknn, simplex`);
  const methods = value.split(',').map((s) => parseExampleMethod(flag, s.trim()));
  if (new Set(methods).size !== methods.length) throw new UsageError(`${flag} names a method twice`);
  return methods;
}

function parseMode(value: string | undefined): TracInMode {
  switch (squash(value ?? '')) {
    case 'sketch':
      return 'sketch';
    case 'exact':
      return 'exact';
    case 'lastlayers':
      return 'lastLayers';
    default:
      throw new UsageError(`--mode must be sketch, exact or last-layers, got ${value ?? 'nothing'}`);
  }
}

function nonNegativeInt(flag: string, value: string | undefined): number {
  const n = Number(value);
  if (value === undefined || value.trim() === '' || !Number.isSafeInteger(n) || n < 0) throw new UsageError(`${flag} needs a non-negative integer, got ${value ?? 'nothing'}`);
  return n;
}

function positiveInt(flag: string, value: string | undefined): number {
  const n = nonNegativeInt(flag, value);
  if (n === 0) throw new UsageError(`${flag} must be at least 1`);
  return n;
}

function positiveNumber(flag: string, value: string | undefined): number {
  const n = Number(value);
  if (value === undefined || value.trim() === '' || !Number.isFinite(n) || n <= 0) throw new UsageError(`${flag} needs a positive number, got ${value ?? 'nothing'}`);
  return n;
}

function nonNegativeNumber(flag: string, value: string | undefined): number {
  const n = Number(value);
  if (value === undefined || value.trim() === '' || !Number.isFinite(n) || n < 0) throw new UsageError(`${flag} needs a non-negative number, got ${value ?? 'nothing'}`);
  return n;
}

function text(flag: string, value: string | undefined, what: string): string {
  if (value === undefined || value === '' || value.startsWith('--')) throw new UsageError(`${flag} needs ${what}`);
  return value;
}

export function indexList(flag: string, value: string | undefined): number[] {
  if (value === undefined || value.trim() === '') throw new UsageError(`${flag} needs a comma-separated list of indices`);
  const indices = value.split(',').map((s) => nonNegativeInt(flag, s.trim()));
  if (new Set(indices).size !== indices.length) throw new UsageError(`${flag} repeats an index`);
  return indices;
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, k) => k);
}

/** Which method each method flag belongs to. */
const OPTION_FLAGS: Record<keyof ExampleMethodOptions, { flag: string; method: ExampleMethodName }> = {
  mode: { flag: '--mode', method: 'tracin' },
  lastLayers: { flag: '--last-layers', method: 'tracin' },
  sketchDim: { flag: '--sketch-dim', method: 'tracin' },
  inverse: { flag: '--inverse', method: 'influence' },
  depth: { flag: '--depth', method: 'influence' },
  scale: { flag: '--scale', method: 'influence' },
  damping: { flag: '--damping', method: 'influence' },
  samples: { flag: '--samples', method: 'influence' },
  rank: { flag: '--rank', method: 'influence' },
  iterations: { flag: '--iterations', method: 'influence' },
  epochs: { flag: '--epochs', method: 'simplex' },
  learningRate: { flag: '--lr', method: 'simplex' },
  nearest: { flag: '--nearest', method: 'simplex' },
};

const METHOD_LABEL: Record<ExampleMethodName, string> = { tracin: 'tracin', influence: 'influence', deepKnn: 'deepknn', simplex: 'simplex' };

/** Parses one method-settings flag into `options`; false when `arg` is not one. */
function methodOptionFlag(arg: string, value: () => string | undefined, options: ExampleMethodOptions): boolean {
  switch (arg) {
    case '--mode':
      options.mode = parseMode(value());
      return true;
    case '--last-layers':
      options.lastLayers = positiveInt(arg, value());
      return true;
    case '--sketch-dim':
      options.sketchDim = positiveInt(arg, value());
      return true;
    case '--inverse': {
      const v = value();
      if (v !== 'lissa' && v !== 'arnoldi') throw new UsageError(`--inverse must be lissa or arnoldi, got ${v ?? 'nothing'}`);
      options.inverse = v;
      return true;
    }
    case '--depth':
      options.depth = positiveInt(arg, value());
      return true;
    case '--scale':
      options.scale = positiveNumber(arg, value());
      return true;
    case '--damping':
      options.damping = nonNegativeNumber(arg, value());
      return true;
    case '--samples':
      options.samples = positiveInt(arg, value());
      return true;
    case '--rank':
      options.rank = positiveInt(arg, value());
      return true;
    case '--iterations':
      options.iterations = positiveInt(arg, value());
      return true;
    case '--epochs':
      options.epochs = positiveInt(arg, value());
      return true;
    case '--lr':
      options.learningRate = positiveNumber(arg, value());
      return true;
    case '--nearest':
      options.nearest = positiveInt(arg, value());
      return true;
    default:
      return false;
  }
}

const LISSA_ONLY = ['depth', 'scale', 'samples'] as const;
const ARNOLDI_ONLY = ['rank', 'iterations'] as const;

/**
 * The method JSON sent to the engine for `method`, from the flags that belong
 * to it; settings left out get the engine's defaults. Flags that belong to
 * another method, mode or inverse are errors naming the flag.
 */
export function exampleMethodSpec(method: ExampleMethodName, options: ExampleMethodOptions, methods: readonly ExampleMethodName[] = [method]): ExampleMethodSpec {
  for (const key of Object.keys(options) as Array<keyof ExampleMethodOptions>) {
    if (options[key] === undefined) continue;
    const owner = OPTION_FLAGS[key];
    if (!methods.includes(owner.method)) throw new UsageError(`${owner.flag} applies to --method ${METHOD_LABEL[owner.method]}, not ${methods.map((m) => METHOD_LABEL[m]).join(', ')}`);
  }
  switch (method) {
    case 'tracin': {
      const mode = options.mode ?? (options.lastLayers !== undefined ? 'lastLayers' : undefined);
      if (options.lastLayers !== undefined && mode !== 'lastLayers') throw new UsageError(`--last-layers applies to --mode last-layers, not --mode ${mode}`);
      if (options.sketchDim !== undefined && mode !== undefined && mode !== 'sketch') throw new UsageError(`--sketch-dim applies to --mode sketch, not --mode ${mode === 'lastLayers' ? 'last-layers' : mode}`);
      const spec: ExampleMethodSpec = { method: 'tracin' };
      if (mode !== undefined) spec.mode = mode;
      if (options.sketchDim !== undefined) spec.sketchDim = options.sketchDim;
      if (options.lastLayers !== undefined) spec.lastLayers = options.lastLayers;
      return spec;
    }
    case 'influence': {
      const lissa = LISSA_ONLY.filter((k) => options[k] !== undefined);
      const arnoldi = ARNOLDI_ONLY.filter((k) => options[k] !== undefined);
      if (lissa.length > 0 && arnoldi.length > 0) throw new UsageError(`${OPTION_FLAGS[lissa[0]!].flag} (LiSSA) and ${OPTION_FLAGS[arnoldi[0]!].flag} (Arnoldi) cannot be combined`);
      const inverse = options.inverse ?? (lissa.length > 0 ? 'lissa' : arnoldi.length > 0 ? 'arnoldi' : undefined);
      if (inverse === 'arnoldi' && lissa.length > 0) throw new UsageError(`${OPTION_FLAGS[lissa[0]!].flag} applies to --inverse lissa, not arnoldi`);
      if (inverse === 'lissa' && arnoldi.length > 0) throw new UsageError(`${OPTION_FLAGS[arnoldi[0]!].flag} applies to --inverse arnoldi, not lissa`);
      const spec: ExampleMethodSpec = { method: 'influence' };
      if (inverse !== undefined) spec.inverse = inverse;
      for (const key of ['depth', 'scale', 'damping', 'samples', 'rank', 'iterations'] as const) if (options[key] !== undefined) spec[key] = options[key];
      return spec;
    }
    case 'deepKnn':
      return { method: 'deepKnn' };
    case 'simplex': {
      const spec: ExampleMethodSpec = { method: 'simplex' };
      if (options.epochs !== undefined) spec.epochs = options.epochs;
      if (options.learningRate !== undefined) spec.learningRate = options.learningRate;
      if (options.nearest !== undefined) spec.nearest = options.nearest;
      return spec;
    }
  }
}

/** Flags every example command takes; false for one it does not know. */
function commonFlag(arg: string, value: () => string | undefined, parsed: Partial<Common>, allowCheckpoint: boolean): boolean {
  switch (arg) {
    case '--checkpoint':
      if (!allowCheckpoint) return false;
      parsed.checkpoint = text(arg, value(), 'a checkpoint path as written in the manifest');
      return true;
    case '--backend': {
      const name = value();
      if (name !== 'tensorflow' && name !== 'wasm' && name !== 'cpu') throw new UsageError(`--backend must be tensorflow, wasm or cpu, got ${name ?? 'nothing'}`);
      parsed.backend = name;
      return true;
    }
    case '--batch-size':
      parsed.batchSize = positiveInt(arg, value());
      return true;
    case '--json':
      parsed.json = text(arg, value(), 'a file name');
      return true;
    default:
      return false;
  }
}

type Own = (arg: string, value: () => string | undefined) => boolean;

function walk(command: string, rest: string[], own: Own, parsed: Partial<Common>, allowCheckpoint = true): string {
  let manifest: string | undefined;
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i]!;
    const value = (): string | undefined => rest[++i];
    if (commonFlag(arg, value, parsed, allowCheckpoint) || own(arg, value)) continue;
    if (arg.startsWith('-')) throw new UsageError(`${command} has no option ${arg}`);
    if (manifest) throw new UsageError(`unexpected argument ${arg}`);
    manifest = arg;
  }
  if (!manifest) throw new UsageError(`${command} needs a <manifest>`);
  return manifest;
}

/** --indices and --examples: the later one wins. */
function indicesFlag(arg: string, value: () => string | undefined, set: (indices: number[]) => void): boolean {
  if (arg === '--indices') set(indexList(arg, value()));
  else if (arg === '--examples') set(range(positiveInt(arg, value())));
  else return false;
  return true;
}

/** `modeldebug examples <manifest> --method m [...]`; argv starts after the command name. */
export function parseExamplesArgs(rest: string[]): ExamplesCommand {
  const parsed: Partial<ExamplesCommand> = {};
  const options: ExampleMethodOptions = {};
  const manifest = walk(
    'examples',
    rest,
    (arg, value) => {
      if (arg === '--method') parsed.method = parseExampleMethod(arg, value());
      else if (arg === '--top-k') parsed.topK = positiveInt(arg, value());
      else return indicesFlag(arg, value, (i) => (parsed.indices = i)) || methodOptionFlag(arg, value, options);
      return true;
    },
    parsed,
  );
  if (!parsed.method) throw new UsageError('examples needs --method tracin, influence, deepknn or simplex');
  const indices = parsed.indices ?? range(DEFAULT_EXAMPLE_INDICES);
  if (indices.length > MAX_IMPORTANCE_EXAMPLES) throw new UsageError(`--indices/--examples: at most ${MAX_IMPORTANCE_EXAMPLES} test examples per run, got ${indices.length}`);
  const command: ExamplesCommand = { ...parsed, command: 'examples', manifest, method: parsed.method, options, indices };
  exampleMethodSpec(command.method, options);
  return command;
}

/** `modeldebug index <manifest> [--sketch-dim k]`. */
export function parseIndexArgs(rest: string[]): IndexCommand {
  const parsed: Partial<IndexCommand> = {};
  const manifest = walk(
    'index',
    rest,
    (arg, value) => {
      if (arg !== '--sketch-dim') return false;
      parsed.sketchDim = positiveInt(arg, value());
      return true;
    },
    parsed,
    false,
  );
  return { ...parsed, command: 'index', manifest };
}

/** `modeldebug self-influence <manifest> --method tracin|influence [--top-k n]`. */
export function parseSelfInfluenceArgs(rest: string[]): SelfInfluenceCommand {
  const parsed: Partial<SelfInfluenceCommand> = {};
  const manifest = walk(
    'self-influence',
    rest,
    (arg, value) => {
      if (arg === '--method') {
        const v = value();
        const method = SELF_INFLUENCE_METHODS.find((m) => m === v?.toLowerCase());
        if (!method) throw new UsageError(`--method must be tracin or influence, got ${v ?? 'nothing'}`);
        parsed.method = method;
      } else if (arg === '--top-k') parsed.topK = positiveInt(arg, value());
      else return false;
      return true;
    },
    parsed,
  );
  return { ...parsed, command: 'self-influence', manifest, method: parsed.method ?? 'tracin' };
}

function parseSignals(flag: string, value: string | undefined): SuspicionSignal[] {
  if (value === undefined || value.trim() === '') throw new UsageError(`${flag} needs a comma-separated list of ${SUSPICION_SIGNALS.join(', ')}`);
  return value.split(',').map((s) => {
    const signal = SUSPICION_SIGNALS.find((name) => squash(name) === squash(s.trim()));
    if (!signal) throw new UsageError(`${flag}: "${s.trim()}" is not one of ${SUSPICION_SIGNALS.join(', ')}`);
    return signal;
  });
}

/** `modeldebug suspicious <manifest> [--limit n] [--neighbours k] [--signals a,b]`. */
export function parseSuspiciousArgs(rest: string[]): SuspiciousCommand {
  const parsed: Partial<SuspiciousCommand> = {};
  const manifest = walk(
    'suspicious',
    rest,
    (arg, value) => {
      if (arg === '--limit') parsed.limit = positiveInt(arg, value());
      else if (arg === '--neighbours' || arg === '--neighbors') parsed.neighbours = positiveInt(arg, value());
      else if (arg === '--signals') parsed.signals = parseSignals(arg, value());
      else return false;
      return true;
    },
    parsed,
  );
  return { ...parsed, command: 'suspicious', manifest };
}

function msList(flag: string, value: string | undefined): number[] {
  if (value === undefined || value.trim() === '') throw new UsageError(`${flag} needs a comma-separated list of sizes, e.g. 1,5,10`);
  return value.split(',').map((s) => positiveInt(flag, s.trim()));
}

/** `modeldebug example-checks <manifest> --methods a,b [--examples n] [--compare other]`. */
export function parseExampleChecksArgs(rest: string[]): ExampleChecksCommand {
  const parsed: Partial<ExampleChecksCommand> = {};
  const options: ExampleMethodOptions = {};
  const manifest = walk(
    'example-checks',
    rest,
    (arg, value) => {
      switch (arg) {
        case '--methods':
        case '--method':
          parsed.methods = parseExampleMethodList(arg, value());
          return true;
        case '--ms':
          parsed.ms = msList(arg, value());
          return true;
        case '--compare':
          parsed.compare = text(arg, value(), 'another run manifest');
          return true;
        case '--compare-checkpoint':
          parsed.compareCheckpoint = text(arg, value(), 'a checkpoint path');
          return true;
        default:
          return indicesFlag(arg, value, (i) => (parsed.indices = i)) || methodOptionFlag(arg, value, options);
      }
    },
    parsed,
  );
  const methods = parsed.methods ?? ['tracin', 'deepKnn'];
  const command: ExampleChecksCommand = { ...parsed, command: 'example-checks', manifest, methods, options, indices: parsed.indices ?? range(DEFAULT_CHECK_EXAMPLES) };
  for (const method of methods) exampleMethodSpec(method, options, methods);
  return command;
}

/** The method specs of an example-checks run, each with the flags that belong to it. */
export function exampleCheckSpecs(command: Pick<ExampleChecksCommand, 'methods' | 'options'>): ExampleMethodSpec[] {
  return command.methods.map((method) => exampleMethodSpec(method, command.options, command.methods));
}

export const EXAMPLE_COMMANDS = ['examples', 'index', 'self-influence', 'suspicious', 'example-checks'] as const;

export function parseExampleCommand(command: (typeof EXAMPLE_COMMANDS)[number], rest: string[]): ExampleCommand {
  switch (command) {
    case 'examples':
      return parseExamplesArgs(rest);
    case 'index':
      return parseIndexArgs(rest);
    case 'self-influence':
      return parseSelfInfluenceArgs(rest);
    case 'suspicious':
      return parseSuspiciousArgs(rest);
    case 'example-checks':
      return parseExampleChecksArgs(rest);
  }
}
