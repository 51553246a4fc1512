/**
 * The "Unsupervised (NEON)" section: pick the model (k-means with k, or a KDE
 * with γ or the median heuristic), the space (input or the representation
 * layer) and the explanation (cluster membership, outlierness, inlierness with
 * H and draws); explain the shown test example; show its relevance over the
 * input, the explained value, the cluster, the conservation readout, the error
 * bars of inlierness and the fit summary.
 */
import { NEON_SPACES } from '../src/protocol/engineProtocol';
import { NEON_LIMITS, NEON_MODELS, type PanelInit, type PanelNeon, type PanelNeonSettings } from '../src/protocol/webviewProtocol';
import { extentOf } from './colorScale';
import { el } from './dom';
import { formatNumber } from './format';
import { colorLegend, imageFigure, mapFigure } from './mapFigure';
import { clusterShares, clusterText, conservationReadout, fitText, NEON_MODEL_LABELS, NEON_SPACE_LABELS, neonExplainOptions, neonSettingsText, neonValueText, restartRows } from './neonModel';
import { SectionShell } from './sectionShell';
import { SettingsForm, type FormField } from './settingsForm';
import { labelText } from './thumbnails';

const FIELDS: FormField<PanelNeonSettings>[] = [
  { kind: 'select', key: 'model', label: 'Model', options: () => NEON_MODELS.map((m) => ({ value: m, label: NEON_MODEL_LABELS[m] })) },
  { kind: 'number', key: 'k', label: 'k', title: 'Clusters', range: { ...NEON_LIMITS.k, integer: true }, shown: (s) => s.model === 'kmeans' },
  { kind: 'number', key: 'gamma', label: 'γ', title: 'KDE bandwidth γ; 0 picks it by the median heuristic', range: { ...NEON_LIMITS.gamma, integer: false }, shown: (s) => s.model === 'kde' },
  { kind: 'select', key: 'space', label: 'Space', options: () => NEON_SPACES.map((s) => ({ value: s, label: NEON_SPACE_LABELS[s] })) },
  { kind: 'select', key: 'explain', label: 'Explain', options: (s) => neonExplainOptions(s.model) },
  { kind: 'number', key: 'features', label: 'H', title: 'Random Fourier features per draw', range: { ...NEON_LIMITS.features, integer: true }, shown: (s) => s.explain === 'inlierness' },
  { kind: 'number', key: 'draws', label: 'Draws', title: 'Independent draws of the random features, behind the error bars', range: { ...NEON_LIMITS.draws, integer: true }, shown: (s) => s.explain === 'inlierness' },
];

export interface NeonCallbacks {
  run(): void;
  cancel(): void;
  changed(settings: PanelNeonSettings): void;
}

export class NeonView {
  readonly shell: SectionShell;
  readonly form: SettingsForm<PanelNeonSettings>;
  private classNames: readonly string[] | undefined;

  constructor(callbacks: NeonCallbacks) {
    this.form = new SettingsForm<PanelNeonSettings>('neon', 'NEON settings', FIELDS, (s) => {
      this.shell.setSummary(neonSettingsText(s));
      this.shell.markStale('Computed for other settings.');
      callbacks.changed(s);
    });
    this.shell = new SectionShell({
      section: 'neon',
      title: 'Unsupervised (NEON)',
      what: 'the NEON explanation',
      button: 'Explain',
      buttonTitle: 'Fit the model on the training set (cached) and explain the shown test example',
      form: this.form,
      run: () => callbacks.run(),
      cancel: () => callbacks.cancel(),
    });
  }

  get element(): HTMLElement {
    return this.shell.element;
  }

  showInit(init: PanelInit): void {
    this.classNames = init.classNames;
    this.form.show(init.neon);
    this.shell.setSummary(neonSettingsText(init.neon));
    this.shell.setAvailability(init.sections.neon);
  }

  show(r: PanelNeon): void {
    const label = labelText(r, this.classNames);
    const timing = r.cached ? 'cached' : `${formatNumber(r.seconds)} s`;
    const what = `test example #${r.testIndex}${label ? ` (label ${label})` : ''}`;
    const caption = el('p', { class: 'caption', 'data-testid': 'neon-caption' }, `${what[0]!.toUpperCase()}${what.slice(1)} · ${neonSettingsText(r.settings)}${r.checkpoint ? ` at ${r.checkpoint}` : ''} · ${timing}`);
    const maxAbs = extentOf(r.relevance.values).maxAbs;
    const figures = el(
      'div',
      { class: 'images' },
      ...(r.input.view === 'image' ? [imageFigure(r.input.values, r.input.width, r.input.height, 'Input', what, 168, 'neon-input')] : []),
      mapFigure(r.input, r.relevance.values, {
        caption: 'Relevance',
        description: `NEON relevance of ${what}: red raises the explained value, blue lowers it; from ${formatNumber(extentOf(r.relevance.values).min)} to ${formatNumber(extentOf(r.relevance.values).max)}.`,
        testId: 'neon-heatmap',
      }),
    );
    if (r.relevanceStd) {
      const stdMax = extentOf(r.relevanceStd).maxAbs;
      figures.append(mapFigure(r.input, r.relevanceStd, { caption: 'Std over the draws', description: `Standard deviation of each relevance over the draws, up to ${formatNumber(stdMax)}`, testId: 'neon-std', maxAbs: stdMax }));
    }
    const conservation = conservationReadout(r.conservation);
    const readouts = el(
      'div',
      { class: 'readouts' },
      el('p', { class: 'readout', 'data-testid': 'neon-value' }, neonValueText(r)),
      ...(r.cluster !== undefined && r.model.kind === 'kmeans' ? [el('p', { class: 'readout', 'data-testid': 'neon-cluster' }, `Assigned to ${clusterText(r.cluster, r.model, r.fitCount)}`)] : []),
      el('p', { class: `completeness${conservation.warn ? ' warn' : ''}`, 'data-testid': 'neon-conservation' }, `Conservation: ${conservation.text}`),
      ...(conservation.grounded ? [el('p', { class: 'muted' }, conservation.grounded)] : []),
      ...(r.relevanceStd ? [el('p', { class: 'muted' }, `Error bars: the std map shows how much each relevance varies over the ${r.ran.draws ?? '?'} draws of ${r.ran.features ?? '?'} random features; the value is their mean ± std.`)] : []),
    );
    this.shell.showResult(caption, figures, colorLegend(maxAbs, 'relevance; the std map uses its own scale (red only)'), readouts, this.fitSummary(r));
  }

  private fitSummary(r: PanelNeon): HTMLElement {
    const parts: HTMLElement[] = [el('p', { class: 'muted', 'data-testid': 'neon-fit' }, fitText(r))];
    if (r.model.kind === 'kmeans') {
      const restarts = restartRows(r.model);
      parts.push(
        el(
          'table',
          { class: 'values', 'data-testid': 'neon-restarts' },
          el('caption', {}, 'Objective Σ min ‖x − μ_c‖² per restart'),
          el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, 'Restart'), el('th', { scope: 'col' }, 'Objective'))),
          el('tbody', {}, ...restarts.map((row) => el('tr', row.kept ? { class: 'kept' } : {}, el('td', {}, `${row.restart}${row.kept ? ' (kept)' : ''}`), el('td', { class: 'number' }, row.objective)))),
        ),
      );
      const shares = clusterShares(r.model);
      parts.push(
        el(
          'table',
          { class: 'values', 'data-testid': 'neon-clusters' },
          el('caption', {}, 'Fitted points per cluster'),
          el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, 'Cluster'), el('th', { scope: 'col' }, 'Points'))),
          el(
            'tbody',
            {},
            ...shares.map((c) => {
              const bar = el('span', { class: 'weight-bar', 'aria-hidden': 'true' });
              bar.style.width = `${(c.share * 100).toFixed(1)}%`;
              const row = el('tr', {}, el('td', {}, `${c.cluster}${c.cluster === r.cluster ? ' (this example)' : ''}`), el('td', { class: 'weight-cell' }, el('span', { class: 'weight-track' }, bar), String(c.size)));
              if (c.cluster === r.cluster) row.classList.add('kept');
              return row;
            }),
          ),
        ),
      );
    }
    return el('details', { class: 'fit-summary' }, el('summary', {}, 'Fit summary'), ...parts);
  }
}
