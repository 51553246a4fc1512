/**
 * The "Semantic Shapley values" section: the representation (Fourier radius
 * bins, or the run's VAE latent units when its manifest declares a decoder),
 * the scope (the shown example, or also the mean over N examples) and the
 * background size; the values per feature as bars with ± standard-error
 * whiskers, the efficiency check, and the numbers as a table.
 */
import { SEMANTIC_LIMITS, type PanelInit, type PanelSemantic, type PanelSemanticSettings } from '../src/protocol/webviewProtocol';
import { el } from './dom';
import { efficiencyText } from './errorBarLayout';
import { formatNumber } from './format';
import { SectionShell } from './sectionShell';
import { errorBarChart, valuesTable, type ValueSeries } from './semanticChart';
import { SettingsForm, type FormField } from './settingsForm';
import { classLabel } from './settingsModel';
import { labelText } from './thumbnails';

export interface SemanticCallbacks {
  run(): void;
  cancel(): void;
  changed(settings: PanelSemanticSettings): void;
}

export function semanticSettingsText(s: PanelSemanticSettings): string {
  const representation = s.representation === 'fourier' ? `Fourier, ${s.bins} bin${s.bins === 1 ? '' : 's'}` : 'VAE latent units';
  return `${representation} · ${s.scope === 'global' ? `global over ${s.examples} examples` : 'local'} · ${s.background} background`;
}

export class SemanticView {
  readonly shell: SectionShell;
  readonly form: SettingsForm<PanelSemanticSettings>;
  private vaeAvailable = false;
  private classNames: readonly string[] | undefined;

  constructor(callbacks: SemanticCallbacks) {
    const fields: FormField<PanelSemanticSettings>[] = [
      {
        kind: 'select',
        key: 'representation',
        label: 'Representation',
        title: 'Fourier radius bins of the image, or the latent units of the VAE this run declares',
        options: () => [{ value: 'fourier', label: 'Fourier radius bins' }, ...(this.vaeAvailable ? [{ value: 'vae', label: 'VAE latent units' }] : [])],
      },
      { kind: 'number', key: 'bins', label: 'Bins', title: 'Equal-width radius bins of the 2-D DFT', range: { ...SEMANTIC_LIMITS.bins, integer: true }, shown: (s) => s.representation === 'fourier' },
      { kind: 'select', key: 'scope', label: 'Scope', options: () => [{ value: 'local', label: 'Local (this example)' }, { value: 'global', label: 'Global (N examples)' }] },
      { kind: 'number', key: 'examples', label: 'N', title: 'Test examples from the shown one on', range: { ...SEMANTIC_LIMITS.examples, integer: true }, shown: (s) => s.scope === 'global' },
      { kind: 'number', key: 'background', label: 'Background', title: 'Training examples marginalised over (a seeded sample)', range: { ...SEMANTIC_LIMITS.background, integer: true } },
    ];
    this.form = new SettingsForm<PanelSemanticSettings>('semantic', 'Semantic Shapley settings', fields, (s) => {
      this.shell.setSummary(semanticSettingsText(s));
      this.shell.markStale('Computed for other settings.');
      callbacks.changed(s);
    });
    this.shell = new SectionShell({
      section: 'semantic',
      title: 'Semantic Shapley values',
      what: 'the semantic Shapley values',
      button: 'Compute',
      buttonTitle: 'Shapley values of the predicted class probability over the chosen features',
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
    this.vaeAvailable = init.sections.semanticVae.available;
    this.form.show(init.semantic);
    this.shell.setSummary(semanticSettingsText(init.semantic));
    this.shell.setAvailability(init.sections.semantic);
  }

  show(r: PanelSemantic): void {
    const e = r.example;
    const label = labelText(e, this.classNames);
    const className = e.className ?? classLabel(e.classIndex, this.classNames);
    const timing = r.cached ? 'cached' : `${formatNumber(r.seconds)} s`;
    const method = r.method === 'exact' ? 'exact' : `permutation sampling (${r.samples ?? '?'} permutations)`;
    const caption = el(
      'p',
      { class: 'caption', 'data-testid': 'semantic-caption' },
      `Test example #${r.testIndex}${label ? ` (label ${label})` : ''}: p(${className}) at ${r.checkpoint} · ${r.representationText} · ${method} · ${r.backgroundCount} background examples · ${r.evaluations} model evaluations · ${timing}`,
    );
    const summary = (values: readonly number[]): string => r.featureNames.map((n, i) => `${n} ${formatNumber(values[i] ?? NaN)}`).join('; ');
    const local = efficiencyText(e, formatNumber);
    const nodes: Element[] = [
      caption,
      el('h3', {}, 'This example ', el('span', { class: 'muted' }, 'φ per feature, ± standard error')),
      errorBarChart(e, r.featureNames, `Semantic Shapley values of test example ${r.testIndex} for ${className}: ${summary(e.values)}.`, 'semantic-chart'),
      el('p', { class: `completeness${local.warn ? ' warn' : ''}`, 'data-testid': 'semantic-efficiency', 'data-gap': String(e.efficiencyGap), 'data-expected': String(e.fullValue - e.emptyValue) }, `Efficiency: ${local.text}`),
    ];
    const columns: { title: string; series: ValueSeries }[] = [{ title: 'φ (this example)', series: e }];
    if (r.global) {
      const g = r.global;
      const global = efficiencyText(g, formatNumber);
      nodes.push(
        el('h3', {}, `Mean over ${g.exampleIndices.length} examples `, el('span', { class: 'muted' }, 'each explains its own predicted class; ± standard error over the examples')),
        errorBarChart(g, r.featureNames, `Mean semantic Shapley values over ${g.exampleIndices.length} test examples: ${summary(g.values)}.`, 'semantic-global-chart'),
        el('p', { class: `completeness${global.warn ? ' warn' : ''}`, 'data-testid': 'semantic-global-efficiency' }, `Efficiency of the means: ${global.text}`),
      );
      columns.push({ title: 'mean φ', series: g }, { title: 'mean |φ|', series: { values: g.meanAbsolute, standardErrors: g.meanAbsoluteStandardErrors } });
    }
    nodes.push(el('details', {}, el('summary', {}, 'Values as a table'), valuesTable(r.featureNames, columns, 'Semantic Shapley values per feature with standard errors', 'semantic-table')));
    this.shell.showResult(...nodes);
  }
}
