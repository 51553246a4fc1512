/**
 * One string per value, independent of key order, so that two requests that
 * mean the same settings share a cache entry. Typed arrays (baseline files,
 * feature masks) are replaced by a digest of their bytes: a key stays short
 * however large the array is.
 */
import { createHash } from 'node:crypto';

const MAX_DEPTH = 64;

function typedArrayDigest(view: ArrayBufferView): string {
  const bytes = new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
  const digest = createHash('sha256').update(bytes).digest('hex');
  const length = 'length' in view ? (view as unknown as { length: number }).length : view.byteLength;
  return `{"$typed":${JSON.stringify(view.constructor.name)},"length":${length},"sha256":"${digest}"}`;
}

function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

function write(value: unknown, path: string, depth: number): string {
  if (depth > MAX_DEPTH) throw new Error(`canonicalJson: ${path} is nested deeper than ${MAX_DEPTH} levels (or is cyclic)`);
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw new Error(`canonicalJson: ${path} is ${value}, which has no JSON form`);
      // JSON.stringify(-0) is "0" already; it also writes the shortest round-trip form.
      return JSON.stringify(value);
    case 'object': {
      if (value === null) return 'null';
      if (ArrayBuffer.isView(value)) return typedArrayDigest(value);
      if (Array.isArray(value)) return `[${value.map((item, i) => (item === undefined ? 'null' : write(item, `${path}[${i}]`, depth + 1))).join(',')}]`;
      if (!isPlainObject(value)) throw new Error(`canonicalJson: ${path} is a ${value.constructor?.name ?? 'non-plain'} object`);
      const entries = Object.entries(value as Record<string, unknown>)
        .filter(([, v]) => v !== undefined)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${write(v, `${path}.${k}`, depth + 1)}`).join(',')}}`;
    }
    default:
      throw new Error(`canonicalJson: ${path} is a ${typeof value}, which has no JSON form`);
  }
}

/** Sorted keys, no whitespace, undefined fields dropped; throws on NaN, Infinity, functions and class instances. */
export function canonicalJson(value: unknown): string {
  return write(value, 'value', 0);
}
