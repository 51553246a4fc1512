/**
 * The semantic Shapley section's pickers: checked (strictly for a request,
 * leniently for a saved state) and turned into the engine's
 * SemanticShapleyParams, with only the settings that apply.
 */
import type { SemanticShapleyParams } from '../../protocol/engineProtocol';
import { defaultSemanticSettings, SEMANTIC_LIMITS, SEMANTIC_REPRESENTATIONS, type PanelSemanticSettings } from '../../protocol/webviewProtocol';
import { consecutiveIndices } from './attributionParams';
import { inRange, oneOf, restoreSettings, strictSettings } from './settingReaders';

const KEYS: readonly (keyof PanelSemanticSettings)[] = ['representation', 'bins', 'scope', 'examples', 'background'];
const SCOPES = ['local', 'global'] as const;

function readField(key: keyof PanelSemanticSettings, value: unknown, field: string): unknown {
  switch (key) {
    case 'representation':
      return oneOf(value, SEMANTIC_REPRESENTATIONS, field);
    case 'scope':
      return oneOf(value, SCOPES, field);
    default:
      return inRange(value, SEMANTIC_LIMITS[key], field, true);
  }
}

export function parseSemanticSettings(raw: unknown, field = 'settings'): PanelSemanticSettings {
  return strictSettings<PanelSemanticSettings>(raw, KEYS, readField, field);
}

/** Lenient; the VAE representation falls back to Fourier when the run declares no decoder. */
export function restoreSemanticSettings(raw: unknown, vaeAvailable: boolean): PanelSemanticSettings {
  const settings = restoreSettings<PanelSemanticSettings>(raw, KEYS, readField, defaultSemanticSettings());
  if (settings.representation === 'vae' && !vaeAvailable) settings.representation = 'fourier';
  return settings;
}

/** The test examples the request covers: the shown one, or `examples` from it on (wrapping) for the global scope. */
export function semanticIndices(settings: PanelSemanticSettings, testIndex: number, testCount: number): number[] {
  return settings.scope === 'global' ? consecutiveIndices(testIndex, settings.examples, testCount) : [testIndex];
}

export function toSemanticParams(settings: PanelSemanticSettings, manifestPath: string, checkpoint: string, testIndices: number[]): SemanticShapleyParams {
  return {
    manifestPath,
    checkpoint,
    representation: settings.representation === 'fourier' ? { kind: 'fourier', bins: settings.bins } : { kind: 'vae', checkpoint },
    target: { kind: 'class' },
    testIndices,
    scope: settings.scope,
    background: settings.background,
  };
}
