/** The cascading randomisation check: Spearman rank correlation with the original map after each layer is randomised, top down. */
import type { PanelSanity } from '../src/protocol/webviewProtocol';
import { el } from './dom';
import { formatCorrelation } from './correlationCells';

/** A bar from the middle of the cell: right for positive rho, left for negative. */
function rhoCell(rho: number): HTMLElement {
  const bar = el('span', { class: `rho-bar ${rho < 0 ? 'negative' : 'positive'}`, 'aria-hidden': 'true' });
  const magnitude = Number.isFinite(rho) ? Math.min(1, Math.abs(rho)) : 0;
  bar.style.width = `${(magnitude * 50).toFixed(1)}%`;
  bar.style.left = rho < 0 ? `${(50 - magnitude * 50).toFixed(1)}%` : '50%';
  return el('td', { class: 'rho' }, el('span', { class: 'rho-track' }, bar), el('span', { class: 'rho-value' }, formatCorrelation(rho)));
}

export function sanityTable(result: PanelSanity): HTMLElement {
  const rows = result.steps.map((step) =>
    el(
      'tr',
      {},
      el('th', { scope: 'row' }, step.layer ?? 'none (same weights)'),
      el('td', { class: 'count' }, String(step.randomizedLayers.length)),
      rhoCell(step.spearman),
      rhoCell(step.spearmanAbsolute),
    ),
  );
  return el(
    'table',
    { class: 'sanity', 'data-testid': 'sanity-table' },
    el('caption', {}, 'Spearman \u03c1 with the original map as layers are randomised from the output down; a faithful method falls towards 0.'),
    el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, 'randomised down to'), el('th', { scope: 'col' }, 'layers'), el('th', { scope: 'col' }, '\u03c1'), el('th', { scope: 'col' }, '\u03c1 of |map|'))),
    el('tbody', {}, ...rows),
  );
}
