/**
 * The on-demand training-example checks: suspicious training examples, the
 * example-consistency check (similarity rate per method as box plots) and the
 * Pearson correlation of example importance between two encoders. Each has a
 * button, its own progress with Cancel, and says what it was computed for.
 */
import { EXAMPLE_METHOD_NAMES, type ExampleMethodName } from '../src/protocol/engineProtocol';
import { EXAMPLE_LIMITS, type PanelExampleComparison, type PanelExampleConsistency, type PanelExamplesState, type PanelInit, type PanelSuspicious } from '../src/protocol/webviewProtocol';
import { similarityRateCharts } from './boxPlotChart';
import { el } from './dom';
import { comparisonText } from './comparisonText';
import { EXAMPLE_METHOD_LABELS } from './exampleModel';
import { formatNumber } from './format';
import { clampInteger } from './settingsModel';
import { suspiciousTable } from './suspiciousTable';
import { TaskStatus } from './taskStatus';
import { createButton, createDropdown, type Dropdown } from './toolkit';

export type ExampleCheckKind = 'suspicious' | 'similarity' | 'compare';

/** The compare picker's value for "ask for another run's manifest". */
export const PICK_MANIFEST = ':pick-manifest:';

export interface ExampleChecksCallbacks {
  run(kind: ExampleCheckKind): void;
  cancel(kind: ExampleCheckKind): void;
  /** A persisted picker changed. */
  changed(): void;
  reveal(trainIndex: number): void;
}

interface Block {
  button: HTMLElement & { disabled: boolean };
  status: TaskStatus;
  result: HTMLElement;
}

const LABELS: Record<ExampleCheckKind, { button: string; what: string }> = {
  suspicious: { button: 'Find suspicious training examples', what: 'the suspicious-example search' },
  similarity: { button: 'Example consistency', what: 'the example-consistency check' },
  compare: { button: 'Compare encoders', what: 'the encoder comparison' },
};

function numberInput(id: string, min: number, max: number): HTMLInputElement {
  return el('input', { id, type: 'number', min: String(min), max: String(max), step: '1', inputmode: 'numeric' });
}

export class ExampleChecksView {
  readonly element: HTMLElement;
  private readonly blocks: Record<ExampleCheckKind, Block>;
  private readonly limit = numberInput('suspicious-limit', EXAMPLE_LIMITS.suspiciousLimit.min, EXAMPLE_LIMITS.suspiciousLimit.max);
  private readonly count = numberInput('similarity-examples', EXAMPLE_LIMITS.consistencyExamples.min, EXAMPLE_LIMITS.consistencyExamples.max);
  private readonly methodBoxes = new Map<ExampleMethodName, HTMLInputElement>();
  private readonly compareWith: Dropdown = createDropdown('compare-with', 'The other encoder');
  private readonly suspiciousNote = el('p', { class: 'muted', hidden: '' }, 'Needs training labels; this run has none.');
  private readonly similarityNote = el('p', { class: 'muted', hidden: '' }, 'Needs labels for the training and test sets.');
  private state: PanelExamplesState | undefined;
  private classNames: readonly string[] | undefined;

  constructor(private readonly callbacks: ExampleChecksCallbacks) {
    const block = (kind: ExampleCheckKind): Block => {
      const button = createButton({ label: LABELS[kind].button });
      button.dataset.testid = `run-${kind}`;
      button.addEventListener('click', () => callbacks.run(kind));
      return { button, status: new TaskStatus(LABELS[kind].what, () => callbacks.cancel(kind), `${kind}-status`), result: el('div', { class: `check-result ${kind}-result`, 'aria-live': 'polite' }) };
    };
    this.blocks = { suspicious: block('suspicious'), similarity: block('similarity'), compare: block('compare') };
    const field = (id: string, label: string, input: HTMLElement, title: string): HTMLElement => {
      const wrapper = el('div', { class: 'field' }, el('label', { for: id }, label), input);
      wrapper.title = title;
      return wrapper;
    };
    const spacer = (): HTMLElement => el('span', { class: 'field-spacer', 'aria-hidden': 'true' }, '\u00a0');
    const methods = el('fieldset', { class: 'method-set' }, el('legend', {}, 'Methods'));
    for (const m of EXAMPLE_METHOD_NAMES) {
      const box = el('input', { type: 'checkbox', id: `similarity-${m}`, value: m });
      box.addEventListener('change', () => this.commitMethods(box));
      this.methodBoxes.set(m, box);
      methods.append(el('label', { class: 'checkbox-field' }, box, ` ${EXAMPLE_METHOD_LABELS[m]}`));
    }
    this.onCommit(this.limit, () => this.patch({ suspiciousLimit: clampInteger(this.limit.value, EXAMPLE_LIMITS.suspiciousLimit.min, EXAMPLE_LIMITS.suspiciousLimit.max, this.current.suspiciousLimit) }));
    this.onCommit(this.count, () =>
      this.patch({ consistencyExamples: clampInteger(this.count.value, EXAMPLE_LIMITS.consistencyExamples.min, EXAMPLE_LIMITS.consistencyExamples.max, this.current.consistencyExamples) }),
    );
    this.compareWith.onChange((value) => {
      if (value !== PICK_MANIFEST) this.patch({ compareCheckpoint: value });
    });
    const { suspicious, similarity, compare } = this.blocks;
    this.element = el(
      'section',
      { class: 'example-checks', 'aria-label': 'Training-example checks' },
      el('h2', {}, 'Training-example checks ', el('span', { class: 'muted' }, 'mislabelled examples, and whether the methods agree with the labels and across encoders')),
      el('h3', { id: 'section-suspicious' }, 'Suspicious training examples'),
      el('div', { class: 'controls' }, field('suspicious-limit', 'How many', this.limit, `At most ${EXAMPLE_LIMITS.suspiciousLimit.max}`), el('div', { class: 'field' }, spacer(), suspicious.button)),
      this.suspiciousNote,
      suspicious.status.element,
      suspicious.result,
      el('h3', {}, 'Example consistency ', el('span', { class: 'muted' }, 'similarity rate: do the top-M examples share the test example\u2019s label?')),
      el(
        'div',
        { class: 'controls' },
        methods,
        field('similarity-examples', 'Test examples', this.count, 'Test examples from the shown one on; also used by the encoder comparison'),
        el('div', { class: 'field' }, spacer(), similarity.button),
      ),
      this.similarityNote,
      similarity.status.element,
      similarity.result,
      el('h3', { id: 'section-compare' }, 'Two encoders ', el('span', { class: 'muted' }, 'Pearson correlation of the training-example scores, with the method above')),
      el('div', { class: 'controls' }, field('compare-with', 'Compare with', this.compareWith.element, 'Another checkpoint of this run, or another run sharing its training set'), el('div', { class: 'field' }, spacer(), compare.button)),
      compare.status.element,
      compare.result,
    );
  }

  get current(): PanelExamplesState {
    if (!this.state) throw new Error('ExampleChecksView: showInit() has not been called');
    return this.state;
  }

  /** The compare picker's choice: a checkpoint, or PICK_MANIFEST. */
  get compareChoice(): string {
    return this.compareWith.value;
  }

  showInit(init: PanelInit): void {
    this.classNames = init.classNames;
    this.state = { ...init.examples };
    this.limit.value = String(this.state.suspiciousLimit);
    this.count.value = String(this.state.consistencyExamples);
    for (const [m, box] of this.methodBoxes) box.checked = this.state.consistencyMethods.includes(m);
    const options = init.checkpoints.map((c) => ({ value: c, label: `Checkpoint ${c}` }));
    if (init.canPickManifest) options.push({ value: PICK_MANIFEST, label: 'Another run\u2019s manifest\u2026' });
    const fallback = init.checkpoints.find((c) => c !== init.checkpoint) ?? init.checkpoints[0] ?? PICK_MANIFEST;
    this.compareWith.setOptions(options, this.state.compareCheckpoint ?? fallback);
    const trainLabels = init.trainHasLabels;
    const bothLabels = init.trainHasLabels && init.testHasLabels;
    this.blocks.suspicious.button.disabled = !trainLabels;
    this.suspiciousNote.hidden = trainLabels;
    this.blocks.similarity.button.disabled = !bothLabels;
    this.similarityNote.hidden = bothLabels;
  }

  status(kind: ExampleCheckKind): TaskStatus {
    return this.blocks[kind].status;
  }

  /** Shows the table; `focusIndex` (a training example) gets keyboard focus and a highlight when it is listed. */
  showSuspicious(result: PanelSuspicious, focusIndex?: number): void {
    this.blocks.suspicious.result.replaceChildren(suspiciousTable(result, this.classNames, (i) => this.callbacks.reveal(i)));
    if (focusIndex === undefined) return;
    const row = this.blocks.suspicious.result.querySelector<HTMLElement>(`tr[data-index="${focusIndex}"]`);
    if (row) {
      row.classList.add('focused-example');
      row.scrollIntoView({ block: 'center' });
      row.focus();
    } else {
      this.blocks.suspicious.result.prepend(el('p', { class: 'muted' }, `Training example #${focusIndex} is not among the ${result.examples.length} most suspicious at this checkpoint.`));
    }
  }

  showSimilarity(result: PanelExampleConsistency): void {
    const timing = result.cached ? 'cached' : `${formatNumber(result.seconds)} s`;
    const caption = el('p', { class: 'caption' }, `${result.exampleIndices.length} test examples from #${result.testIndex} at ${result.checkpoint} · ${timing}`);
    this.blocks.similarity.result.replaceChildren(el('div', {}, caption, similarityRateCharts(result)));
  }

  showComparison(result: PanelExampleComparison): void {
    const text = comparisonText(result);
    const rows = result.perExample.map((e) => el('tr', {}, el('td', {}, `#${e.index}`), el('td', { class: 'number' }, e.pearson === null ? 'undefined' : formatNumber(e.pearson))));
    this.blocks.compare.result.replaceChildren(
      el(
        'div',
        {},
        el('p', { class: 'caption' }, text.caption),
        el('p', { class: 'readout', 'data-testid': 'encoder-correlation' }, text.readout),
        el('p', { class: 'muted', 'data-testid': 'encoder-checkpoints' }, text.scope),
        el(
          'details',
          {},
          el('summary', {}, 'Per test example'),
          el('table', { class: 'values' }, el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, 'Test example'), el('th', { scope: 'col' }, 'Pearson r'))), el('tbody', {}, ...rows)),
        ),
      ),
    );
  }

  private commitMethods(changed: HTMLInputElement): void {
    const methods = EXAMPLE_METHOD_NAMES.filter((m) => this.methodBoxes.get(m)!.checked);
    if (methods.length === 0) {
      // At least one method stays chosen.
      changed.checked = true;
      return;
    }
    this.patch({ consistencyMethods: methods });
  }

  private patch(patch: Partial<PanelExamplesState>): void {
    this.state = { ...this.current, ...patch };
    this.limit.value = String(this.state.suspiciousLimit);
    this.count.value = String(this.state.consistencyExamples);
    this.callbacks.changed();
  }

  private onCommit(input: HTMLInputElement, commit: () => void): void {
    input.addEventListener('change', commit);
    input.addEventListener('keydown', (event) => {
      if (event.key === 'Enter') commit();
    });
  }
}
