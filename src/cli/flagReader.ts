/**
 * Readers of one flag's value, shared by every command's parser. Each takes
 * the flag and the word after it (undefined when the command line ends there)
 * and throws a UsageError that names the flag.
 */
import { UsageError } from './usageError';

/** Reads the value of `flag`; throws a UsageError naming it. */
export type ValueReader<T> = (flag: string, value: string | undefined) => T;

function shown(value: string | undefined): string {
  return value ?? 'nothing';
}

/** "a", "a or b", "a, b or c". */
export function orList(words: readonly string[]): string {
  return words.length < 2 ? words.join('') : `${words.slice(0, -1).join(', ')} or ${words[words.length - 1]}`;
}

export function nonNegativeInt(flag: string, value: string | undefined): number {
  const n = Number(value);
  if (value === undefined || value.trim() === '' || !Number.isSafeInteger(n) || n < 0) throw new UsageError(`${flag} needs a non-negative integer, got ${shown(value)}`);
  return n;
}

/** At least 1; 0 is "must be at least 1" (explain, attribute, checks and the example commands). */
export function positiveInt(flag: string, value: string | undefined): number {
  const n = nonNegativeInt(flag, value);
  if (n === 0) throw new UsageError(`${flag} must be at least 1`);
  return n;
}

/** At least `min`; below it "must be at least min, got n" (neon, semantic and invariance). */
export function intAtLeast(flag: string, value: string | undefined, min = 1): number {
  const n = nonNegativeInt(flag, value);
  if (n < min) throw new UsageError(`${flag} must be at least ${min}, got ${n}`);
  return n;
}

/** A seed: a non-negative integer that fits in 32 bits. */
export function seed(flag: string, value: string | undefined): number {
  const n = nonNegativeInt(flag, value);
  if (n > 2 ** 32 - 1) throw new UsageError(`${flag} must be at most ${2 ** 32 - 1}`);
  return n;
}

export function positiveNumber(flag: string, value: string | undefined): number {
  const n = Number(value);
  if (value === undefined || value.trim() === '' || !Number.isFinite(n) || n <= 0) throw new UsageError(`${flag} needs a positive number, got ${shown(value)}`);
  return n;
}

export function nonNegativeNumber(flag: string, value: string | undefined): number {
  const n = Number(value);
  if (value === undefined || value.trim() === '' || !Number.isFinite(n) || n < 0) throw new UsageError(`${flag} needs a non-negative number, got ${shown(value)}`);
  return n;
}

/** A name or a path: missing, empty or the next flag is "needs <what>". */
export function text(flag: string, value: string | undefined, what: string): string {
  if (value === undefined || value === '' || value.startsWith('--')) throw new UsageError(`${flag} needs ${what}`);
  return value;
}

/** A name or a path that may start with dashes (as explain, attribute and checks have always read them); only a missing or empty one is "needs <what>". */
export function nonEmpty(flag: string, value: string | undefined, what: string): string {
  if (!value) throw new UsageError(`${flag} needs ${what}`);
  return value;
}

/**
 * One of `choices`, in any case: "must be one of a, b; got x". An array
 * accepts its own words; a record maps each accepted word to its value.
 */
export function choice<T extends string>(flag: string, value: string | undefined, choices: readonly T[] | Readonly<Record<string, T>>): T {
  const table: Readonly<Record<string, T>> = isList(choices) ? Object.fromEntries(choices.map((c) => [c, c])) : choices;
  const key = value?.toLowerCase();
  const picked = key !== undefined && Object.prototype.hasOwnProperty.call(table, key) ? table[key] : undefined;
  if (picked === undefined) throw new UsageError(`${flag} must be one of ${Object.keys(table).join(', ')}; got ${shown(value)}`);
  return picked;
}

function isList<T>(choices: readonly T[] | Readonly<Record<string, T>>): choices is readonly T[] {
  return Array.isArray(choices);
}

/** Exactly one of `words`, case and all: "must be a, b or c, got x". */
export function exactWord<T extends string>(flag: string, value: string | undefined, words: readonly T[]): T {
  const picked = words.find((w) => w === value);
  if (picked === undefined) throw new UsageError(`${flag} must be ${orList(words)}, got ${shown(value)}`);
  return picked;
}

/** Each item of a comma-separated `value`, trimmed and read by `read` under `flag`. */
export function commaList<T>(flag: string, value: string, read: ValueReader<T>): T[] {
  return value.split(',').map((item) => read(flag, item.trim()));
}

/** A comma-separated list that must be there: missing or blank is "needs <what>". */
export function requiredList<T>(flag: string, value: string | undefined, what: string, read: ValueReader<T>): T[] {
  if (value === undefined || value.trim() === '') throw new UsageError(`${flag} needs ${what}`);
  return commaList(flag, value, read);
}

/** `indices` unless one repeats: "repeats an index". */
export function uniqueIndices(flag: string, indices: number[]): number[] {
  if (new Set(indices).size !== indices.length) throw new UsageError(`${flag} repeats an index`);
  return indices;
}

/** --indices i,j,...: distinct non-negative integers. */
export function indexList(flag: string, value: string | undefined): number[] {
  return uniqueIndices(flag, requiredList(flag, value, 'a comma-separated list of indices', nonNegativeInt));
}

/** Test examples 0..n-1 (--examples n). */
export function firstIndices(n: number): number[] {
  return Array.from({ length: n }, (_, k) => k);
}

/** A name as typed, for matching: lower case, without '-' and '_' ("last-layers" and "lastLayers" are "lastlayers"). */
export function squash(name: string): string {
  return name.toLowerCase().replace(/[-_]/g, '');
}

/** Each of `names` under its squashed form, and the `aliases` (squashed already). */
export function nameTable<T extends string>(names: readonly T[], aliases: Readonly<Record<string, T>> = {}): Readonly<Record<string, T>> {
  return { ...Object.fromEntries(names.map((name) => [squash(name), name])), ...aliases };
}

/** The entry of `table` for `value` however it is spelled; undefined for none. */
export function lookUpName<T>(table: Readonly<Record<string, T>>, value: string | undefined): T | undefined {
  const key = value === undefined ? undefined : squash(value);
  return key !== undefined && Object.prototype.hasOwnProperty.call(table, key) ? table[key] : undefined;
}
