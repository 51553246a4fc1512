/**
 * Walks a command's words after its name: each flag goes to the first reader
 * that knows it, the one other word is the manifest.
 */
import { UsageError } from './usageError';

/** Reads `flag` (and its value through `value()`, which moves past it); false for a flag it does not know. */
export type FlagReader = (flag: string, value: () => string | undefined) => boolean;

/** How a command words the two mistakes the walk finds. */
export interface CommandLineErrors {
  /** Words starting with this are flags; explain, attribute and checks take '-x' as a manifest. */
  flagPrefix: '-' | '--';
  unknownFlag: (flag: string) => string;
  missingManifest: string;
}

/** "examples has no option --x", "examples needs a <manifest>" (with `manifestNote` after it). */
export function namedCommandErrors(command: string, manifestNote = ''): CommandLineErrors {
  return { flagPrefix: '-', unknownFlag: (flag) => `${command} has no option ${flag}`, missingManifest: `${command} needs a <manifest>${manifestNote}` };
}

/** "unknown option --x", "missing <manifest>": explain, attribute and checks. */
export const PLAIN_ERRORS: CommandLineErrors = { flagPrefix: '--', unknownFlag: (flag) => `unknown option ${flag}`, missingManifest: 'missing <manifest>' };

/** Reads every flag of `rest` with `readers` and returns the manifest. */
export function readCommandLine(rest: readonly string[], readers: readonly FlagReader[], errors: CommandLineErrors): string {
  let manifest: string | undefined;
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i]!;
    const value = (): string | undefined => rest[++i];
    if (readers.some((read) => read(arg, value))) continue;
    if (arg.startsWith(errors.flagPrefix)) throw new UsageError(errors.unknownFlag(arg));
    if (manifest) throw new UsageError(`unexpected argument ${arg}`);
    manifest = arg;
  }
  if (!manifest) throw new UsageError(errors.missingManifest);
  return manifest;
}

/** What one flag does with its value (undefined when the command line ends after the flag). */
export type FlagAction = (flag: string, value: string | undefined) => void;

/** A reader for the flags `actions` names: each takes the next word as its value. */
export function flagTable(actions: Readonly<Record<string, FlagAction>>): FlagReader {
  return (flag, value) => {
    if (!Object.prototype.hasOwnProperty.call(actions, flag)) return false;
    actions[flag]!(flag, value());
    return true;
  };
}
