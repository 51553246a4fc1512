/** The per-unit grid: one map per latent unit, the saliency entropy beside S_max, and the units' correlation matrix. */
import type { PanelUnits } from '../src/protocol/webviewProtocol';
import { correlationTable } from './correlationTable';
import { el } from './dom';
import { entropyReadout, formatNumber } from './format';

export function renderUnits(result: PanelUnits, maps: HTMLElement, methodLabel: string): HTMLElement {
  const entropy = entropyReadout({ ...result, exampleCount: result.exampleIndices.length });
  const timing = result.cached ? 'cached' : `${formatNumber(result.seconds)} s`;
  const figures = el(
    'div',
    { class: 'units-figures' },
    el('div', {}, maps),
    el(
      'div',
      { class: 'units-stats' },
      el(
        'dl',
        { class: 'entropy', 'data-testid': 'unit-entropy' },
        el('dt', {}, 'Saliency entropy'),
        el('dd', {}, entropy.example),
        el('dd', {}, entropy.average),
        el('dd', {}, entropy.max),
      ),
      correlationTable(result.correlation, result.units, result.meanCorrelation),
    ),
  );
  return el(
    'div',
    { class: 'units-result' },
    el('p', { class: 'caption' }, `Test example #${result.testIndex} · ${result.units} units · ${methodLabel} · statistics over test examples ${rangeText(result.exampleIndices)} · ${timing}`),
    figures,
  );
}

/** "#3–#10", or a list when the indices wrap around. */
export function rangeText(indices: readonly number[]): string {
  if (indices.length === 0) return 'none';
  const consecutive = indices.every((v, i) => i === 0 || v === indices[i - 1]! + 1);
  if (indices.length === 1) return `#${indices[0]}`;
  return consecutive ? `#${indices[0]}\u2013#${indices[indices.length - 1]}` : indices.map((i) => `#${i}`).join(', ');
}
