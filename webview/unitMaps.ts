/** One small map per latent unit, all on one colour scale so units compare by eye. */
import type { PanelInput, PanelMap } from '../src/protocol/webviewProtocol';
import { paintPixels, scaleFor } from './canvas';
import { barChart, seriesChart } from './charts';
import { extentOf, overlayRgba } from './colorScale';
import { el } from './dom';
import { completenessReadout, formatNumber } from './format';

/** The largest |attribution| over every map: the shared colour scale. */
export function sharedMaxAbs(maps: readonly PanelMap[]): number {
  return maps.reduce((m, map) => Math.max(m, extentOf(map.values).maxAbs), 0);
}

export function renderUnitMaps(input: PanelInput, maps: readonly PanelMap[], tileSize: number, what: string): HTMLElement {
  const maxAbs = sharedMaxAbs(maps);
  const list = el('ol', { class: 'unit-maps', 'aria-label': `Per-unit maps of ${what}, on one colour scale up to ±${formatNumber(maxAbs)}` });
  maps.forEach((map, k) => {
    const unit = map.unit ?? k;
    const extent = extentOf(map.values);
    const description = `Unit ${unit}: attributions from ${formatNumber(extent.min)} to ${formatNumber(extent.max)}`;
    let figure: Element;
    if (input.view === 'image') {
      const canvas = el('canvas', { class: 'pixelated', role: 'img', 'aria-label': description, 'data-testid': 'unit-map' });
      paintPixels(canvas, overlayRgba(input.values, map.values, maxAbs), input.width, input.height, scaleFor(input.width, input.height, tileSize));
      figure = canvas;
    } else if (input.view === 'tabular') {
      figure = barChart(input, map, description, { width: tileSize * 2, maxBars: 8, compact: true });
    } else {
      figure = seriesChart(input, map, maxAbs, description, { width: tileSize * 2, compact: true });
    }
    const caption = el('figcaption', {}, `unit ${unit}`);
    if (map.completeness) caption.title = completenessReadout(map.completeness).text;
    list.append(el('li', {}, el('figure', {}, figure, caption)));
  });
  return list;
}
