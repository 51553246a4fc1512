/**
 * The example-consistency check drawn as box plots: the similarity rate (share
 * of the top-M or bottom-M training examples that share the test example's
 * label) per M, one box per method, as SVG coloured by theme variables, with
 * a table of the same numbers for screen readers.
 */
import type { PanelExampleConsistency } from '../src/protocol/webviewProtocol';
import { boxPlotGeometry, boxText } from './boxPlotLayout';
import { el, svgEl } from './dom';
import { exampleMethodText } from './exampleModel';

const WIDTH = 460;
const HEIGHT = 220;
const MARGIN = { left: 44, right: 10, top: 12, bottom: 36 };

type Side = 'top' | 'bottom';

const SIDE_TEXT: Record<Side, { title: string; hint: string }> = {
  top: { title: 'Top-M', hint: 'share of the M highest-ranked training examples with the test example\u2019s label (higher is better)' },
  bottom: { title: 'Bottom-M', hint: 'share of the M lowest-ranked (opponents or least similar) with the test example\u2019s label (lower is better)' },
};

function chart(result: PanelExampleConsistency, side: Side, names: string[]): SVGSVGElement {
  const plotWidth = WIDTH - MARGIN.left - MARGIN.right;
  const plotHeight = HEIGHT - MARGIN.top - MARGIN.bottom;
  const groups = result.ms.map((m) => `M = ${m}`);
  const g = boxPlotGeometry(
    groups,
    result.methods.map((m) => m[side]),
    { width: plotWidth, height: plotHeight },
  );
  const summary = result.methods.map((m, s) => `${names[s]}: ${result.ms.map((ms, i) => `M ${ms} ${boxText(m[side][i])}`).join('; ')}`).join('. ');
  const svg = svgEl('svg', {
    class: 'chart box-plot',
    width: WIDTH,
    height: HEIGHT,
    viewBox: `0 0 ${WIDTH} ${HEIGHT}`,
    role: 'img',
    'aria-label': `${SIDE_TEXT[side].title} similarity rate per M. ${summary}.`,
    'data-testid': `similarity-${side}`,
  });
  const plot = svgEl('g', { transform: `translate(${MARGIN.left}, ${MARGIN.top})` });
  for (const tick of g.yTicks) {
    plot.append(
      svgEl('line', { class: 'grid', x1: 0, x2: plotWidth, y1: tick.y, y2: tick.y }),
      svgEl('text', { class: 'tick', x: -6, y: tick.y, 'text-anchor': 'end', 'dominant-baseline': 'middle' }, tick.label),
    );
  }
  for (const group of g.groups) {
    plot.append(svgEl('text', { class: 'tick', x: group.x, y: plotHeight + 16, 'text-anchor': 'middle' }, group.label));
    if (group.left > 0) plot.append(svgEl('line', { class: 'group-divider', x1: group.left, x2: group.left, y1: 0, y2: plotHeight }));
  }
  plot.append(svgEl('line', { class: 'axis', x1: 0, x2: plotWidth, y1: plotHeight, y2: plotHeight }), svgEl('line', { class: 'axis', x1: 0, x2: 0, y1: 0, y2: plotHeight }));
  for (const b of g.boxes) {
    const item = svgEl('g', { class: `box series-${b.series % 4}` });
    const title = svgEl('title', {}, `${names[b.series]}, ${groups[b.group]}: ${boxText(result.methods[b.series]![side][b.group])}`);
    item.append(
      title,
      svgEl('line', { class: 'whisker', x1: b.cx, x2: b.cx, y1: b.max, y2: b.q3 }),
      svgEl('line', { class: 'whisker', x1: b.cx, x2: b.cx, y1: b.q1, y2: b.min }),
      svgEl('line', { class: 'whisker', x1: b.x, x2: b.x + b.width, y1: b.max, y2: b.max }),
      svgEl('line', { class: 'whisker', x1: b.x, x2: b.x + b.width, y1: b.min, y2: b.min }),
      svgEl('rect', { class: 'iqr', x: b.x, y: b.q3, width: b.width, height: Math.max(1, b.q1 - b.q3) }),
      svgEl('line', { class: 'median', x1: b.x, x2: b.x + b.width, y1: b.median, y2: b.median }),
    );
    if (b.mean !== undefined) item.append(svgEl('circle', { class: 'mean', cx: b.cx, cy: b.mean, r: 2 }));
    plot.append(item);
  }
  svg.append(plot, svgEl('text', { class: 'label', x: MARGIN.left + plotWidth / 2, y: HEIGHT - 4, 'text-anchor': 'middle' }, 'M: examples ranked'));
  return svg;
}

function legend(names: string[]): HTMLElement {
  return el(
    'div',
    { class: 'chart-legend' },
    ...names.map((name, s) => {
      const swatch = svgEl('svg', { class: 'chart swatch', width: 14, height: 12, viewBox: '0 0 14 12', 'aria-hidden': 'true' });
      swatch.append(svgEl('g', { class: `box series-${s % 4}` }, svgEl('rect', { class: 'iqr', x: 1, y: 1, width: 12, height: 10 })));
      return el('span', {}, swatch, name);
    }),
  );
}

function table(result: PanelExampleConsistency, names: string[]): HTMLElement {
  const rows = result.methods.flatMap((m, s) =>
    (['top', 'bottom'] as const).map((side) =>
      el('tr', {}, el('th', { scope: 'row' }, `${names[s]}, ${SIDE_TEXT[side].title}`), ...result.ms.map((_, i) => el('td', {}, boxText(m[side][i])))),
    ),
  );
  return el(
    'table',
    { class: 'values', 'data-testid': 'similarity-table' },
    el('caption', { class: 'visually-hidden' }, 'Similarity rate per method and M: median, interquartile range and range over the test examples'),
    el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, 'Method'), ...result.ms.map((m) => el('th', { scope: 'col' }, `M = ${m}`)))),
    el('tbody', {}, ...rows),
  );
}

export function similarityRateCharts(result: PanelExampleConsistency): HTMLElement {
  const names = result.methods.map((m) => exampleMethodText(m.settings));
  const block = (side: Side): HTMLElement => el('figure', { class: 'box-figure' }, el('figcaption', {}, `${SIDE_TEXT[side].title} `, el('span', { class: 'muted' }, SIDE_TEXT[side].hint)), chart(result, side, names));
  return el('div', { class: 'similarity-rate' }, legend(names), block('top'), block('bottom'), el('details', {}, el('summary', {}, 'Values'), table(result, names)));
}
