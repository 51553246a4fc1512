/**
 * The tabular and time-series attribution charts as SVG. Colours of data come
 * from the fixed diverging palette; axes and text follow the theme through
 * panel.css classes.
 */
import type { PanelInput, PanelMap } from '../src/protocol/webviewProtocol';
import { barLayout, truncate } from './barLayout';
import { divergingColor, OVERLAY_STRENGTH } from './colorScale';
import { el, rgbText, svgEl } from './dom';
import { formatNumber, formatSigned } from './format';
import { channelOf, seriesGeometry } from './seriesLayout';

export interface ChartSize {
  width: number;
  /** Tabular: the most bars drawn. */
  maxBars?: number;
  /** Time series: height of one channel's plot. */
  channelHeight?: number;
  /** Leave out axis labels and names (the per-unit small multiples). */
  compact?: boolean;
}

const POSITIVE = rgbText(divergingColor(0.75));
const NEGATIVE = rgbText(divergingColor(-0.75));

/** One bar per feature, largest |attribution| first, with the feature's name and value. */
export function barChart(input: PanelInput, map: PanelMap, description: string, size: ChartSize): SVGSVGElement {
  const rowHeight = size.compact ? 10 : 18;
  const labelWidth = size.compact ? 0 : Math.min(200, Math.round(size.width * 0.38));
  const plotWidth = Math.max(40, size.width - labelWidth - 8);
  const layout = barLayout(map.values, input.columns, input.values, { plotWidth, rowHeight, maxBars: size.maxBars ?? 24, valueRoom: size.compact ? 0 : 52 });
  // About 6 px per character of the 11 px label font.
  const labelChars = Math.max(6, Math.floor((labelWidth - 8) / 6));
  const top = size.compact ? 2 : 18;
  const height = top + layout.rows.length * rowHeight + (layout.hidden > 0 && !size.compact ? 18 : 4);
  const svg = svgEl('svg', { class: 'chart bar-chart', width: size.width, height, viewBox: `0 0 ${size.width} ${height}`, role: 'img', 'aria-label': description });
  const plot = svgEl('g', { transform: `translate(${labelWidth}, ${top})` });
  if (!size.compact) {
    for (const tick of layout.ticks) {
      plot.append(
        svgEl('line', { class: 'grid', x1: tick.x, x2: tick.x, y1: -4, y2: layout.rows.length * rowHeight }),
        svgEl('text', { class: 'tick', x: tick.x, y: -6, 'text-anchor': 'middle' }, formatNumber(tick.value)),
      );
    }
  }
  for (const row of layout.rows) {
    const bar = svgEl('rect', { x: row.x, y: row.y + 2, width: Math.max(row.width, 0.5), height: rowHeight - 4, fill: row.value >= 0 ? POSITIVE : NEGATIVE });
    bar.append(svgEl('title', {}, `${row.name}: attribution ${formatSigned(row.value)}${row.input !== undefined ? `, value ${formatNumber(row.input)}` : ''}`));
    plot.append(bar);
    if (!size.compact) {
      const full = row.input !== undefined ? `${row.name} = ${formatNumber(row.input)}` : row.name;
      const name = row.input !== undefined ? `${truncate(row.name, labelChars - formatNumber(row.input).length - 3)} = ${formatNumber(row.input)}` : truncate(row.name, labelChars);
      const label = svgEl('text', { class: 'label', x: labelWidth - 6, y: top + row.y + rowHeight / 2, 'text-anchor': 'end', 'dominant-baseline': 'middle' }, name);
      if (name !== full) label.append(svgEl('title', {}, full));
      svg.append(label);
      const after = row.value >= 0 ? row.x + row.width + 4 : row.x - 4;
      plot.append(svgEl('text', { class: 'value', x: after, y: row.y + rowHeight / 2, 'text-anchor': row.value >= 0 ? 'start' : 'end', 'dominant-baseline': 'middle' }, formatSigned(row.value)));
    }
  }
  plot.append(svgEl('line', { class: 'axis', x1: layout.zeroX, x2: layout.zeroX, y1: 0, y2: layout.rows.length * rowHeight }));
  svg.append(plot);
  if (layout.hidden > 0 && !size.compact) {
    svg.append(svgEl('text', { class: 'tick', x: labelWidth, y: height - 4 }, `${layout.hidden} smaller feature${layout.hidden === 1 ? '' : 's'} not shown`));
  }
  return svg;
}

/** One plot per channel: the signal as a line, the attribution shaded under it. */
export function seriesChart(input: PanelInput, map: PanelMap, maxAbs: number, description: string, size: ChartSize): HTMLElement {
  const steps = input.height;
  const channels = input.width;
  const plotHeight = size.channelHeight ?? (size.compact ? 36 : 80);
  const left = size.compact ? 2 : 44;
  const plotWidth = Math.max(40, size.width - left - 6);
  const wrapper = el('div', { class: 'series-chart', role: 'img', 'aria-label': description });
  for (let c = 0; c < channels; c++) {
    const geometry = seriesGeometry(channelOf(input.values, steps, channels, c), channelOf(map.values, steps, channels, c), maxAbs, { width: plotWidth, height: plotHeight });
    const top = size.compact ? 2 : 8;
    const height = plotHeight + top + (size.compact ? 2 : 16);
    const svg = svgEl('svg', { class: 'chart', width: size.width, height, viewBox: `0 0 ${size.width} ${height}`, 'aria-hidden': 'true' });
    const plot = svgEl('g', { transform: `translate(${left}, ${top})` });
    for (const band of geometry.bands) {
      plot.append(svgEl('polygon', { points: band.points, fill: rgbText(divergingColor(band.t)), 'fill-opacity': (Math.abs(band.t) * OVERLAY_STRENGTH).toFixed(3) }));
    }
    plot.append(svgEl('path', { class: 'signal', d: geometry.line }));
    if (!size.compact) {
      for (const tick of geometry.yTicks) {
        plot.append(svgEl('line', { class: 'grid', x1: 0, x2: plotWidth, y1: tick.y, y2: tick.y }), svgEl('text', { class: 'tick', x: -4, y: tick.y, 'text-anchor': 'end', 'dominant-baseline': 'middle' }, formatNumber(tick.value)));
      }
      plot.append(svgEl('text', { class: 'tick', x: 0, y: plotHeight + 11 }, 't = 0'), svgEl('text', { class: 'tick', x: plotWidth, y: plotHeight + 11, 'text-anchor': 'end' }, `t = ${steps - 1}`));
      if (channels > 1) plot.append(svgEl('text', { class: 'label', x: plotWidth / 2, y: plotHeight + 11, 'text-anchor': 'middle' }, `channel ${c}`));
    }
    svg.append(plot);
    wrapper.append(svg);
  }
  return wrapper;
}
