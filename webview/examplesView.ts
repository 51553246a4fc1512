/**
 * The "Training examples" section: the method pickers, the gradient-index
 * build, and the result for the shown test example: proponents and opponents
 * (gradient methods) or most and least similar examples (representation
 * methods), SimplEx's corpus decomposition, with each example's score, label
 * and row in the dataset file.
 */
import type { PanelExampleImportance, PanelExampleSettings, PanelIndexBuilt, PanelInit } from '../src/protocol/webviewProtocol';
import { el } from './dom';
import { exampleMethodText, listHeadings, percentText, rowText, scoreName, signConvention, simplexText, specOf, weightShares } from './exampleModel';
import { ExampleSettingsBar } from './exampleSettingsBar';
import { formatNumber } from './format';
import { TaskStatus } from './taskStatus';
import { labelText, renderThumbnails } from './thumbnails';
import { createButton } from './toolkit';

export interface ExamplesCallbacks {
  settingsChanged(settings: PanelExampleSettings): void;
  cancel(): void;
  buildIndex(): void;
  cancelIndex(): void;
  reveal(trainIndex: number): void;
}

export class ExamplesView {
  readonly element: HTMLElement;
  readonly settings: ExampleSettingsBar;
  readonly status: TaskStatus;
  readonly indexStatus: TaskStatus;
  private classNames: readonly string[] | undefined;
  private readonly summary = el('span', { class: 'muted' });
  private readonly indexButton = createButton({ label: 'Build gradient index', title: 'Sketches every training example\u2019s gradient at every checkpoint once, so TracIn (sketch) answers fast. Resumes where it stopped.' });
  private readonly indexInfo = el('span', { class: 'muted', 'data-testid': 'index-info' });
  private readonly result = el('div', { class: 'examples-result', hidden: '' });
  private readonly caption = el('p', { class: 'caption', 'data-testid': 'examples-caption' });
  private readonly convention = el('p', { class: 'note sign-convention', 'data-testid': 'sign-convention', hidden: '' });
  private readonly firstTitle = el('h3', {});
  private readonly secondTitle = el('h3', {});
  private readonly first = el('ol', { class: 'thumbs', id: 'proponents' });
  private readonly second = el('ol', { class: 'thumbs', id: 'opponents' });
  private readonly simplex = el('div', { class: 'simplex', 'data-testid': 'simplex', hidden: '' });
  private readonly notes = el('ul', { class: 'notes', hidden: '' });

  constructor(private readonly callbacks: ExamplesCallbacks) {
    this.settings = new ExampleSettingsBar((s) => callbacks.settingsChanged(s));
    this.status = new TaskStatus('the training examples', () => callbacks.cancel(), 'examples-status');
    this.indexStatus = new TaskStatus('the gradient index build', () => callbacks.cancelIndex(), 'index-status');
    this.indexButton.dataset.testid = 'build-index';
    this.indexButton.addEventListener('click', () => callbacks.buildIndex());
    this.result.append(this.caption, this.convention, this.firstTitle, this.first, this.secondTitle, this.second, this.simplex, this.notes);
    this.element = el(
      'section',
      { class: 'examples', 'aria-label': 'Training examples' },
      el('h2', {}, 'Training examples ', this.summary),
      this.settings.element,
      el('div', { class: 'controls index-row' }, this.indexButton, this.indexInfo),
      this.indexStatus.element,
      this.status.element,
      this.result,
    );
  }

  showInit(init: PanelInit): void {
    this.classNames = init.classNames;
    this.settings.show(init.examples.settings);
    this.settingsChanged(init.examples.settings);
  }

  settingsChanged(settings: PanelExampleSettings): void {
    this.summary.textContent = exampleMethodText(specOf(settings));
  }

  /** The page moved to another example or checkpoint: the shown lists no longer apply. */
  markStale(): void {
    this.result.classList.add('stale');
    this.result.dataset.stale = 'Computed for another example, checkpoint or settings.';
  }

  showIndex(built: PanelIndexBuilt): void {
    const parts = [`Gradient index ready: ${built.trainCount} training examples × ${built.checkpoints} checkpoint${built.checkpoints === 1 ? '' : 's'}, ${built.sketchDim} dimensions`];
    parts.push(built.built > 0 ? `${built.built} built, ${built.reused} reused, ${formatNumber(built.seconds)} s` : 'already complete');
    this.indexInfo.textContent = parts.join(' · ');
  }

  show(result: PanelExampleImportance): void {
    this.result.hidden = false;
    this.result.classList.remove('stale');
    delete this.result.dataset.stale;
    const label = labelText(result, this.classNames);
    const timing = result.cached ? 'cached' : `${formatNumber(result.seconds)} s`;
    const index = result.index ? ` · gradient index ${result.index.sketchDim} dims${result.index.built > 0 ? `, built ${result.index.built} checkpoint${result.index.built === 1 ? '' : 's'} now` : ''}` : '';
    this.caption.textContent = `For test example #${result.testIndex}${label ? ` (label ${label})` : ''} at ${result.checkpoint} · ${exampleMethodText(result.settings)}${result.labelFree ? ' · label-free' : ''} · rows of ${result.trainFile} · ${timing}${index}`;
    this.summary.textContent = exampleMethodText(result.settings);
    if (result.index) this.indexInfo.textContent = `Gradient index: ${result.index.sketchDim} dimensions${result.index.built > 0 ? `, ${result.index.built} checkpoint${result.index.built === 1 ? '' : 's'} built now` : ', reused'}`;

    const convention = signConvention(result);
    this.convention.hidden = convention === undefined;
    this.convention.textContent = convention ?? '';

    const [a, b] = listHeadings(result);
    const size = { height: result.height, width: result.width };
    const context = { scoreName: scoreName(result.method), trainFile: result.trainFile, classNames: this.classNames, asPercent: result.method === 'simplex' };
    const reveal = (i: number): void => this.callbacks.reveal(i);
    this.firstTitle.replaceChildren(a.title, ' ', el('span', { class: 'muted' }, a.hint));
    this.secondTitle.replaceChildren(b.title, ' ', el('span', { class: 'muted' }, b.hint));
    this.first.setAttribute('aria-label', a.title);
    this.second.setAttribute('aria-label', b.title);
    renderThumbnails(this.first, a.kind, result.proponents, size, { ...context, itemName: a.title.replace(/s$/, '') }, reveal);
    const others = result.family === 'representation' ? result.leastSimilar : result.opponents;
    renderThumbnails(this.second, b.kind, others, size, { ...context, asPercent: false, scoreName: result.method === 'simplex' ? 'SimplEx weight' : context.scoreName, itemName: b.kind === 'dissimilar' ? 'Least similar' : 'Opponent' }, reveal);
    this.showSimplex(result);
    this.notes.replaceChildren(...result.notes.map((note) => el('li', {}, note)));
    this.notes.hidden = result.notes.length === 0;
  }

  /** SimplEx: the weights of the corpus decomposition as a table with bars, and the reconstruction error. */
  private showSimplex(result: PanelExampleImportance): void {
    this.simplex.hidden = result.simplex === undefined;
    if (!result.simplex) {
      this.simplex.replaceChildren();
      return;
    }
    const shares = weightShares(result.proponents.map((e) => e.score));
    const shown = shares.reduce((a, b) => a + b, 0);
    const rows = result.proponents.map((e, i) => {
      const bar = el('span', { class: 'weight-bar', 'aria-hidden': 'true' });
      bar.style.width = `${(shares[i]! * 100).toFixed(1)}%`;
      const row = el(
        'tr',
        { tabindex: '0', class: 'reveal-row', 'aria-label': `Training example #${e.index}, weight ${percentText(shares[i]!)}, ${rowText(e, result.trainFile)}. Press Enter to reveal it.` },
        el('td', {}, `#${e.index}`),
        el('td', {}, labelText(e, this.classNames) ?? '—'),
        el('td', { class: 'weight-cell' }, el('span', { class: 'weight-track' }, bar), percentText(shares[i]!)),
        el('td', {}, String(e.row)),
      );
      row.addEventListener('click', () => this.callbacks.reveal(e.index));
      row.addEventListener('keydown', (event) => {
        if (event.key === 'Enter' || event.key === ' ') {
          event.preventDefault();
          this.callbacks.reveal(e.index);
        }
      });
      return row;
    });
    this.simplex.replaceChildren(
      el('h3', {}, 'Corpus decomposition ', el('span', { class: 'muted' }, `f(x) ≈ Σ λⁿ f(xⁿ); the ${rows.length} largest weights hold ${percentText(shown)} of the total`)),
      el(
        'table',
        { class: 'values' },
        el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, 'Example'), el('th', { scope: 'col' }, 'Label'), el('th', { scope: 'col' }, 'Weight λ'), el('th', { scope: 'col' }, 'Row'))),
        el('tbody', {}, ...rows),
      ),
      el('p', { class: 'readout', 'data-testid': 'simplex-error' }, simplexText(result.simplex)),
    );
  }
}
