/**
 * Checks the attribution pickers' values the page sends. A request with a bad
 * value is refused with an error naming the field; a saved state with one
 * (an older page, a different run) is repaired field by field from the
 * run's defaults, because a stale preference should not stop the panel.
 */
import { bad, describe, oneOf, SettingError } from './settingReaders';
import { RpcError } from '../../protocol/rpc';
import {
  defaultPanelSettings,
  IG_RULES,
  LRP_RULES,
  PANEL_BASELINES,
  PANEL_LIMITS,
  PANEL_METHODS,
  PANEL_TARGETS,
  SAMPLED_METHODS,
  SMOOTHABLE_METHODS,
  SMOOTH_MODES,
  type PanelAttributionSettings,
  type PanelInputView,
  type SampledMethod,
} from '../../protocol/webviewProtocol';

/** What the run allows; the unknown counts are checked by the engine instead. */
export interface AttributionLimits {
  view: PanelInputView;
  exampleShape: readonly number[];
  hasClassOutput: boolean;
  classCount?: number;
  latentUnits?: number;
}

type Json = Record<string, unknown>;
const SETTING_KEYS: readonly (keyof PanelAttributionSettings)[] = [
  'method',
  'absolute',
  'steps',
  'rule',
  'samples',
  'smoothBase',
  'smoothMode',
  'lrpRule',
  'target',
  'classIndex',
  'unit',
  'baseline',
];
/** Above any real model's class or unit count; keeps absurd numbers away from the engine when the count is unknown. */
const MAX_UNKNOWN_COUNT = 1 << 20;


function integer(value: unknown, min: number, max: number, field: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) bad(field, `must be an integer from ${min} to ${max}, got ${describe(value)}`);
  return value;
}

function boolean(value: unknown, field: string): boolean {
  if (typeof value !== 'boolean') bad(field, `must be true or false, got ${describe(value)}`);
  return value;
}

function samples(value: unknown, field: string): Record<SampledMethod, number> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) bad(field, 'must be an object of sample counts per method');
  const o = value as Json;
  for (const key of Object.keys(o)) if (!(SAMPLED_METHODS as readonly string[]).includes(key)) bad(`${field}.${key}`, `is not a sampled method (${SAMPLED_METHODS.join(', ')})`);
  const { min, max } = PANEL_LIMITS.samples;
  return Object.fromEntries(SAMPLED_METHODS.map((m) => [m, integer(o[m], min, max, `${field}.${m}`)])) as Record<SampledMethod, number>;
}

/** One field, checked against the run. */
function readField<K extends keyof PanelAttributionSettings>(key: K, value: unknown, limits: AttributionLimits, field: string): PanelAttributionSettings[K] {
  const name = `${field}.${key}`;
  const read = (): unknown => {
    switch (key) {
      case 'method':
        return oneOf(value, PANEL_METHODS, name);
      case 'absolute':
        return boolean(value, name);
      case 'steps':
        return integer(value, PANEL_LIMITS.steps.min, PANEL_LIMITS.steps.max, name);
      case 'rule':
        return oneOf(value, IG_RULES, name);
      case 'samples':
        return samples(value, name);
      case 'smoothBase':
        return oneOf(value, SMOOTHABLE_METHODS, name);
      case 'smoothMode':
        return oneOf(value, SMOOTH_MODES, name);
      case 'lrpRule':
        return oneOf(value, LRP_RULES, name);
      case 'target': {
        const target = oneOf(value, PANEL_TARGETS, name);
        if ((target === 'class' || target === 'probabilityWeighted') && !limits.hasClassOutput) {
          bad(name, `is "${target}", but this run's model has no class output; pick labelFree, latentUnit or allUnits`);
        }
        return target;
      }
      case 'classIndex':
        return value === null ? null : integer(value, 0, (limits.classCount ?? MAX_UNKNOWN_COUNT) - 1, name);
      case 'unit':
        return integer(value, 0, (limits.latentUnits ?? MAX_UNKNOWN_COUNT) - 1, name);
      case 'baseline':
        return oneOf(value, PANEL_BASELINES, name);
    }
    return bad(name, 'is not a setting');
  };
  return read() as PanelAttributionSettings[K];
}

/** Strict: every setting present and valid, nothing else; errors are invalidParams naming the field. */
export function parseAttributionSettings(raw: unknown, limits: AttributionLimits, field = 'settings'): PanelAttributionSettings {
  try {
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) bad(field, 'must be an object');
    const o = raw as Json;
    for (const key of Object.keys(o)) if (!(SETTING_KEYS as readonly string[]).includes(key)) bad(`${field}.${key}`, 'is not a known setting');
    const settings = {} as Record<string, unknown>;
    for (const key of SETTING_KEYS) {
      if (o[key] === undefined) bad(`${field}.${key}`, 'is missing');
      settings[key] = readField(key, o[key], limits, field);
    }
    return settings as unknown as PanelAttributionSettings;
  } catch (error) {
    if (error instanceof SettingError) throw new RpcError('invalidParams', error.message);
    throw error;
  }
}

/** Lenient: the run's defaults, overridden by each saved setting that is still valid for this run. */
export function restoreAttributionSettings(raw: unknown, limits: AttributionLimits): PanelAttributionSettings {
  const settings = defaultPanelSettings(limits.hasClassOutput) as unknown as Record<string, unknown>;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return settings as unknown as PanelAttributionSettings;
  const o = raw as Json;
  for (const key of SETTING_KEYS) {
    try {
      settings[key] = readField(key, o[key], limits, 'settings');
    } catch (error) {
      if (!(error instanceof SettingError)) throw error;
      // A partially valid sample record keeps its valid counts.
      if (key === 'samples' && typeof o.samples === 'object' && o.samples !== null) {
        const saved = o.samples as Json;
        const counts = { ...(settings.samples as Record<SampledMethod, number>) };
        for (const m of SAMPLED_METHODS) {
          try {
            counts[m] = integer(saved[m], PANEL_LIMITS.samples.min, PANEL_LIMITS.samples.max, m);
          } catch {
            // Keep the default for this method.
          }
        }
        settings.samples = counts;
      }
    }
  }
  return settings as unknown as PanelAttributionSettings;
}

export function parseCheckExamples(raw: unknown, field = 'exampleCount'): number {
  const { min, max } = PANEL_LIMITS.checkExamples;
  if (typeof raw !== 'number' || !Number.isSafeInteger(raw) || raw < min || raw > max) {
    throw new RpcError('invalidParams', `"${field}" must be an integer from ${min} to ${max}, got ${describe(raw)}.`);
  }
  return raw;
}
