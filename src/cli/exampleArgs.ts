/**
 * Command-line parsing for the example-importance commands: `examples`,
 * `index`, `self-influence`, `suspicious` and `example-checks`. Pure, so it
 * can be tested; every error names the flag it is about.
 */
import {
  MAX_IMPORTANCE_EXAMPLES,
  SELF_INFLUENCE_METHODS,
  SUSPICION_SIGNALS,
  type ExampleMethodName,
  type ExampleMethodSpec,
  type SelfInfluenceMethod,
  type SuspicionSignal,
} from '../protocol/engineProtocol';
import { flagTable, namedCommandErrors, readCommandLine, type FlagReader } from './commandLine';
import { engineFlagReader, EXAMPLE_COMMAND_WORDING, testIndicesReader, type EngineFlags } from './engineFlags';
import { exampleMethodSpec, methodOptionReader, parseExampleMethod, parseExampleMethodList, type ExampleMethodOptions } from './exampleMethodFlags';
import { firstIndices, positiveInt, requiredList, squash, text } from './flagReader';
import { UsageError } from './usageError';

export { exampleMethodSpec, parseExampleMethod, parseExampleMethodList, type ExampleMethodOptions };


interface Common extends EngineFlags {
  manifest: string;
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

/** The manifest, with the engine flags (--checkpoint only where `checkpoint`) and then `own` read into `parsed`. */
function readExampleCommandLine(command: string, rest: string[], own: readonly FlagReader[], parsed: EngineFlags, checkpoint = true): string {
  return readCommandLine(rest, [engineFlagReader(parsed, EXAMPLE_COMMAND_WORDING, { checkpoint }), ...own], namedCommandErrors(command));
}

function testIndicesFlag(parsed: { indices?: number[] }): FlagReader {
  return testIndicesReader((indices) => (parsed.indices = indices), EXAMPLE_COMMAND_WORDING.count);
}

/** `modeldebug examples <manifest> --method m [...]`; argv starts after the command name. */
export function parseExamplesArgs(rest: string[]): ExamplesCommand {
  const parsed: Partial<ExamplesCommand> = {};
  const options: ExampleMethodOptions = {};
  const examplesFlag = flagTable({
    '--method': (flag, value) => (parsed.method = parseExampleMethod(flag, value)),
    '--top-k': (flag, value) => (parsed.topK = positiveInt(flag, value)),
  });
  const manifest = readExampleCommandLine('examples', rest, [examplesFlag, testIndicesFlag(parsed), methodOptionReader(options)], parsed);
  if (!parsed.method) throw new UsageError('examples needs --method tracin, influence, deepknn or simplex');
  const indices = parsed.indices ?? firstIndices(DEFAULT_EXAMPLE_INDICES);
  if (indices.length > MAX_IMPORTANCE_EXAMPLES) throw new UsageError(`--indices/--examples: at most ${MAX_IMPORTANCE_EXAMPLES} test examples per run, got ${indices.length}`);
  const command: ExamplesCommand = { ...parsed, command: 'examples', manifest, method: parsed.method, options, indices };
  exampleMethodSpec(command.method, options);
  return command;
}

/** `modeldebug index <manifest> [--sketch-dim k]`. */
export function parseIndexArgs(rest: string[]): IndexCommand {
  const parsed: Partial<IndexCommand> = {};
  const sketchDimFlag = flagTable({ '--sketch-dim': (flag, value) => (parsed.sketchDim = positiveInt(flag, value)) });
  const manifest = readExampleCommandLine('index', rest, [sketchDimFlag], parsed, false);
  return { ...parsed, command: 'index', manifest };
}

function selfInfluenceMethod(flag: string, value: string | undefined): SelfInfluenceMethod {
  const method = SELF_INFLUENCE_METHODS.find((m) => m === value?.toLowerCase());
  if (!method) throw new UsageError(`${flag} must be tracin or influence, got ${value ?? 'nothing'}`);
  return method;
}

/** `modeldebug self-influence <manifest> --method tracin|influence [--top-k n]`. */
export function parseSelfInfluenceArgs(rest: string[]): SelfInfluenceCommand {
  const parsed: Partial<SelfInfluenceCommand> = {};
  const selfInfluenceFlag = flagTable({
    '--method': (flag, value) => (parsed.method = selfInfluenceMethod(flag, value)),
    '--top-k': (flag, value) => (parsed.topK = positiveInt(flag, value)),
  });
  const manifest = readExampleCommandLine('self-influence', rest, [selfInfluenceFlag], parsed);
  return { ...parsed, command: 'self-influence', manifest, method: parsed.method ?? 'tracin' };
}

function parseSignals(flag: string, value: string | undefined): SuspicionSignal[] {
  return requiredList(flag, value, `a comma-separated list of ${SUSPICION_SIGNALS.join(', ')}`, (_, item) => {
    const signal = SUSPICION_SIGNALS.find((name) => squash(name) === squash(item ?? ''));
    if (!signal) throw new UsageError(`${flag}: "${item}" is not one of ${SUSPICION_SIGNALS.join(', ')}`);
    return signal;
  });
}

/** `modeldebug suspicious <manifest> [--limit n] [--neighbours k] [--signals a,b]`. */
export function parseSuspiciousArgs(rest: string[]): SuspiciousCommand {
  const parsed: Partial<SuspiciousCommand> = {};
  const suspiciousFlag = flagTable({
    '--limit': (flag, value) => (parsed.limit = positiveInt(flag, value)),
    '--neighbours': (flag, value) => (parsed.neighbours = positiveInt(flag, value)),
    '--neighbors': (flag, value) => (parsed.neighbours = positiveInt(flag, value)),
    '--signals': (flag, value) => (parsed.signals = parseSignals(flag, value)),
  });
  const manifest = readExampleCommandLine('suspicious', rest, [suspiciousFlag], parsed);
  return { ...parsed, command: 'suspicious', manifest };
}

/** `modeldebug example-checks <manifest> --methods a,b [--examples n] [--compare other]`. */
export function parseExampleChecksArgs(rest: string[]): ExampleChecksCommand {
  const parsed: Partial<ExampleChecksCommand> = {};
  const options: ExampleMethodOptions = {};
  const checksFlag = flagTable({
    '--methods': (flag, value) => (parsed.methods = parseExampleMethodList(flag, value)),
    '--method': (flag, value) => (parsed.methods = parseExampleMethodList(flag, value)),
    '--ms': (flag, value) => (parsed.ms = requiredList(flag, value, 'a comma-separated list of sizes, e.g. 1,5,10', positiveInt)),
    '--compare': (flag, value) => (parsed.compare = text(flag, value, 'another run manifest')),
    '--compare-checkpoint': (flag, value) => (parsed.compareCheckpoint = text(flag, value, 'a checkpoint path')),
  });
  const manifest = readExampleCommandLine('example-checks', rest, [checksFlag, testIndicesFlag(parsed), methodOptionReader(options)], parsed);
  const methods = parsed.methods ?? ['tracin', 'deepKnn'];
  const command: ExampleChecksCommand = { ...parsed, command: 'example-checks', manifest, methods, options, indices: parsed.indices ?? firstIndices(DEFAULT_CHECK_EXAMPLES) };
  for (const method of methods) exampleMethodSpec(method, options, methods);
  return command;
}

/** The method specs of an example-checks run, each with the flags that belong to it. */
export function exampleCheckSpecs(command: Pick<ExampleChecksCommand, 'methods' | 'options'>): ExampleMethodSpec[] {
  return command.methods.map((method) => exampleMethodSpec(method, command.options, command.methods));
}

export const EXAMPLE_COMMANDS = ['examples', 'index', 'self-influence', 'suspicious', 'example-checks'] as const;

const EXAMPLE_PARSERS: Record<(typeof EXAMPLE_COMMANDS)[number], (rest: string[]) => ExampleCommand> = {
  examples: parseExamplesArgs,
  index: parseIndexArgs,
  'self-influence': parseSelfInfluenceArgs,
  suspicious: parseSuspiciousArgs,
  'example-checks': parseExampleChecksArgs,
};

export function parseExampleCommand(command: (typeof EXAMPLE_COMMANDS)[number], rest: string[]): ExampleCommand {
  return EXAMPLE_PARSERS[command](rest);
}
