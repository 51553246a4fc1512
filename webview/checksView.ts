/**
 * The on-demand sections: per-unit maps with their entropy and correlations,
 * and the consistency and sanity checks. Each has a button, its own progress
 * and cancel, and shows what it was computed for, since the pickers may move on.
 */
import { PANEL_LIMITS, type PanelConsistency, type PanelInit, type PanelSanity, type PanelUnits } from '../src/protocol/webviewProtocol';
import { consistencyChart } from './consistencyChart';
import { el } from './dom';
import { formatNumber } from './format';
import { sanityTable } from './sanityTable';
import { clampInteger, TARGET_LABELS, type CheckKind } from './settingsModel';
import { TaskStatus } from './taskStatus';
import { createButton } from './toolkit';
import { renderUnitMaps } from './unitMaps';
import { rangeText, renderUnits } from './unitsResult';

export type { CheckKind };

export interface ChecksCallbacks {
  run(kind: CheckKind): void;
  cancel(kind: CheckKind): void;
  examplesChanged(count: number): void;
}

interface Block {
  button: HTMLElement & { disabled: boolean };
  status: TaskStatus;
  result: HTMLElement;
  /** checkSignature of the result on show. */
  signature?: string;
}

const UNIT_TILE = 112;

const LABELS: Record<CheckKind, { button: string; what: string; hint: string }> = {
  units: { button: 'Per-unit maps', what: 'the per-unit maps', hint: 'One map per latent unit, their saliency entropy and correlations.' },
  consistency: { button: 'Consistency check', what: 'the consistency check', hint: 'Masks the most important features and compares with random masks.' },
  sanity: { button: 'Sanity check', what: 'the sanity check', hint: 'Randomises the layers from the top down and compares the maps.' },
};

export class ChecksView {
  readonly unitsSection: HTMLElement;
  readonly checksSection: HTMLElement;
  private readonly examples = el('input', { id: 'check-examples', type: 'number', min: String(PANEL_LIMITS.checkExamples.min), max: String(PANEL_LIMITS.checkExamples.max), step: '1', inputmode: 'numeric' });
  private readonly blocks: Record<CheckKind, Block>;
  private count = 8;

  constructor(callbacks: ChecksCallbacks) {
    const block = (kind: CheckKind): Block => {
      const button = createButton({ label: LABELS[kind].button, title: LABELS[kind].hint });
      button.dataset.testid = `run-${kind}`;
      button.addEventListener('click', () => callbacks.run(kind));
      return { button, status: new TaskStatus(LABELS[kind].what, () => callbacks.cancel(kind), `${kind}-status`), result: el('div', { class: `check-result ${kind}-result`, 'aria-live': 'polite' }) };
    };
    this.blocks = { units: block('units'), consistency: block('consistency'), sanity: block('sanity') };
    const examplesField = el('div', { class: 'field' }, el('label', { for: 'check-examples' }, 'Examples'), this.examples);
    this.examples.title = `Test examples from the shown one on that the statistics average over (${PANEL_LIMITS.checkExamples.min}\u2013${PANEL_LIMITS.checkExamples.max})`;
    const commit = (): void => {
      this.count = clampInteger(this.examples.value, PANEL_LIMITS.checkExamples.min, PANEL_LIMITS.checkExamples.max, this.count);
      this.examples.value = String(this.count);
      callbacks.examplesChanged(this.count);
    };
    this.examples.addEventListener('change', commit);
    this.examples.addEventListener('keydown', (event) => {
      if (event.key === 'Enter') commit();
    });
    const { units, consistency, sanity } = this.blocks;
    this.unitsSection = el(
      'section',
      { class: 'units', id: 'section-units', 'aria-label': 'Latent units' },
      el('h2', {}, 'Latent units ', el('span', { class: 'muted' }, 'one map per unit of the representation, with their saliency entropy and correlations')),
      el('div', { class: 'controls' }, examplesField, el('div', { class: 'field' }, el('span', { class: 'field-spacer', 'aria-hidden': 'true' }, '\u00a0'), units.button)),
      units.status.element,
      units.result,
    );
    this.checksSection = el(
      'section',
      { class: 'checks', id: 'section-consistency', 'aria-label': 'Checks' },
      el('h2', {}, 'Checks ', el('span', { class: 'muted' }, 'is the attribution faithful to the model?')),
      el('div', { class: 'controls' }, consistency.button, sanity.button),
      consistency.status.element,
      consistency.result,
      sanity.status.element,
      sanity.result,
    );
  }

  get exampleCount(): number {
    return this.count;
  }

  showInit(init: PanelInit): void {
    this.count = init.checkExamples;
    this.examples.value = String(this.count);
  }

  status(kind: CheckKind): TaskStatus {
    return this.blocks[kind].status;
  }

  /** Results computed for another example, checkpoint or settings are dimmed and say so; they brighten again when the pickers come back. */
  updateStale(signature: (kind: CheckKind) => string): void {
    for (const [kind, block] of Object.entries(this.blocks) as [CheckKind, Block][]) {
      const stale = block.signature !== undefined && block.signature !== signature(kind);
      block.result.classList.toggle('stale', stale);
      if (stale) block.result.dataset.stale = 'Computed for another example, checkpoint or settings; run it again to update.';
      else delete block.result.dataset.stale;
    }
  }

  showUnits(result: PanelUnits, methodLabel: string, signature: string): void {
    const maps = renderUnitMaps(result.input, result.maps, UNIT_TILE, `test example #${result.testIndex}`);
    this.replace('units', renderUnits(result, maps, methodLabel), signature);
  }

  showConsistency(result: PanelConsistency, methodLabel: string, signature: string): void {
    const timing = result.cached ? 'cached' : `${formatNumber(result.seconds)} s`;
    const caption = el('p', { class: 'caption' }, `${methodLabel} · target ${TARGET_LABELS[result.targetKind].toLowerCase()} · test examples ${rangeText(result.exampleIndices)} · ${timing}`);
    this.replace('consistency', el('div', {}, el('h3', {}, 'Consistency: masking the top M% of features'), caption, consistencyChart(result)), signature);
  }

  showSanity(result: PanelSanity, methodLabel: string, signature: string): void {
    const timing = result.cached ? 'cached' : `${formatNumber(result.seconds)} s`;
    const caption = el('p', { class: 'caption' }, `${methodLabel} · test example #${result.testIndex} · ${timing}`);
    this.replace('sanity', el('div', {}, el('h3', {}, 'Sanity: cascading parameter randomisation'), caption, sanityTable(result)), signature);
  }

  private replace(kind: CheckKind, content: HTMLElement, signature: string): void {
    const block = this.blocks[kind];
    block.signature = signature;
    block.result.classList.remove('stale');
    delete block.result.dataset.stale;
    block.result.replaceChildren(content);
  }
}
