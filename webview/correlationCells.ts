/**
 * The Pearson correlation matrix between latent units' maps as a grid of
 * coloured, numbered cells: the same diverging palette as the maps (red for
 * +1, blue for -1), text dark or light for contrast on its cell. Pure: no DOM.
 */
import { divergingColor, type Rgb } from './colorScale';
import { isFiniteNumber, type Maybe } from './chartScale';

export interface CorrelationCell {
  text: string;
  /** Undefined for an undefined r (a constant map): the cell keeps the theme's background. */
  fill?: Rgb;
  textTone?: 'dark' | 'light';
  /** For screen readers and tooltips. */
  label: string;
}

const MINUS = '\u2212';

/** Two decimals with a true minus sign; "—" when undefined. */
export function formatCorrelation(r: Maybe): string {
  if (!isFiniteNumber(r)) return '—';
  const text = Math.abs(r).toFixed(2);
  return r < 0 && text !== '0.00' ? `${MINUS}${text}` : text;
}

/** WCAG relative luminance of an sRGB colour, in [0, 1]. */
export function relativeLuminance([r, g, b]: Rgb): number {
  const channel = (c: number): number => {
    const s = c / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
}

/** Dark text on light cells, light text on dark ones: whichever contrasts more (black has luminance 0, white 1). */
export function textToneOn(fill: Rgb): 'dark' | 'light' {
  const l = relativeLuminance(fill);
  return (l + 0.05) / 0.05 >= 1.05 / (l + 0.05) ? 'dark' : 'light';
}

export function correlationCell(r: Maybe, i: number, j: number): CorrelationCell {
  const text = formatCorrelation(r);
  const label = `r between unit ${i} and unit ${j}: ${isFiniteNumber(r) ? text : 'undefined (a constant map)'}`;
  if (!isFiniteNumber(r)) return { text, label };
  const fill = divergingColor(Math.max(-1, Math.min(1, r)));
  return { text, fill, textTone: textToneOn(fill), label };
}

/** Mean of r_ij over i != j, skipping undefined entries; null when there is none. */
export function offDiagonalMean(matrix: readonly Maybe[], units: number): number | null {
  let sum = 0;
  let count = 0;
  for (let i = 0; i < units; i++) {
    for (let j = 0; j < units; j++) {
      const r = matrix[i * units + j];
      if (i === j || !isFiniteNumber(r)) continue;
      sum += r;
      count++;
    }
  }
  return count > 0 ? sum / count : null;
}
