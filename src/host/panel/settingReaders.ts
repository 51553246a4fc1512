/**
 * Small readers for the panel's flat settings objects, shared by the NEON,
 * semantic Shapley and invariance sections: a strict parse (every field
 * present and valid, nothing else; a bad field is an invalidParams error that
 * names it) and a lenient restore (the defaults, overridden by each saved
 * value that is still valid).
 */
import { RpcError } from '../../protocol/rpc';

export type Json = Record<string, unknown>;

/** Thrown by a field reader; turned into invalidParams by `strictSettings`. */
export class SettingError extends Error {}

export function bad(field: string, problem: string): never {
  throw new SettingError(`"${field}" ${problem}`);
}

export function describe(value: unknown): string {
  return JSON.stringify(value) ?? String(value);
}

export function isObject(raw: unknown): raw is Json {
  return typeof raw === 'object' && raw !== null && !Array.isArray(raw);
}

export function oneOf<T extends string>(value: unknown, allowed: readonly T[], field: string): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) bad(field, `must be one of ${allowed.join(', ')}, got ${describe(value)}`);
  return value as T;
}

export interface Range {
  min: number;
  max: number;
}

/** A number in [min, max] (or (min, max] when `openMin`), an integer when `integer`. */
export function inRange(value: unknown, range: Range, field: string, integer: boolean, openMin = false): number {
  const { min, max } = range;
  const ok = typeof value === 'number' && Number.isFinite(value) && (openMin ? value > min : value >= min) && value <= max && (!integer || Number.isSafeInteger(value));
  if (!ok) bad(field, `must be ${integer ? 'an integer' : 'a number'} ${openMin ? `above ${min} and up to` : `from ${min} to`} ${max}, got ${describe(value)}`);
  return value;
}

/** Reads one field of a settings object; throws SettingError naming `field` when the value is bad. */
export type FieldReader<S> = (key: keyof S, value: unknown, field: string) => unknown;

/** Strict: an object with every key valid and no other key; errors are invalidParams naming the field. */
export function strictSettings<S>(raw: unknown, keys: readonly (keyof S & string)[], read: FieldReader<S>, field: string): S {
  try {
    if (!isObject(raw)) bad(field, 'must be an object');
    for (const key of Object.keys(raw)) if (!(keys as readonly string[]).includes(key)) bad(`${field}.${key}`, 'is not a known setting');
    const settings: Json = {};
    for (const key of keys) {
      if (raw[key] === undefined) bad(`${field}.${key}`, 'is missing');
      settings[key] = read(key, raw[key], `${field}.${key}`);
    }
    return settings as S;
  } catch (error) {
    if (error instanceof SettingError) throw new RpcError('invalidParams', error.message);
    throw error;
  }
}

/** Lenient: `defaults`, with each saved field that reads as valid. */
export function restoreSettings<S>(raw: unknown, keys: readonly (keyof S & string)[], read: FieldReader<S>, defaults: S): S {
  const settings = { ...defaults } as Json;
  if (!isObject(raw)) return settings as S;
  for (const key of keys) {
    try {
      settings[key] = read(key, raw[key], key);
    } catch (error) {
      if (!(error instanceof SettingError)) throw error;
    }
  }
  return settings as S;
}

/** Refuses params with keys outside `allowed` (the page never sends extras). */
export function onlyKeys(raw: Json, allowed: readonly string[], method: string): void {
  for (const key of Object.keys(raw)) {
    if (!allowed.includes(key)) throw new RpcError('invalidParams', `${method}: "${key}" is not a known parameter.`);
  }
}
