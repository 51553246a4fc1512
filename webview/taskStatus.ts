/** Progress (with the engine's ETA), cancellation and errors of one kind of request, shown next to what it computes. */
import type { Progress } from '../src/protocol/rpc';
import { etaText } from '../src/protocol/webviewProtocol';
import { el } from './dom';
import { createButton } from './toolkit';

export class TaskStatus {
  readonly element: HTMLElement;
  private readonly bar = el('progress', { max: '1' });
  private readonly text = el('span', { class: 'muted' });
  private readonly cancelButton = createButton({ label: 'Cancel', secondary: true });
  private readonly error = el('p', { class: 'task-error', role: 'alert', hidden: '' });

  constructor(what: string, onCancel: () => void, testId: string) {
    this.cancelButton.setAttribute('aria-label', `Cancel ${what}`);
    this.cancelButton.addEventListener('click', onCancel);
    this.bar.setAttribute('aria-label', `${what} progress`);
    const progressRow = el('div', { class: 'task-progress', role: 'status', 'aria-live': 'polite', hidden: '' }, this.bar, this.text, this.cancelButton);
    this.element = el('div', { class: 'task-status', 'data-testid': testId }, progressRow, this.error);
  }

  private get progressRow(): HTMLElement {
    return this.element.firstElementChild as HTMLElement;
  }

  start(message: string): void {
    this.error.hidden = true;
    this.progressRow.hidden = false;
    // No value: indeterminate until the engine reports a fraction.
    this.bar.removeAttribute('value');
    this.text.textContent = message;
  }

  progress(progress: Progress): void {
    if (this.progressRow.hidden) return;
    const eta = etaText(progress.etaSeconds);
    const suffix = eta ? ` · ${eta}` : '';
    if (progress.fraction !== undefined && Number.isFinite(progress.fraction)) {
      this.bar.value = Math.max(0, Math.min(1, progress.fraction));
      this.text.textContent = `${progress.message} · ${Math.round(this.bar.value * 100)}%${suffix}`;
    } else {
      this.text.textContent = `${progress.message}${suffix}`;
    }
  }

  stop(): void {
    this.progressRow.hidden = true;
  }

  fail(message: string | undefined): void {
    this.stop();
    this.error.hidden = message === undefined;
    this.error.textContent = message ?? '';
  }
}
