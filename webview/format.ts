/** Number and completeness formatting for the panel. Pure: no DOM. */
import type { Completeness } from '../src/protocol/engineProtocol';

export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (value === 0) return '0';
  const magnitude = Math.abs(value);
  if (magnitude >= 1e4 || magnitude < 1e-3) return value.toExponential(2);
  if (magnitude >= 1e3) return Math.round(value).toString();
  const text = value.toPrecision(3);
  return text.includes('.') ? text.replace(/0+$/, '').replace(/\.$/, '') : text;
}

export function formatSigned(value: number): string {
  const text = formatNumber(value);
  return value > 0 ? `+${text}` : text;
}

export interface CompletenessReadout {
  sum: string;
  expected: string;
  /** |sum - expected| / |expected|, or undefined when expected is 0 (then only the absolute gap means anything). */
  relativeGap: number | undefined;
  text: string;
}

export function completenessReadout(c: Completeness): CompletenessReadout {
  const gap = Math.abs(c.sum - c.expected);
  const relativeGap = Math.abs(c.expected) > 1e-12 ? gap / Math.abs(c.expected) : undefined;
  const gapText = relativeGap === undefined ? `absolute gap ${formatNumber(gap)}` : `gap ${(relativeGap * 100).toFixed(relativeGap < 0.01 ? 2 : 1)}%`;
  const sum = formatNumber(c.sum);
  const expected = formatNumber(c.expected);
  return { sum, expected, relativeGap, text: `Σ attributions ${sum} vs. expected ${expected} (${gapText})` };
}

export interface EntropyFigures {
  entropy: number | null;
  averageEntropy: number | null;
  maxEntropy: number;
  units: number;
  exampleCount: number;
}

/** The saliency entropy of this example and on average, beside S_max = ln d, in nats. */
export function entropyReadout(f: EntropyFigures): { example: string; average: string; max: string } {
  const ratio = (s: number): string => (f.maxEntropy > 0 ? ` (${Math.round((s / f.maxEntropy) * 100)}% of S_max)` : '');
  const example = f.entropy === null || !Number.isFinite(f.entropy) ? 'S(x) undefined: no feature is salient for any unit' : `S(x) = ${formatNumber(f.entropy)}${ratio(f.entropy)}`;
  const over = `over ${f.exampleCount} example${f.exampleCount === 1 ? '' : 's'}`;
  const average = f.averageEntropy === null || !Number.isFinite(f.averageEntropy) ? `mean S undefined ${over}` : `mean S = ${formatNumber(f.averageEntropy)} ${over}`;
  return { example, average, max: `S_max = ln ${f.units} = ${formatNumber(f.maxEntropy)}` };
}
