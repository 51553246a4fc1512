/**
 * The invariance section's pickers: checked (strictly for a request, leniently
 * for a saved state) and turned into the engine's InvarianceParams for one
 * kind, with only the settings that kind uses.
 */
import { INVARIANCE_KINDS, type InvarianceKind, type InvarianceParams } from '../../protocol/engineProtocol';
import { defaultInvarianceSettings, INVARIANCE_LIMITS, type PanelInvarianceSettings } from '../../protocol/webviewProtocol';
import { inRange, oneOf, restoreSettings, strictSettings } from './settingReaders';

const KEYS: readonly (keyof PanelInvarianceSettings)[] = ['sigma', 'count', 'curveExamples', 'curveCount', 'stepSize', 'maxStep', 'baseline', 'background', 'samples'];
const BASELINES = ['train', 'invariant'] as const;
/** Real-valued settings, each strictly above its minimum. */
const REAL_KEYS: ReadonlySet<string> = new Set(['sigma', 'stepSize', 'maxStep']);

function readField(key: keyof PanelInvarianceSettings, value: unknown, field: string): unknown {
  if (key === 'baseline') return oneOf(value, BASELINES, field);
  const real = REAL_KEYS.has(key);
  return inRange(value, INVARIANCE_LIMITS[key], field, !real, real);
}

export function parseInvarianceSettings(raw: unknown, field = 'settings'): PanelInvarianceSettings {
  return strictSettings<PanelInvarianceSettings>(raw, KEYS, readField, field);
}

export function restoreInvarianceSettings(raw: unknown): PanelInvarianceSettings {
  return restoreSettings<PanelInvarianceSettings>(raw, KEYS, readField, defaultInvarianceSettings());
}

export function parseInvarianceKind(raw: unknown): InvarianceKind {
  return strictSettings<{ kind: InvarianceKind }>({ kind: raw }, ['kind'], (_key, value, field) => oneOf(value, INVARIANCE_KINDS, field), 'params').kind;
}

export function toInvarianceParams(kind: InvarianceKind, s: PanelInvarianceSettings, manifestPath: string, checkpoint: string, testIndex: number): InvarianceParams {
  const common = { manifestPath, checkpoint };
  switch (kind) {
    case 'samples':
      return { ...common, kind, testIndices: [testIndex], count: s.count, sigma: s.sigma };
    case 'curve':
      // A seeded sample of test examples: the curve does not depend on the shown one.
      return { ...common, kind, examples: s.curveExamples, count: s.curveCount };
    case 'counterfactuals':
      return { ...common, kind, testIndices: [testIndex], stepSize: s.stepSize, maxStep: s.maxStep };
    case 'divergence':
      return { ...common, kind, testIndices: [testIndex], baseline: s.baseline, background: s.background, samples: s.samples, ...(s.baseline === 'invariant' ? { sigma: s.sigma } : {}) };
  }
}
