/** Completeness readout: does an attribution sum to what it should (g(x) - g(baseline), or the conserved relevance)? */
import { toVector, type MapLike } from './vectors';

export interface CompletenessTolerance {
  absolute: number;
  relative: number;
}

export interface CompletenessReadout {
  sum: number;
  expected: number;
  absoluteError: number;
  /** absoluteError / |expected|; 0 when both are 0, Infinity when only expected is. */
  relativeError: number;
  /** |sum - expected| <= absolute + relative * |expected|. */
  holds: boolean;
}

export const DEFAULT_COMPLETENESS_TOLERANCE: CompletenessTolerance = { absolute: 1e-4, relative: 1e-3 };

export function attributionSum(attributions: MapLike, name = 'attributions'): number {
  return toVector(attributions, name).reduce((a, b) => a + b, 0);
}

export function readCompleteness(
  completeness: { sum: number; expected: number },
  tolerance: CompletenessTolerance = DEFAULT_COMPLETENESS_TOLERANCE,
): CompletenessReadout {
  const { sum, expected } = completeness ?? {};
  if (typeof sum !== 'number' || !Number.isFinite(sum)) throw new Error(`completeness.sum must be a finite number, got ${sum}`);
  if (typeof expected !== 'number' || !Number.isFinite(expected)) throw new Error(`completeness.expected must be a finite number, got ${expected}`);
  for (const key of ['absolute', 'relative'] as const) {
    const value = tolerance[key];
    if (!Number.isFinite(value) || value < 0) throw new Error(`tolerance.${key} must be a finite number >= 0, got ${value}`);
  }
  const absoluteError = Math.abs(sum - expected);
  const relativeError = expected !== 0 ? absoluteError / Math.abs(expected) : absoluteError === 0 ? 0 : Infinity;
  return { sum, expected, absoluteError, relativeError, holds: absoluteError <= tolerance.absolute + tolerance.relative * Math.abs(expected) };
}
