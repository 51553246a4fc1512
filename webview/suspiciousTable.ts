/**
 * Suspicious training examples as a table: row, label, score, each reason in
 * words and numbers, and the suggested label. Every row is focusable and
 * reveals its row in the dataset file on Enter, Space or a click. Dataset
 * strings (label names, reasons) go in as text only.
 */
import type { PanelSuspicious } from '../src/protocol/webviewProtocol';
import { el } from './dom';
import { formatNumber } from './format';
import { suspicionCaption, suspicionRow } from './suspicionText';

export function suspiciousTable(result: PanelSuspicious, classNames: readonly string[] | undefined, onReveal: (index: number) => void): HTMLElement {
  const rows = result.examples.map((example, rank) => {
    const text = suspicionRow(example, classNames, result.trainFile);
    const reasons = el('ul', { class: 'reasons' }, ...text.reasons.map((r) => el('li', {}, r)));
    const row = el(
      'tr',
      { tabindex: '0', class: 'reveal-row', 'data-testid': 'suspicious-row', 'data-index': String(example.index), 'aria-label': `${rank + 1}. ${text.spoken} Press Enter to reveal it.` },
      el('td', {}, text.row),
      el('td', {}, text.label),
      el('td', { class: 'number' }, formatNumber(example.score)),
      el('td', {}, reasons),
      el('td', {}, text.suggestion),
    );
    row.addEventListener('click', () => onReveal(example.index));
    row.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' || event.key === ' ') {
        event.preventDefault();
        onReveal(example.index);
      }
    });
    return row;
  });
  const table = el(
    'table',
    { class: 'values suspicious-table' },
    el('caption', { class: 'visually-hidden' }, 'Suspicious training examples, most suspicious first'),
    el(
      'thead',
      {},
      el('tr', {}, el('th', { scope: 'col' }, 'Row'), el('th', { scope: 'col' }, 'Label'), el('th', { scope: 'col' }, 'Score'), el('th', { scope: 'col' }, 'Reasons'), el('th', { scope: 'col' }, 'Suggested label')),
    ),
    el('tbody', {}, ...rows),
  );
  return el('div', {}, el('p', { class: 'caption' }, suspicionCaption(result)), rows.length > 0 ? table : el('p', { class: 'muted' }, 'No training example stands out.'));
}
