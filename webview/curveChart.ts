/**
 * The invariance curve as an SVG line chart (theme colours through panel.css
 * classes): the share of samples keeping the predicted class against σ for
 * z2 resampled and for the z1 control, with a legend and a table.
 */
import type { PanelInvarianceCurve } from '../src/protocol/webviewProtocol';
import { el, svgEl } from './dom';
import { formatNumber } from './format';
import { curveGeometry, curveSummary, percent } from './invarianceLayout';

const WIDTH = 460;
const HEIGHT = 220;
const MARGIN = { left: 44, right: 12, top: 10, bottom: 34 };

export function curveChart(r: PanelInvarianceCurve): HTMLElement {
  const plotWidth = WIDTH - MARGIN.left - MARGIN.right;
  const plotHeight = HEIGHT - MARGIN.top - MARGIN.bottom;
  const g = curveGeometry(r.points, r.reconstruction, { width: plotWidth, height: plotHeight });
  const summary = curveSummary(r.points, r.reconstruction);
  const svg = svgEl('svg', { class: 'chart invariance-curve', width: WIDTH, height: HEIGHT, viewBox: `0 0 ${WIDTH} ${HEIGHT}`, role: 'img', 'aria-label': `Invariance curve. ${summary}`, 'data-testid': 'invariance-curve' });
  const plot = svgEl('g', { transform: `translate(${MARGIN.left}, ${MARGIN.top})` });
  for (const tick of g.yTicks) {
    plot.append(
      svgEl('line', { class: 'grid', x1: 0, x2: plotWidth, y1: tick.y, y2: tick.y }),
      svgEl('text', { class: 'tick', x: -6, y: tick.y, 'text-anchor': 'end', 'dominant-baseline': 'middle' }, percent(tick.value)),
    );
  }
  for (const tick of g.xTicks) plot.append(svgEl('text', { class: 'tick', x: tick.x, y: plotHeight + 14, 'text-anchor': 'middle' }, formatNumber(tick.value)));
  plot.append(svgEl('line', { class: 'axis', x1: 0, x2: plotWidth, y1: plotHeight, y2: plotHeight }), svgEl('line', { class: 'axis', x1: 0, x2: 0, y1: 0, y2: plotHeight }));
  plot.append(svgEl('path', { class: 'top-line', d: g.nuisance.path, 'data-testid': 'invariance-curve-z2' }), svgEl('path', { class: 'random-line', d: g.control.path, 'data-testid': 'invariance-curve-z1' }));
  g.xs.forEach((x, i) => {
    const sigma = g.sigmas[i]!;
    const top = svgEl('circle', { class: 'top-point', cx: x, cy: g.nuisance.ys[i]!, r: 3, 'data-testid': 'invariance-curve-z2-point', 'data-sigma': sigma, 'data-value': g.nuisance.values[i]! });
    top.append(svgEl('title', {}, `σ = ${sigma}: z2 resampled keeps the class ${percent(g.nuisance.values[i]!)}`));
    const control = svgEl('rect', { class: 'random-point', x: x - 3, y: g.control.ys[i]! - 3, width: 6, height: 6, 'data-testid': 'invariance-curve-z1-point', 'data-sigma': sigma, 'data-value': g.control.values[i]! });
    control.append(svgEl('title', {}, `σ = ${sigma}: z1 resampled (control) keeps the class ${percent(g.control.values[i]!)}`));
    plot.append(top, control);
  });
  svg.append(plot, svgEl('text', { class: 'label', x: MARGIN.left + plotWidth / 2, y: HEIGHT - 4, 'text-anchor': 'middle' }, 'σ of the resampled units'));
  const swatch = (cls: string): SVGSVGElement => {
    const s = svgEl('svg', { class: 'chart swatch', width: 22, height: 10, viewBox: '0 0 22 10', 'aria-hidden': 'true' });
    s.append(svgEl('line', { class: cls, x1: 1, x2: 21, y1: 5, y2: 5 }));
    return s;
  };
  const legend = el('div', { class: 'chart-legend' }, el('span', {}, swatch('top-line'), 'z2 (nuisance) resampled, z1 kept: should stay high'), el('span', {}, swatch('random-line'), 'z1 (class) resampled, z2 kept: control, should drop'));
  const rows = g.sigmas.map((sigma, i) => el('tr', {}, el('td', { class: 'number' }, String(sigma)), el('td', { class: 'number' }, percent(g.nuisance.values[i]!)), el('td', { class: 'number' }, percent(g.control.values[i]!))));
  const table = el(
    'table',
    { class: 'values', 'data-testid': 'invariance-curve-table' },
    el('caption', {}, 'Share of samples keeping the predicted class (σ = 0: the reconstructions)'),
    el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, 'σ'), el('th', { scope: 'col' }, 'z2 resampled'), el('th', { scope: 'col' }, 'z1 resampled'))),
    el('tbody', {}, ...rows),
  );
  return el('div', {}, legend, svg, el('p', { class: 'readout' }, summary), el('details', {}, el('summary', {}, 'Values as a table'), table));
}
