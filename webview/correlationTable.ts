/** The units' correlation matrix as a table of coloured, numbered cells, and its mean over i != j. */
import { rgbText, el } from './dom';
import { correlationCell, formatCorrelation, offDiagonalMean } from './correlationCells';

export function correlationTable(matrix: readonly (number | null)[], units: number, meanCorrelation: number | null): HTMLElement {
  const table = el('table', { class: 'correlation', 'data-testid': 'correlation-matrix' });
  table.append(el('caption', {}, 'Pearson r between units\u2019 maps'));
  const head = el('tr', {}, el('th', { scope: 'col' }, el('span', { class: 'visually-hidden' }, 'unit')));
  for (let j = 0; j < units; j++) head.append(el('th', { scope: 'col' }, String(j)));
  table.append(el('thead', {}, head));
  const body = el('tbody');
  for (let i = 0; i < units; i++) {
    const row = el('tr', {}, el('th', { scope: 'row' }, String(i)));
    for (let j = 0; j < units; j++) {
      const cell = correlationCell(matrix[i * units + j], i, j);
      const td = el('td', { title: cell.label, 'aria-label': cell.label }, cell.text);
      if (cell.fill) {
        td.style.backgroundColor = rgbText(cell.fill);
        td.classList.add(cell.textTone === 'dark' ? 'on-light' : 'on-dark');
      } else {
        td.classList.add('undefined');
      }
      row.append(td);
    }
    body.append(row);
  }
  table.append(body);
  // The engine's mean is over the examples' matrices; the mean of the averaged matrix is the fallback.
  const mean = meanCorrelation ?? offDiagonalMean(matrix, units);
  const readout = el('p', { class: 'readout', 'data-testid': 'mean-correlation' }, `mean r over i \u2260 j: ${formatCorrelation(mean)}`);
  return el('div', { class: 'correlation-block' }, table, readout);
}
