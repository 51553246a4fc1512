/**
 * The NEON section's pickers: checked (strictly for a request, leniently for a
 * saved state) and turned into the engine's NeonParams. Settings that do not
 * apply (γ for k-means, H and draws outside inlierness) are left out of the
 * params, so they never split the cache.
 */
import { NEON_EXPLAINED, NEON_SPACES, type NeonParams } from '../../protocol/engineProtocol';
import { RpcError } from '../../protocol/rpc';
import { defaultNeonSettings, NEON_LIMITS, NEON_MODELS, neonExplanations, type PanelNeonSettings } from '../../protocol/webviewProtocol';
import { inRange, oneOf, restoreSettings, strictSettings } from './settingReaders';

const KEYS: readonly (keyof PanelNeonSettings)[] = ['model', 'k', 'gamma', 'space', 'explain', 'features', 'draws'];

function readField(key: keyof PanelNeonSettings, value: unknown, field: string): unknown {
  switch (key) {
    case 'model':
      return oneOf(value, NEON_MODELS, field);
    case 'space':
      return oneOf(value, NEON_SPACES, field);
    case 'explain':
      return oneOf(value, NEON_EXPLAINED, field);
    case 'gamma':
      return inRange(value, NEON_LIMITS.gamma, field, false);
    default:
      return inRange(value, NEON_LIMITS[key], field, true);
  }
}

/** Strict: every setting present and valid, and an explanation the model gives. */
export function parseNeonSettings(raw: unknown, field = 'settings'): PanelNeonSettings {
  const settings = strictSettings<PanelNeonSettings>(raw, KEYS, readField, field);
  if (!neonExplanations(settings.model).includes(settings.explain)) {
    throw new RpcError('invalidParams', `"${field}.explain" must be one of ${neonExplanations(settings.model).join(', ')} for model ${settings.model}, got "${settings.explain}".`);
  }
  return settings;
}

/** Lenient: the defaults, overridden by each saved value still valid; an explanation the model does not give becomes the model's first. */
export function restoreNeonSettings(raw: unknown): PanelNeonSettings {
  const settings = restoreSettings<PanelNeonSettings>(raw, KEYS, readField, defaultNeonSettings());
  if (!neonExplanations(settings.model).includes(settings.explain)) settings.explain = neonExplanations(settings.model)[0]!;
  return settings;
}

export function toNeonParams(settings: PanelNeonSettings, manifestPath: string, checkpoint: string, testIndex: number): NeonParams {
  const params: NeonParams = {
    manifestPath,
    space: settings.space,
    model: settings.model === 'kmeans' ? { kind: 'kmeans', k: settings.k } : settings.gamma > 0 ? { kind: 'kde', gamma: settings.gamma } : { kind: 'kde' },
    explain: settings.explain,
    testIndices: [testIndex],
  };
  // Input space does not use the checkpoint; naming it would split the cache for nothing.
  if (settings.space === 'representation') params.checkpoint = checkpoint;
  if (settings.explain === 'inlierness') {
    params.features = settings.features;
    params.draws = settings.draws;
  }
  return params;
}
