/**
 * The diagnostics settings, read through an injected getter so the clamping
 * and defaults are testable without `vscode`. Bad values fall back to the
 * default rather than failing: settings.json is hand-edited.
 */

export const SETTINGS_SECTION = 'modelDebugger.diagnostics';

export interface DiagnosticsSettings {
  enabled: boolean;
  /** How many flagged examples to ask the engine for (the most suspicious first). */
  maxShown: number;
  /** Only examples whose mean percentile is at least this (0..100) are shown. */
  minScore: number;
}

export const DEFAULT_SETTINGS: Readonly<DiagnosticsSettings> = Object.freeze({ enabled: true, maxShown: 50, minScore: 90 });

/** The engine accepts at most this many; more would not fit in the Problems panel anyway. */
export const MAX_SHOWN_LIMIT = 10_000;

export function readDiagnosticsSettings(get: (key: 'enabled' | 'maxShown' | 'minScore') => unknown): DiagnosticsSettings {
  const enabled = get('enabled');
  const maxShown = get('maxShown');
  const minScore = get('minScore');
  return {
    enabled: typeof enabled === 'boolean' ? enabled : DEFAULT_SETTINGS.enabled,
    maxShown:
      typeof maxShown === 'number' && Number.isFinite(maxShown) && maxShown >= 1 ? Math.min(MAX_SHOWN_LIMIT, Math.floor(maxShown)) : DEFAULT_SETTINGS.maxShown,
    minScore: typeof minScore === 'number' && Number.isFinite(minScore) ? Math.min(100, Math.max(0, minScore)) : DEFAULT_SETTINGS.minScore,
  };
}

export function sameSettings(a: DiagnosticsSettings, b: DiagnosticsSettings): boolean {
  return a.enabled === b.enabled && a.maxShown === b.maxShown && a.minScore === b.minScore;
}
