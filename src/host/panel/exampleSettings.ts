/**
 * Checks the training-examples pickers the page sends and turns them into the
 * engine's ExampleMethodSpec. A request with a bad value is refused with an
 * error naming the field; a saved state with one is repaired field by field
 * from the defaults, because a stale preference should not stop the panel.
 */
import { EXAMPLE_METHOD_NAMES, TRACIN_MODES, type ExampleMethodName, type ExampleMethodSpec } from '../../protocol/engineProtocol';
import { bad, inRange, oneOf, SettingError } from './settingReaders';
import { RpcError } from '../../protocol/rpc';
import {
  defaultExamplesState,
  EXAMPLE_LIMITS,
  INFLUENCE_INVERSES,
  type PanelExampleSettings,
  type PanelExamplesState,
} from '../../protocol/webviewProtocol';

type Json = Record<string, unknown>;

const KEYS: readonly (keyof PanelExampleSettings)[] = ['method', 'tracinMode', 'inverse', 'depth', 'scale', 'damping', 'samples', 'epochs', 'learningRate', 'nearest', 'topK'];
const REAL_KEYS: ReadonlySet<string> = new Set(['scale', 'damping', 'learningRate']);



function readField(key: keyof PanelExampleSettings, value: unknown, field: string): unknown {
  const name = `${field}.${key}`;
  switch (key) {
    case 'method':
      return oneOf(value, EXAMPLE_METHOD_NAMES, name);
    case 'tracinMode':
      return oneOf(value, TRACIN_MODES, name);
    case 'inverse':
      return oneOf(value, INFLUENCE_INVERSES, name);
    default:
      return inRange(value, EXAMPLE_LIMITS[key as keyof typeof EXAMPLE_LIMITS], name, !REAL_KEYS.has(key));
  }
}

function asRpc<T>(work: () => T): T {
  try {
    return work();
  } catch (error) {
    if (error instanceof SettingError) throw new RpcError('invalidParams', error.message);
    throw error;
  }
}

function isObject(raw: unknown): raw is Json {
  return typeof raw === 'object' && raw !== null && !Array.isArray(raw);
}

/** Strict: every setting present and valid, nothing else. */
export function parseExampleSettings(raw: unknown, field = 'settings'): PanelExampleSettings {
  return asRpc(() => {
    if (!isObject(raw)) bad(field, 'must be an object');
    for (const key of Object.keys(raw)) if (!(KEYS as readonly string[]).includes(key)) bad(`${field}.${key}`, 'is not a known setting');
    const settings: Json = {};
    for (const key of KEYS) {
      if (raw[key] === undefined) bad(`${field}.${key}`, 'is missing');
      settings[key] = readField(key, raw[key], field);
    }
    return settings as unknown as PanelExampleSettings;
  });
}

/** A list of distinct example-importance methods, at least one. */
export function parseMethodList(raw: unknown, field = 'methods'): ExampleMethodName[] {
  return asRpc(() => {
    if (!Array.isArray(raw) || raw.length === 0 || raw.length > EXAMPLE_METHOD_NAMES.length) bad(field, `must list 1 to ${EXAMPLE_METHOD_NAMES.length} methods`);
    const methods = raw.map((m, i) => oneOf(m, EXAMPLE_METHOD_NAMES, `${field}[${i}]`));
    if (new Set(methods).size !== methods.length) bad(field, 'must not repeat a method');
    return methods;
  });
}

/** Lenient: the defaults, overridden by each saved value that is still valid. */
export function restoreExamplesState(raw: unknown, checkpoints: readonly string[]): PanelExamplesState {
  const state = defaultExamplesState();
  if (!isObject(raw)) return state;
  const saved = isObject(raw.settings) ? raw.settings : {};
  const settings = state.settings as unknown as Json;
  for (const key of KEYS) {
    try {
      settings[key] = readField(key, saved[key], 'settings');
    } catch (error) {
      if (!(error instanceof SettingError)) throw error;
    }
  }
  try {
    state.consistencyMethods = parseMethodList(raw.consistencyMethods);
  } catch {
    // Keep the default.
  }
  for (const [key, limit] of [
    ['consistencyExamples', 'consistencyExamples'],
    ['suspiciousLimit', 'suspiciousLimit'],
  ] as const) {
    try {
      state[key] = inRange(raw[key], EXAMPLE_LIMITS[limit], key, true);
    } catch {
      // Keep the default.
    }
  }
  if (typeof raw.compareCheckpoint === 'string' && checkpoints.includes(raw.compareCheckpoint)) state.compareCheckpoint = raw.compareCheckpoint;
  return state;
}

/** What the engine runs for `method` under these settings (the picked method by default). */
export function toExampleMethodSpec(settings: PanelExampleSettings, method: ExampleMethodName = settings.method): ExampleMethodSpec {
  switch (method) {
    case 'tracin':
      return { method, mode: settings.tracinMode };
    case 'influence':
      return settings.inverse === 'arnoldi'
        ? { method, inverse: 'arnoldi' }
        : { method, inverse: 'lissa', depth: settings.depth, damping: settings.damping, samples: settings.samples, ...(settings.scale > 0 ? { scale: settings.scale } : {}) };
    case 'deepKnn':
      return { method };
    case 'simplex':
      return { method, epochs: settings.epochs, learningRate: settings.learningRate, nearest: settings.nearest };
  }
}

