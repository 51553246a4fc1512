/**
 * Builds the panel's DOM once and updates it; all behaviour goes out through
 * the callbacks. The attribution, the training examples and the checks are
 * their own components; this holds the example and checkpoint pickers.
 */
import type { BackendName } from '../src/protocol/engineProtocol';
import type { PanelInit } from '../src/protocol/webviewProtocol';
import type { AttributionView } from './attributionView';
import type { ChecksView } from './checksView';
import { el } from './dom';
import type { ExampleChecksView } from './exampleChecksView';
import type { ExamplesView } from './examplesView';
import { createButton, createDropdown, createProgressRing, type Dropdown } from './toolkit';

export interface ViewCallbacks {
  /** The user asked for a test example / checkpoint. */
  pick(testIndex: number, checkpoint: string): void;
  retry(): void;
}

export class PanelView {
  private init: PanelInit | undefined;
  private readonly title = el('h1', { id: 'run-name' }, 'Model Debugger');
  private readonly backend = el('span', { class: 'backend', id: 'backend' });
  private readonly indexInput = el('input', { id: 'test-index', type: 'number', min: '0', step: '1', inputmode: 'numeric', 'aria-describedby': 'test-count' });
  private readonly testCount = el('span', { id: 'test-count', class: 'muted' });
  private readonly prev = createButton({ label: '‹ Prev', ariaLabel: 'Previous test example', title: 'Previous test example (Alt+Left)', secondary: true });
  private readonly next = createButton({ label: 'Next ›', ariaLabel: 'Next test example', title: 'Next test example (Alt+Right)', secondary: true });
  private readonly checkpoint: Dropdown = createDropdown('checkpoint', 'Checkpoint');
  private readonly busy = el('div', { class: 'busy', role: 'status', 'aria-live': 'polite' });
  private readonly busyText = el('span', { class: 'muted' });
  private readonly error = el('div', { class: 'error', role: 'alert', hidden: '' });
  private readonly errorText = el('p');
  private readonly retryButton = createButton({ label: 'Retry' });
  private readonly content = el('div', { class: 'content', hidden: '' });

  constructor(
    private readonly root: HTMLElement,
    private readonly callbacks: ViewCallbacks,
    private readonly attribution: AttributionView,
    private readonly checks: ChecksView,
    private readonly examples: ExamplesView,
    private readonly exampleChecks: ExampleChecksView,
    /** Further sections, after the checks (NEON, semantic Shapley values, invariances). */
    private readonly sections: readonly HTMLElement[] = [],
  ) {
    this.build();
  }

  get testIndex(): number {
    return Number(this.indexInput.value);
  }

  get selectedCheckpoint(): string | undefined {
    return this.checkpoint.value || this.init?.checkpoint;
  }

  showInit(init: PanelInit): void {
    this.init = init;
    this.content.hidden = false;
    this.title.textContent = init.runName;
    this.setBackend(init.backend);
    this.indexInput.max = String(init.testCount - 1);
    this.indexInput.value = String(init.testIndex);
    this.testCount.textContent = `of ${init.testCount} (0–${init.testCount - 1})`;
    this.checkpoint.setOptions(
      init.checkpoints.map((value) => ({ value, label: value })),
      init.checkpoint,
    );
    this.updateStepButtons();
  }

  setBackend(backend: BackendName | undefined): void {
    this.backend.textContent = backend ? `TF.js: ${backend}` : '';
  }

  setBusy(message: string | undefined): void {
    this.busy.hidden = message === undefined;
    this.busyText.textContent = message ?? '';
    this.root.setAttribute('aria-busy', message === undefined ? 'false' : 'true');
  }

  showError(message: string | undefined, canRetry = false): void {
    this.error.hidden = message === undefined;
    this.errorText.textContent = message ?? '';
    this.retryButton.hidden = !canRetry;
  }

  private build(): void {
    this.busy.append(createProgressRing('Working'), this.busyText);
    this.busy.hidden = true;
    this.error.append(this.errorText, this.retryButton);
    this.retryButton.hidden = true;
    this.retryButton.addEventListener('click', () => this.callbacks.retry());

    const controls = el(
      'div',
      { class: 'controls', role: 'group', 'aria-label': 'What to explain' },
      el('div', { class: 'field' }, el('label', { for: 'test-index' }, 'Test example'), el('div', { class: 'stepper' }, this.prev, this.indexInput, this.next, this.testCount)),
      el('div', { class: 'field' }, el('label', { for: 'checkpoint' }, 'Checkpoint'), this.checkpoint.element),
      this.busy,
    );

    this.content.append(this.attribution.element, this.examples.element, this.checks.unitsSection, this.checks.checksSection, this.exampleChecks.element, ...this.sections);
    this.root.replaceChildren(el('header', {}, this.title, this.backend), controls, this.error, this.content);

    this.prev.addEventListener('click', () => this.step(-1));
    this.next.addEventListener('click', () => this.step(1));
    this.indexInput.addEventListener('change', () => this.commitIndex());
    this.indexInput.addEventListener('keydown', (event) => {
      if (event.key === 'Enter') this.commitIndex();
    });
    this.checkpoint.onChange(() => this.commit());
    document.addEventListener('keydown', (event) => {
      if (!event.altKey) return;
      if (event.key === 'ArrowLeft') this.step(-1);
      if (event.key === 'ArrowRight') this.step(1);
    });
  }

  private step(delta: number): void {
    if (!this.init) return;
    const current = Number.isSafeInteger(this.testIndex) ? this.testIndex : 0;
    const next = Math.max(0, Math.min(this.init.testCount - 1, current + delta));
    if (next === current) return;
    this.indexInput.value = String(next);
    this.commit();
  }

  private commitIndex(): void {
    if (!this.init) return;
    const value = Math.trunc(Number(this.indexInput.value));
    const clamped = Number.isFinite(value) ? Math.max(0, Math.min(this.init.testCount - 1, value)) : 0;
    this.indexInput.value = String(clamped);
    this.commit();
  }

  private commit(): void {
    if (!this.init) return;
    this.updateStepButtons();
    this.callbacks.pick(this.testIndex, this.checkpoint.value || this.init.checkpoint);
  }

  private updateStepButtons(): void {
    if (!this.init) return;
    this.prev.disabled = this.testIndex <= 0;
    this.next.disabled = this.testIndex >= this.init.testCount - 1;
  }
}
