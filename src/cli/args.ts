/** Command-line parsing for `modeldebug explain`, kept pure so it can be tested (USAGE and UsageError are re-exported for older imports). */
import type { BackendName } from '../protocol/engineProtocol';
import { flagTable, PLAIN_ERRORS, readCommandLine } from './commandLine';
import { plainEngineFlagReader } from './engineFlags';
import { commaList, firstIndices, nonEmpty, nonNegativeInt, positiveInt } from './flagReader';
import { UsageError } from './usageError';

export { UsageError };
export { USAGE } from './usageText';

export interface ExplainCommand {
  command: 'explain';
  manifest: string;
  out?: string;
  indices: number[];
  steps?: number;
  topK?: number;
  backend?: BackendName;
  checkpoint?: string;
}


/** explain has always read a blank number as 0 (`--indices ''` is [0], `--steps ''` is 0); kept as it was. Other commands refuse one. */
function blankAsZero(value: string | undefined): string | undefined {
  return value !== undefined && value.trim() === '' ? '0' : value;
}

const lenientInt = (flag: string, value: string | undefined): number => nonNegativeInt(flag, blankAsZero(value));

export function parseArgs(argv: string[]): ExplainCommand {
  const [command, ...rest] = argv;
  if (command !== 'explain') throw new UsageError(command ? `unknown command "${command}"` : 'missing command');
  const parsed: Omit<ExplainCommand, 'manifest'> = { command: 'explain', indices: firstIndices(8) };
  const explainFlag = flagTable({
    '--out': (flag, value) => (parsed.out = nonEmpty(flag, value, 'a folder')),
    '--examples': (flag, value) => (parsed.indices = firstIndices(positiveInt(flag, blankAsZero(value)))),
    '--indices': (flag, value) => (parsed.indices = commaList(flag, value ?? '', lenientInt)),
    '--steps': (flag, value) => (parsed.steps = lenientInt(flag, value)),
    '--top-k': (flag, value) => (parsed.topK = lenientInt(flag, value)),
  });
  const manifest = readCommandLine(rest, [explainFlag, plainEngineFlagReader(parsed)], PLAIN_ERRORS);
  return { ...parsed, manifest };
}
