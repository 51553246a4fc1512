/**
 * The frame of a section that computes on demand: a heading a command can
 * scroll to (id "section-<name>"), a one-line reason instead of the controls
 * when the section does not apply to the run, the pickers with a run button,
 * progress with Cancel, and the result, marked stale when the example or a
 * setting changes after it was computed.
 */
import type { PanelSection, SectionAvailability } from '../src/protocol/webviewProtocol';
import { el } from './dom';
import { TaskStatus } from './taskStatus';
import { createButton } from './toolkit';

export interface ShellOptions {
  section: PanelSection;
  title: string;
  /** What the progress and Cancel name, e.g. "the NEON explanation". */
  what: string;
  button: string;
  buttonTitle: string;
  form: { element: HTMLElement };
  run(): void;
  cancel(): void;
}

export class SectionShell {
  readonly element: HTMLElement;
  readonly status: TaskStatus;
  readonly button: HTMLElement & { disabled: boolean };
  private readonly summary = el('span', { class: 'muted' });
  private readonly reason: HTMLElement;
  private readonly body: HTMLElement;
  private readonly result: HTMLElement;

  constructor(options: ShellOptions) {
    this.button = createButton({ label: options.button, title: options.buttonTitle });
    this.button.dataset.testid = `run-${options.section}`;
    this.button.addEventListener('click', () => options.run());
    this.status = new TaskStatus(options.what, () => options.cancel(), `${options.section}-status`);
    this.reason = el('p', { class: 'muted section-reason', 'data-testid': `${options.section}-unavailable`, hidden: '' });
    this.result = el('div', { class: `check-result ${options.section}-result`, 'aria-live': 'polite', hidden: '' });
    const spacer = el('span', { class: 'field-spacer', 'aria-hidden': 'true' }, '\u00a0');
    this.body = el('div', {}, el('div', { class: 'controls' }, options.form.element, el('div', { class: 'field' }, spacer, this.button)), this.status.element, this.result);
    this.element = el(
      'section',
      { class: `issue6 ${options.section}`, 'aria-labelledby': `section-${options.section}` },
      el('h2', { id: `section-${options.section}` }, `${options.title} `, this.summary),
      this.reason,
      this.body,
    );
  }

  /** Whether the section's controls are there, or only the reason it does not apply. */
  get available(): boolean {
    return this.body.hidden === false;
  }

  setAvailability(availability: SectionAvailability): void {
    this.body.hidden = !availability.available;
    this.reason.hidden = availability.available;
    this.reason.textContent = availability.available ? '' : (availability.reason ?? 'Does not apply to this run.');
  }

  setSummary(text: string): void {
    this.summary.textContent = text;
  }

  /** The shown result no longer matches the example or settings. */
  markStale(message: string): void {
    if (this.result.hidden) return;
    this.result.classList.add('stale');
    this.result.dataset.stale = message;
  }

  showResult(...nodes: Element[]): void {
    this.status.stop();
    this.result.hidden = false;
    this.result.classList.remove('stale');
    delete this.result.dataset.stale;
    this.result.replaceChildren(...nodes);
  }
}
