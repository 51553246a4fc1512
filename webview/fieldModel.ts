/** Reading a number field of the section forms: clamped into range, or the previous value when it cannot be read. Pure: no DOM. */

export interface NumberRange {
  min: number;
  max: number;
  integer: boolean;
  /** The minimum itself is not allowed (σ > 0): a value at or below it keeps the previous one. */
  exclusiveMin?: boolean;
}

export function clampField(text: string, range: NumberRange, fallback: number): number {
  const raw = Number(text);
  if (text.trim() === '' || !Number.isFinite(raw)) return fallback;
  const value = range.integer ? Math.round(raw) : raw;
  if (range.exclusiveMin && value <= range.min) return fallback;
  return Math.max(range.min, Math.min(range.max, value));
}
