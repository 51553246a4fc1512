/**
 * Semantic Shapley values as an SVG bar chart with ± standard-error whiskers
 * (theme colours through panel.css classes), the feature names beside the
 * bars, and the same numbers as a table for screen readers.
 */
import { errorBarLayout } from './errorBarLayout';
import { el, svgEl } from './dom';
import { formatNumber, formatSigned } from './format';
import { truncate } from './barLayout';

const WIDTH = 460;
const ROW = 22;
const LABEL = 150;
const TOP = 18;

export interface ValueSeries {
  values: readonly number[];
  standardErrors: readonly number[];
}

export function errorBarChart(series: ValueSeries, names: readonly string[], description: string, testId: string): SVGSVGElement {
  const plotWidth = WIDTH - LABEL - 12;
  const layout = errorBarLayout(series.values, series.standardErrors, names, { plotWidth, rowHeight: ROW });
  const height = TOP + layout.height + 6;
  const svg = svgEl('svg', { class: 'chart error-bars', width: WIDTH, height, viewBox: `0 0 ${WIDTH} ${height}`, role: 'img', 'aria-label': description, 'data-testid': testId });
  const plot = svgEl('g', { transform: `translate(${LABEL}, ${TOP})` });
  for (const tick of layout.ticks) {
    plot.append(
      svgEl('line', { class: 'grid', x1: tick.x, x2: tick.x, y1: -4, y2: layout.height }),
      svgEl('text', { class: 'tick', x: tick.x, y: -6, 'text-anchor': 'middle' }, formatNumber(tick.value)),
    );
  }
  for (const row of layout.rows) {
    const cy = row.y + ROW / 2;
    const item = svgEl('g', { class: `shapley-bar ${row.value >= 0 ? 'positive' : 'negative'}` });
    item.append(
      svgEl('title', {}, `${row.name}: ${formatSigned(row.value)} ± ${formatNumber(row.error)}`),
      svgEl('rect', { class: 'bar', x: row.x, y: row.y + 4, width: Math.max(row.width, 0.5), height: ROW - 8 }),
      svgEl('line', { class: 'whisker', x1: row.low, x2: row.high, y1: cy, y2: cy }),
      svgEl('line', { class: 'whisker', x1: row.low, x2: row.low, y1: cy - 4, y2: cy + 4 }),
      svgEl('line', { class: 'whisker', x1: row.high, x2: row.high, y1: cy - 4, y2: cy + 4 }),
    );
    plot.append(item);
    const label = svgEl('text', { class: 'label', x: LABEL - 6, y: TOP + cy, 'text-anchor': 'end', 'dominant-baseline': 'middle' }, truncate(row.name, 24));
    if (row.name.length > 24) label.append(svgEl('title', {}, row.name));
    svg.append(label);
  }
  plot.append(svgEl('line', { class: 'axis', x1: layout.zeroX, x2: layout.zeroX, y1: 0, y2: layout.height }));
  svg.append(plot);
  return svg;
}

/** The values as a table: feature, value, standard error (and more columns when given). */
export function valuesTable(names: readonly string[], columns: { title: string; series: ValueSeries }[], caption: string, testId: string): HTMLElement {
  return el(
    'table',
    { class: 'values', 'data-testid': testId },
    el('caption', {}, caption),
    el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, 'Feature'), ...columns.flatMap((c) => [el('th', { scope: 'col' }, c.title), el('th', { scope: 'col' }, '± s.e.')]))),
    el(
      'tbody',
      {},
      ...names.map((name, i) =>
        el(
          'tr',
          {},
          el('th', { scope: 'row' }, name),
          ...columns.flatMap((c) => [el('td', { class: 'number' }, formatSigned(c.series.values[i] ?? NaN)), el('td', { class: 'number' }, formatNumber(c.series.standardErrors[i] ?? NaN))]),
        ),
      ),
    ),
  );
}
