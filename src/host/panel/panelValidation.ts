/**
 * Checks every message the webview sends before the host acts on it. The page
 * is ours, but it renders data from untrusted files, so its messages are
 * treated as untrusted too: indices must be safe integers in range and a
 * checkpoint must be one the manifest lists.
 */
import { RpcError } from '../../protocol/rpc';
import type { PanelState } from '../../protocol/webviewProtocol';

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
    (s.settings === undefined || (typeof s.settings === 'object' && s.settings !== null && !Array.isArray(s.settings)))
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
