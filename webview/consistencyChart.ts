/** The consistency check: effect of masking the top M% of features vs. M% at random, with ± std. */
import type { PanelConsistency } from '../src/protocol/webviewProtocol';
import { consistencyGeometry, percentLabel } from './consistencyLayout';
import { el, svgEl } from './dom';
import { formatNumber } from './format';

const WIDTH = 460;
const HEIGHT = 240;
const MARGIN = { left: 52, right: 12, top: 24, bottom: 40 };

export function measureText(measure: PanelConsistency['measure']): string {
  return measure === 'shift' ? 'Latent shift \u2016f(x) \u2212 f(m\u2299x)\u2016' : 'Probability drop p(x) \u2212 p(m\u2299x)';
}

function pm(mean: number | null | undefined, std: number | null | undefined): string {
  if (typeof mean !== 'number' || !Number.isFinite(mean)) return '—';
  return `${formatNumber(mean)} ± ${typeof std === 'number' && Number.isFinite(std) ? formatNumber(std) : '—'}`;
}

export function consistencyChart(result: PanelConsistency): HTMLElement {
  const plotWidth = WIDTH - MARGIN.left - MARGIN.right;
  const plotHeight = HEIGHT - MARGIN.top - MARGIN.bottom;
  const g = consistencyGeometry(result.fractions, result.top, result.random, { width: plotWidth, height: plotHeight });
  const summary = result.fractions.map((f, i) => `M ${percentLabel(f)}: top ${pm(result.top.mean[i], result.top.std[i])}, random ${pm(result.random.mean[i], result.random.std[i])}`).join('; ');
  const svg = svgEl('svg', {
    class: 'chart consistency-chart',
    width: WIDTH,
    height: HEIGHT,
    viewBox: `0 0 ${WIDTH} ${HEIGHT}`,
    role: 'img',
    'aria-label': `${measureText(result.measure)} against the share M of features masked. ${summary}.`,
    'data-testid': 'consistency-chart',
  });
  const plot = svgEl('g', { transform: `translate(${MARGIN.left}, ${MARGIN.top})` });
  for (const tick of g.yTicks) {
    plot.append(svgEl('line', { class: 'grid', x1: 0, x2: plotWidth, y1: tick.y, y2: tick.y }), svgEl('text', { class: 'tick', x: -6, y: tick.y, 'text-anchor': 'end', 'dominant-baseline': 'middle' }, formatNumber(tick.value)));
  }
  for (const tick of g.xTicks) {
    plot.append(svgEl('line', { class: 'axis', x1: tick.x, x2: tick.x, y1: plotHeight, y2: plotHeight + 4 }), svgEl('text', { class: 'tick', x: tick.x, y: plotHeight + 16, 'text-anchor': 'middle' }, tick.label));
  }
  plot.append(svgEl('line', { class: 'axis', x1: 0, x2: plotWidth, y1: plotHeight, y2: plotHeight }), svgEl('line', { class: 'axis', x1: 0, x2: 0, y1: 0, y2: plotHeight }));
  if (g.zeroY !== undefined) plot.append(svgEl('line', { class: 'zero', x1: 0, x2: plotWidth, y1: g.zeroY, y2: g.zeroY }));
  plot.append(svgEl('path', { class: 'random-band', d: g.random.band }), svgEl('path', { class: 'random-line', d: g.random.line }));
  for (const p of g.random.points) plot.append(svgEl('circle', { class: 'random-point', cx: p.x, cy: p.y, r: 3 }));
  for (const p of g.top.points) {
    plot.append(svgEl('line', { class: 'top-whisker', x1: p.x, x2: p.x, y1: p.low, y2: p.high }), svgEl('line', { class: 'top-whisker', x1: p.x - 4, x2: p.x + 4, y1: p.low, y2: p.low }), svgEl('line', { class: 'top-whisker', x1: p.x - 4, x2: p.x + 4, y1: p.high, y2: p.high }));
  }
  plot.append(svgEl('path', { class: 'top-line', d: g.top.line }));
  for (const p of g.top.points) plot.append(svgEl('circle', { class: 'top-point', cx: p.x, cy: p.y, r: 3.5 }));
  svg.append(plot);
  svg.append(
    svgEl('text', { class: 'label', x: MARGIN.left + plotWidth / 2, y: HEIGHT - 6, 'text-anchor': 'middle' }, 'M: share of features masked'),
    svgEl('text', { class: 'label', x: 4, y: 14 }, measureText(result.measure)),
  );
  const swatch = (kind: 'top' | 'random'): SVGSVGElement => {
    const icon = svgEl('svg', { class: 'chart swatch', width: 22, height: 12, viewBox: '0 0 22 12', 'aria-hidden': 'true' });
    if (kind === 'random') icon.append(svgEl('rect', { class: 'random-band', x: 0, y: 1, width: 22, height: 10 }));
    icon.append(svgEl('line', { class: `${kind}-line`, x1: 0, x2: 22, y1: 6, y2: 6 }));
    return icon;
  };
  const legend = el(
    'div',
    { class: 'chart-legend' },
    el('span', {}, swatch('top'), 'top M% by attribution (mean ± std)'),
    el('span', {}, swatch('random'), 'random M% (mean ± std band)'),
  );

  const rows = result.fractions.map((f, i) =>
    el('tr', {}, el('td', {}, percentLabel(f)), el('td', {}, String(result.maskedCounts[i] ?? '—')), el('td', {}, pm(result.top.mean[i], result.top.std[i])), el('td', {}, pm(result.random.mean[i], result.random.std[i]))),
  );
  const table = el(
    'table',
    { class: 'values' },
    el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, 'M'), el('th', { scope: 'col' }, 'features'), el('th', { scope: 'col' }, 'top M% (mean ± std)'), el('th', { scope: 'col' }, 'random (mean ± std)'))),
    el('tbody', {}, ...rows),
  );
  return el('div', { class: 'consistency' }, legend, svg, el('details', {}, el('summary', {}, 'Values'), table));
}
