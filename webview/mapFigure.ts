/**
 * A relevance (or attribution) map drawn for its kind of example, as a
 * captioned figure: a heatmap over the image (the attribution section's
 * diverging scale and canvas painting), a bar chart of a tabular row, a
 * shaded line of a time series. Also a plain image tile and a colour legend.
 */
import type { PanelInput } from '../src/protocol/webviewProtocol';
import { paintPixels, scaleFor } from './canvas';
import { barChart, seriesChart } from './charts';
import { colorBarRgba, extentOf, grayscaleRgba, overlayRgba } from './colorScale';
import { el } from './dom';
import { formatNumber } from './format';

export interface MapOptions {
  caption: string;
  /** What the map shows, for screen readers. */
  description: string;
  testId: string;
  /** Pixel size of the longer side of an image. */
  size?: number;
  /** The colour scale's half-range; the map's own max |value| when absent (so several maps can share one). */
  maxAbs?: number;
}

export function mapFigure(input: PanelInput, values: readonly number[], options: MapOptions): HTMLElement {
  const maxAbs = options.maxAbs ?? extentOf(values).maxAbs;
  if (input.view === 'image') {
    const canvas = el('canvas', { role: 'img', class: 'pixelated', 'data-testid': options.testId, 'aria-label': options.description });
    paintPixels(canvas, overlayRgba(input.values, values, maxAbs), input.width, input.height, scaleFor(input.width, input.height, options.size ?? 168));
    return el('figure', {}, canvas, el('figcaption', {}, options.caption));
  }
  const map = { values: [...values] };
  const chart = input.view === 'tabular' ? barChart(input, map, options.description, { width: 420 }) : seriesChart(input, map, maxAbs, options.description, { width: 420 });
  chart.setAttribute('data-testid', options.testId);
  return el('figure', {}, chart, el('figcaption', {}, options.caption));
}

/** A grayscale image tile (display values in [0, 1]) with a caption. */
export function imageFigure(values: readonly number[], width: number, height: number, caption: string, description: string, size = 84, testId?: string): HTMLElement {
  const canvas = el('canvas', { role: 'img', class: 'pixelated', 'aria-label': description });
  if (testId) canvas.dataset.testid = testId;
  paintPixels(canvas, grayscaleRgba(values), width, height, scaleFor(width, height, size));
  return el('figure', {}, canvas, el('figcaption', {}, caption));
}

/** The diverging colour bar from −maxAbs to +maxAbs. */
export function colorLegend(maxAbs: number, note: string): HTMLElement {
  const bar = el('canvas', { class: 'colorbar', 'aria-hidden': 'true' });
  paintPixels(bar, colorBarRgba(256), 256, 1, 1);
  return el(
    'div',
    { class: 'legend', 'aria-label': `Colour scale from ${formatNumber(-maxAbs)} (blue) to ${formatNumber(maxAbs)} (red)` },
    bar,
    el('div', { class: 'ticks' }, el('span', {}, formatNumber(-maxAbs)), el('span', {}, '0'), el('span', {}, formatNumber(maxAbs))),
    el('p', { class: 'muted legend-range' }, note),
  );
}
