/**
 * The "Invariances (supervised VAE)" section, for runs whose manifest says
 * vae.objective 'supervised': a gallery of invariant samples (z1 kept, z2
 * resampled), the invariance curve against σ with its z1 control,
 * counterfactuals toward each class, and the two divergence maps (z1 / z2).
 * Each is its own block with its pickers, button, progress and Cancel.
 */
import type { InvarianceKind } from '../src/protocol/engineProtocol';
import { INVARIANCE_LIMITS, type PanelInit, type PanelInvariance, type PanelInvarianceSettings } from '../src/protocol/webviewProtocol';
import { extentOf } from './colorScale';
import { completenessReadout, formatNumber } from './format';
import { curveChart } from './curveChart';
import { el } from './dom';
import { className, counterfactualText, percent } from './invarianceLayout';
import { colorLegend, imageFigure, mapFigure } from './mapFigure';
import { SettingsForm, type FormField } from './settingsForm';
import { TaskStatus } from './taskStatus';
import { createButton } from './toolkit';

export interface InvarianceCallbacks {
  run(kind: InvarianceKind): void;
  cancel(kind: InvarianceKind): void;
  changed(settings: PanelInvarianceSettings): void;
}

type Key = keyof PanelInvarianceSettings;

const real = (key: 'sigma' | 'stepSize' | 'maxStep'): FormField<PanelInvarianceSettings> => ({
  kind: 'number',
  key,
  label: key === 'sigma' ? 'σ' : key === 'stepSize' ? 'Step' : 'Max step',
  title: key === 'sigma' ? 'Standard deviation of the resampled z2 (also the invariant baselines of the divergence maps)' : key === 'stepSize' ? 'Step t along z1 toward a class mean' : 'The farthest t (1 = the class mean)',
  range: { ...INVARIANCE_LIMITS[key], integer: false, exclusiveMin: true },
});
const integer = (key: 'count' | 'curveExamples' | 'curveCount' | 'background' | 'samples', label: string, title: string): FormField<PanelInvarianceSettings> => ({
  kind: 'number',
  key,
  label,
  title,
  range: { ...INVARIANCE_LIMITS[key], integer: true },
});

const BLOCKS: { kind: InvarianceKind; title: string; hint: string; button: string; fields: FormField<PanelInvarianceSettings>[] }[] = [
  { kind: 'samples', title: 'Invariant samples', hint: 'z1 = μ1(x) kept, z2 ~ N(0, σ²), decoded; does the classifier still read the class?', button: 'Draw samples', fields: [real('sigma'), integer('count', 'Samples', 'Samples drawn')] },
  {
    kind: 'curve',
    title: 'Invariance curve',
    hint: 'share of samples keeping the predicted class against σ, over a seeded sample of test examples',
    button: 'Compute curve',
    fields: [integer('curveExamples', 'Test examples', 'A seeded sample of the test set'), integer('curveCount', 'Samples', 'Samples per example and σ')],
  },
  { kind: 'counterfactuals', title: 'Counterfactuals', hint: 'z1 moved toward each class mean, z2 kept, decoded', button: 'Counterfactuals', fields: [real('stepSize'), real('maxStep')] },
  {
    kind: 'divergence',
    title: 'Divergence maps',
    hint: 'GradientSHAP of KL(q(z_k|x) ‖ q(z_k|x′)) for the class units z1 and the nuisance units z2',
    button: 'Divergence maps',
    fields: [
      { kind: 'select', key: 'baseline', label: 'Baselines', options: () => [{ value: 'train', label: 'Training examples' }, { value: 'invariant', label: 'Invariant samples (σ above)' }] },
      integer('background', 'How many', 'Baselines per example'),
      integer('samples', 'GradientSHAP samples', 'Samples of the GradientSHAP estimate'),
    ],
  },
];

interface Block {
  form: SettingsForm<PanelInvarianceSettings>;
  status: TaskStatus;
  result: HTMLElement;
}

export class InvarianceView {
  readonly element: HTMLElement;
  private readonly reason = el('p', { class: 'muted section-reason', 'data-testid': 'invariance-unavailable', hidden: '' });
  private readonly body = el('div', {});
  private readonly blocks = new Map<InvarianceKind, Block>();
  private settings: PanelInvarianceSettings | undefined;

  constructor(private readonly callbacks: InvarianceCallbacks) {
    for (const spec of BLOCKS) {
      const keys = spec.fields.map((f) => f.key);
      const form = new SettingsForm<PanelInvarianceSettings>(`invariance-${spec.kind}`, `${spec.title} settings`, spec.fields, (s) => this.merge(s, keys));
      const button = createButton({ label: spec.button });
      button.dataset.testid = `run-invariance-${spec.kind}`;
      button.addEventListener('click', () => callbacks.run(spec.kind));
      const status = new TaskStatus(spec.title.toLowerCase(), () => callbacks.cancel(spec.kind), `invariance-${spec.kind}-status`);
      const result = el('div', { class: `check-result invariance-${spec.kind}-result`, 'aria-live': 'polite', hidden: '' });
      this.blocks.set(spec.kind, { form, status, result });
      const spacer = el('span', { class: 'field-spacer', 'aria-hidden': 'true' }, '\u00a0');
      this.body.append(el('h3', {}, `${spec.title} `, el('span', { class: 'muted' }, spec.hint)), el('div', { class: 'controls' }, form.element, el('div', { class: 'field' }, spacer, button)), status.element, result);
    }
    this.element = el(
      'section',
      { class: 'issue6 invariance', 'aria-labelledby': 'section-invariance' },
      el('h2', { id: 'section-invariance' }, 'Invariances (supervised VAE) ', el('span', { class: 'muted' }, 'what the class units z1 keep and the nuisance units z2 may change')),
      this.reason,
      this.body,
    );
  }

  get current(): PanelInvarianceSettings {
    if (!this.settings) throw new Error('InvarianceView: showInit() has not been called');
    return this.settings;
  }

  showInit(init: PanelInit): void {
    this.settings = { ...init.invariance };
    for (const block of this.blocks.values()) block.form.show(this.settings);
    const a = init.sections.invariance;
    this.body.hidden = !a.available;
    this.reason.hidden = a.available;
    this.reason.textContent = a.available ? '' : (a.reason ?? 'Does not apply to this run.');
  }

  status(kind: InvarianceKind): TaskStatus {
    return this.blocks.get(kind)!.status;
  }

  /** The shown example changed: every result but the curve (over a fixed sample) was for another one. */
  markStale(kinds: readonly InvarianceKind[], message: string): void {
    for (const kind of kinds) {
      const result = this.blocks.get(kind)!.result;
      if (result.hidden) continue;
      result.classList.add('stale');
      result.dataset.stale = message;
    }
  }

  show(r: PanelInvariance): void {
    const block = this.blocks.get(r.kind)!;
    block.status.stop();
    block.result.hidden = false;
    block.result.classList.remove('stale');
    delete block.result.dataset.stale;
    const timing = r.cached ? 'cached' : `${formatNumber(r.seconds)} s`;
    const names = r.classNames;
    const head = r.kind === 'curve' ? `${r.examples} test examples × ${r.count} samples per σ at ${r.checkpoint}` : `Test example #${r.testIndex}, predicted ${className(r.predicted, names)}, at ${r.checkpoint}`;
    const caption = el('p', { class: 'caption' }, `${head} · z = ${r.classDims} class units + ${r.latentDim - r.classDims} nuisance units · ${timing}`);
    block.result.replaceChildren(caption, this.content(r));
  }

  private content(r: PanelInvariance): HTMLElement {
    const names = r.classNames;
    switch (r.kind) {
      case 'curve':
        return curveChart(r);
      case 'samples': {
        const { width, height } = r.input;
        const tile = (values: number[], predicted: number, title: string, matches: boolean): HTMLElement => {
          const verdict = matches ? 'keeps the class' : 'changes the class';
          const figure = imageFigure(values, width, height, `${title}: ${className(predicted, names)}${matches ? '' : ' ✗'}`, `${title}, read as ${className(predicted, names)}, ${verdict}`);
          figure.classList.add(matches ? 'match' : 'mismatch');
          return figure;
        };
        return el(
          'div',
          {},
          el('p', { class: 'readout', 'data-testid': 'invariance-match-rate' }, `${percent(r.matchRate)} of ${r.samples.length} samples at σ = ${r.sigma} keep the predicted class ${className(r.predicted, names)}.`),
          el(
            'div',
            { class: 'gallery', 'data-testid': 'invariance-gallery' },
            imageFigure(r.input.values, width, height, 'Input', `Test example ${r.testIndex}`),
            tile(r.reconstruction.values, r.reconstruction.predicted, 'Reconstruction', r.reconstruction.predicted === r.predicted),
            ...r.samples.map((s, k) => tile(s.values, s.predicted, `Sample ${k + 1}`, s.matches)),
          ),
        );
      }
      case 'counterfactuals': {
        const { width, height } = r.input;
        const tiles = r.counterfactuals.map((c) => {
          const text = counterfactualText(c, r.predicted, names);
          if (!c.decoded) return el('figure', { class: 'missing' }, el('div', { class: 'missing-tile', 'aria-hidden': 'true' }, '—'), el('figcaption', {}, text));
          const figure = imageFigure(c.decoded.values, width, height, text, `${text}; the decoded image is read as ${className(c.decoded.predicted, names)}`);
          if (!c.reached) figure.classList.add('mismatch');
          return figure;
        });
        return el(
          'div',
          {},
          el('p', { class: 'muted' }, `Steps of ${r.stepSize} up to t = ${r.maxStep}; t = 1 is the class mean.`),
          el('div', { class: 'gallery', 'data-testid': 'invariance-counterfactuals' }, imageFigure(r.input.values, width, height, 'Input', `Test example ${r.testIndex}`), ...tiles),
        );
      }
      case 'divergence': {
        const maxAbs = Math.max(...r.maps.map((m) => extentOf(m.map.values).maxAbs));
        const figures = r.maps.map((m) =>
          mapFigure(r.input, m.map.values, {
            caption: m.k === 1 ? 'z1 (class units)' : 'z2 (nuisance units)',
            description: `Divergence map for ${m.k === 1 ? 'the class units z1' : 'the nuisance units z2'} of test example ${r.testIndex}; Σ|map| = ${formatNumber(m.absoluteSum)}`,
            testId: `invariance-divergence-z${m.k}`,
            maxAbs,
          }),
        );
        const readouts = r.maps.map((m) =>
          el('p', { class: 'completeness' }, `z${m.k}: ${m.map.completeness ? completenessReadout(m.map.completeness).text : 'no completeness'} · Σ|map| ${formatNumber(m.absoluteSum)}`),
        );
        return el(
          'div',
          {},
          el('div', { class: 'images' }, ...(r.input.view === 'image' ? [imageFigure(r.input.values, r.input.width, r.input.height, 'Input', `Test example ${r.testIndex}`, 168)] : []), ...figures),
          colorLegend(maxAbs, `one scale for both maps; ${r.background} ${r.baseline === 'train' ? 'training examples' : 'invariant samples'} as baselines, ${r.samples} GradientSHAP samples`),
          ...readouts,
        );
      }
    }
  }

  private merge(from: PanelInvarianceSettings, keys: readonly Key[]): void {
    const next = { ...this.current } as Record<Key, unknown>;
    for (const key of keys) next[key] = from[key];
    this.settings = next as unknown as PanelInvarianceSettings;
    this.callbacks.changed(this.settings);
  }
}
