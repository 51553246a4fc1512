/**
 * Checks every message the webview sends before the host acts on it. The page
 * is ours, but it renders data from untrusted files, so its messages are
 * treated as untrusted too: indices must be safe integers in range and a
 * checkpoint must be one the manifest lists.
 */
import { RpcError } from '../../protocol/rpc';
import { EXAMPLE_LIMITS, type PanelCompareWith, type PanelState } from '../../protocol/webviewProtocol';

export interface PanelLimits {
  testCount: number;
  trainCount: number;
  checkpoints: readonly string[];
}

type Json = Record<string, unknown>;

function invalid(message: string): never {
  throw new RpcError('invalidParams', message);
}

function objectParams(raw: unknown, method: string): Json {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) invalid(`${method}: params must be an object.`);
  return raw as Json;
}

export function indexInRange(value: unknown, count: number): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 && value < count;
}

function index(value: unknown, count: number, field: string): number {
  if (!indexInRange(value, count)) invalid(`"${field}" must be an integer from 0 to ${count - 1}, got ${JSON.stringify(value) ?? String(value)}.`);
  return value;
}

function checkpoint(value: unknown, checkpoints: readonly string[]): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !checkpoints.includes(value)) invalid(`"checkpoint" must be one of the manifest's checkpoints.`);
  return value;
}

/** Shape check only: the values are checked against the run once it is open. */
export function isPanelState(value: unknown): value is PanelState {
  if (typeof value !== 'object' || value === null) return false;
  const s = value as Json;
  return (
    typeof s.manifestPath === 'string' &&
    s.manifestPath.length > 0 &&
    s.manifestPath.length < 4096 &&
    !s.manifestPath.includes('\0') &&
    typeof s.testIndex === 'number' &&
    Number.isSafeInteger(s.testIndex) &&
    s.testIndex >= 0 &&
    (s.checkpoint === undefined || (typeof s.checkpoint === 'string' && s.checkpoint.length < 4096)) &&
    // The settings are repaired against the run once it is open (restoreAttributionSettings); here they need only be an object.
    (s.settings === undefined || (typeof s.settings === 'object' && s.settings !== null && !Array.isArray(s.settings))) &&
    (s.examples === undefined || (typeof s.examples === 'object' && s.examples !== null && !Array.isArray(s.examples)))
  );
}

export function parseReadyParams(raw: unknown): { restored?: PanelState } {
  const o = objectParams(raw ?? {}, 'panel/ready');
  // A bad saved state is not an error: the panel simply starts fresh.
  return isPanelState(o.restored) ? { restored: o.restored } : {};
}

export function parseExplainParams(raw: unknown, limits: PanelLimits, method = 'panel/explain'): { testIndex: number; checkpoint?: string } {
  const o = objectParams(raw, method);
  const testIndex = index(o.testIndex, limits.testCount, 'testIndex');
  const chosen = checkpoint(o.checkpoint, limits.checkpoints);
  return chosen === undefined ? { testIndex } : { testIndex, checkpoint: chosen };
}

export function parseRevealParams(raw: unknown, limits: PanelLimits): { split: 'train' | 'test'; index: number } {
  const o = objectParams(raw, 'panel/reveal');
  if (o.split !== 'train' && o.split !== 'test') invalid('"split" must be "train" or "test".');
  const count = o.split === 'train' ? limits.trainCount : limits.testCount;
  return { split: o.split, index: index(o.index, count, 'index') };
}

/** A count within one of the training-examples limits. */
export function parseCount(value: unknown, limit: 'consistencyExamples' | 'suspiciousLimit', field: string): number {
  const { min, max } = EXAMPLE_LIMITS[limit];
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    invalid(`"${field}" must be an integer from ${min} to ${max}, got ${JSON.stringify(value) ?? String(value)}.`);
  }
  return value;
}

/** A request that takes no parameters: an empty object (or nothing). */
export function parseEmptyParams(raw: unknown, method: string): void {
  const o = objectParams(raw ?? {}, method);
  const extra = Object.keys(o);
  if (extra.length > 0) invalid(`${method}: takes no parameters, got "${extra[0]}".`);
}

export function parseSuspiciousParams(raw: unknown, limits: PanelLimits): { checkpoint?: string; limit: number } {
  const o = objectParams(raw, 'panel/suspicious');
  const chosen = checkpoint(o.checkpoint, limits.checkpoints);
  const limit = parseCount(o.limit, 'suspiciousLimit', 'limit');
  return chosen === undefined ? { limit } : { checkpoint: chosen, limit };
}

/** The other encoder of a comparison: a checkpoint the manifest lists, or the host's manifest picker (the page never names a path). */
export function parseCompareWith(raw: unknown, limits: PanelLimits): PanelCompareWith {
  const o = objectParams(raw, '"other"');
  if (o.kind === 'pickManifest' && Object.keys(o).length === 1) return { kind: 'pickManifest' };
  if (o.kind === 'checkpoint') {
    const chosen = checkpoint(o.checkpoint, limits.checkpoints);
    if (chosen !== undefined) return { kind: 'checkpoint', checkpoint: chosen };
  }
  return invalid('"other" must be { kind: "checkpoint", checkpoint } with one of the manifest\'s checkpoints, or { kind: "pickManifest" }.');
}
