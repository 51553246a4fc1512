/**
 * Checks for request params, which come from another process and are not
 * trusted: every failure is an `invalidParams` RpcError naming the field.
 */
import { RpcError } from '../../protocol/rpc';

export type JsonObject = Record<string, unknown>;

export function invalidParam(field: string, problem: string): never {
  throw new RpcError('invalidParams', `${field} ${problem}`);
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !ArrayBuffer.isView(value);
}

/** An object whose keys are all in `allowed`: a misspelt setting is an error, not silently ignored. */
export function readObject(value: unknown, field: string, allowed: readonly string[]): JsonObject {
  if (!isObject(value)) invalidParam(field, 'must be an object');
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) invalidParam(field === 'params' ? key : `${field}.${key}`, `is not a known field (known: ${allowed.join(', ')})`);
  }
  return value;
}

export function readString(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.length === 0) invalidParam(field, 'must be a non-empty string');
  if (value.includes('\0')) invalidParam(field, 'must not contain NUL characters');
  return value;
}

export function readOptionalString(value: unknown, field: string): string | undefined {
  return value === undefined ? undefined : readString(value, field);
}

export function readInteger(value: unknown, field: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    invalidParam(field, `must be an integer in ${min}..${max}, got ${describe(value)}`);
  }
  return value;
}

export function readOptionalInteger(value: unknown, field: string, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined {
  return value === undefined ? undefined : readInteger(value, field, min, max);
}

export function readOptionalBoolean(value: unknown, field: string): boolean | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'boolean') invalidParam(field, `must be true or false, got ${describe(value)}`);
  return value;
}

export function readOptionalNumber(value: unknown, field: string, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) invalidParam(field, `must be a number in [${min}, ${max}], got ${describe(value)}`);
  return value;
}

export function readEnum<T extends string>(value: unknown, field: string, allowed: readonly T[]): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) invalidParam(field, `must be one of ${allowed.join(', ')}, got ${describe(value)}`);
  return value as T;
}

/** A non-empty list of distinct example indices; their range is checked once the dataset is known. */
export function readIndexList(value: unknown, field: string, maxCount: number): number[] {
  if (!Array.isArray(value) || value.length === 0 || value.length > maxCount) invalidParam(field, `must be a list of 1 to ${maxCount} example indices`);
  const seen = new Set<number>();
  return value.map((v, i) => {
    const index = readInteger(v, `${field}[${i}]`, 0);
    if (seen.has(index)) invalidParam(`${field}[${i}]`, `repeats example ${index}`);
    seen.add(index);
    return index;
  });
}

export function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
  return Array.isArray(value) ? 'a list' : `a ${typeof value}`;
}
