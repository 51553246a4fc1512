/**
 * The attribution pickers: method, its settings, target and baseline. Only
 * the controls that change the result for the chosen method and target are
 * shown. Every change goes out through `onChange` with the whole settings.
 */
import {
  baselineChoices,
  effectiveBaseline,
  IG_RULES,
  LRP_RULES,
  PANEL_LIMITS,
  PANEL_METHODS,
  SMOOTHABLE_METHODS,
  SMOOTH_MODES,
  type PanelAttributionSettings,
  type PanelInit,
} from '../src/protocol/webviewProtocol';
import { el } from './dom';
import {
  applyChange,
  BASELINE_LABELS,
  clampInteger,
  clampSamples,
  clampSteps,
  classLabel,
  LRP_RULE_LABELS,
  METHOD_LABELS,
  RULE_LABELS,
  sampledMethod,
  SMOOTH_MODE_LABELS,
  TARGET_LABELS,
  targetChoices,
  visibleControls,
  type Control,
} from './settingsModel';
import { createDropdown, type Dropdown } from './toolkit';

type Run = Pick<PanelInit, 'view' | 'hasClassOutput' | 'classNames' | 'latentUnits'>;

const ARGMAX = 'argmax';

function numberInput(id: string, min: number, max: number): HTMLInputElement {
  return el('input', { id, type: 'number', min: String(min), max: String(max), step: '1', inputmode: 'numeric' });
}

export class SettingsBar {
  readonly element = el('div', { class: 'controls settings', role: 'group', 'aria-label': 'Attribution settings' });
  private settings: PanelAttributionSettings | undefined;
  private run: Run | undefined;
  private readonly method: Dropdown = createDropdown('method', 'Attribution method');
  private readonly smoothBase: Dropdown = createDropdown('smooth-base', 'Method SmoothGrad averages');
  private readonly smoothMode: Dropdown = createDropdown('smooth-mode', 'SmoothGrad variant');
  private readonly rule: Dropdown = createDropdown('ig-rule', 'Integration rule');
  private readonly lrpRule: Dropdown = createDropdown('lrp-rule', 'LRP rule');
  private readonly target: Dropdown = createDropdown('target', 'What to explain');
  private readonly classIndex: Dropdown = createDropdown('class-index', 'Class to explain');
  private readonly baseline: Dropdown = createDropdown('baseline', 'Baseline');
  private readonly steps = numberInput('steps', PANEL_LIMITS.steps.min, PANEL_LIMITS.steps.max);
  private readonly samples = numberInput('samples', PANEL_LIMITS.samples.min, PANEL_LIMITS.samples.max);
  private readonly unit = numberInput('unit', 0, 1 << 20);
  private readonly absolute = el('input', { id: 'absolute', type: 'checkbox' });
  private readonly fields = new Map<Control, HTMLElement>();
  /** The baseline choices on show, so they are rebuilt only when they change (rebuilding resets the dropdown). */
  private baselineKey = '';

  constructor(private readonly onChange: (settings: PanelAttributionSettings) => void) {
    const field = (control: Control | undefined, id: string, label: string, input: HTMLElement): HTMLElement => {
      const wrapper = el('div', { class: 'field' }, el('label', { for: id }, label), input);
      if (control) this.fields.set(control, wrapper);
      return wrapper;
    };
    const absoluteField = el('div', { class: 'field checkbox-field' }, el('span', { class: 'field-spacer', 'aria-hidden': 'true' }, '\u00a0'), el('label', {}, this.absolute, ' |gradient|'));
    this.fields.set('absolute', absoluteField);
    this.element.append(
      field(undefined, 'method', 'Method', this.method.element),
      field('smoothBase', 'smooth-base', 'Averaged method', this.smoothBase.element),
      field('smoothMode', 'smooth-mode', 'Variant', this.smoothMode.element),
      absoluteField,
      field('steps', 'steps', 'Steps', this.steps),
      field('rule', 'ig-rule', 'Rule', this.rule.element),
      field('lrpRule', 'lrp-rule', 'LRP rule', this.lrpRule.element),
      field('samples', 'samples', 'Samples', this.samples),
      field(undefined, 'target', 'Target', this.target.element),
      field('classIndex', 'class-index', 'Class', this.classIndex.element),
      field('unit', 'unit', 'Unit', this.unit),
      field('baseline', 'baseline', 'Baseline', this.baseline.element),
    );
    this.method.onChange((value) => this.update({ method: value as PanelAttributionSettings['method'] }));
    this.smoothBase.onChange((value) => this.update({ smoothBase: value as PanelAttributionSettings['smoothBase'] }));
    this.smoothMode.onChange((value) => this.update({ smoothMode: value as PanelAttributionSettings['smoothMode'] }));
    this.rule.onChange((value) => this.update({ rule: value as PanelAttributionSettings['rule'] }));
    this.lrpRule.onChange((value) => this.update({ lrpRule: value as PanelAttributionSettings['lrpRule'] }));
    this.target.onChange((value) => this.update({ target: value as PanelAttributionSettings['target'] }));
    this.classIndex.onChange((value) => this.update({ classIndex: value === ARGMAX ? null : Number(value) }));
    this.baseline.onChange((value) => this.update({ baseline: value as PanelAttributionSettings['baseline'] }));
    this.absolute.addEventListener('change', () => this.update({ absolute: this.absolute.checked }));
    this.onCommit(this.steps, () => this.update({ steps: clampSteps(this.steps.value, this.current.steps) }));
    this.onCommit(this.samples, () => {
      const method = sampledMethod(this.current);
      if (method) this.update({ samples: { ...this.current.samples, [method]: clampSamples(this.samples.value, this.current.samples[method]) } });
    });
    this.onCommit(this.unit, () => this.update({ unit: clampInteger(this.unit.value, 0, this.maxUnit(), this.current.unit) }));
  }

  get current(): PanelAttributionSettings {
    if (!this.settings) throw new Error('SettingsBar: show() has not been called');
    return this.settings;
  }

  show(run: Run, settings: PanelAttributionSettings): void {
    this.run = run;
    this.settings = settings;
    this.method.setOptions(
      PANEL_METHODS.map((m) => ({ value: m, label: METHOD_LABELS[m] })),
      settings.method,
    );
    this.smoothBase.setOptions(
      SMOOTHABLE_METHODS.map((m) => ({ value: m, label: METHOD_LABELS[m] })),
      settings.smoothBase,
    );
    this.smoothMode.setOptions(
      SMOOTH_MODES.map((m) => ({ value: m, label: SMOOTH_MODE_LABELS[m] })),
      settings.smoothMode,
    );
    this.rule.setOptions(
      IG_RULES.map((r) => ({ value: r, label: RULE_LABELS[r] })),
      settings.rule,
    );
    this.lrpRule.setOptions(
      LRP_RULES.map((r) => ({ value: r, label: LRP_RULE_LABELS[r] })),
      settings.lrpRule,
    );
    this.target.setOptions(
      targetChoices(run).map((t) => ({ value: t, label: TARGET_LABELS[t] })),
      settings.target,
    );
    const classCount = run.classNames?.length ?? 0;
    this.classIndex.setOptions(
      [{ value: ARGMAX, label: 'Predicted (argmax)' }, ...Array.from({ length: classCount }, (_, k) => ({ value: String(k), label: classLabel(k, run.classNames) }))],
      settings.classIndex === null || settings.classIndex >= classCount ? ARGMAX : String(settings.classIndex),
    );
    this.setUnits(run.latentUnits);
    this.refresh();
  }

  /** The representation's width, once known (from model.json or a per-unit result). */
  setUnits(units: number | undefined): void {
    if (this.run) this.run = { ...this.run, latentUnits: units ?? this.run.latentUnits };
    this.unit.max = String(this.maxUnit());
    this.unit.title = this.run?.latentUnits ? `0 to ${this.run.latentUnits - 1}` : 'unit index';
  }

  private maxUnit(): number {
    return this.run?.latentUnits ? this.run.latentUnits - 1 : 1 << 20;
  }

  private onCommit(input: HTMLInputElement, commit: () => void): void {
    input.addEventListener('change', commit);
    input.addEventListener('keydown', (event) => {
      if (event.key === 'Enter') commit();
    });
  }

  private update(patch: Partial<PanelAttributionSettings>): void {
    const next = applyChange(this.current, patch);
    if (JSON.stringify(next) === JSON.stringify(this.current)) {
      this.refresh();
      return;
    }
    this.settings = next;
    this.refresh();
    this.onChange(next);
  }

  /** Shows the controls that apply and puts the current values in the free-text inputs. */
  private refresh(): void {
    const s = this.current;
    const run = this.run!;
    const shown = visibleControls(s, run);
    for (const [control, wrapper] of this.fields) wrapper.hidden = !shown.has(control);
    if (run.classNames === undefined) this.fields.get('classIndex')!.hidden = true;
    this.steps.value = String(s.steps);
    this.unit.value = String(s.unit);
    this.absolute.checked = s.absolute;
    const sampled = sampledMethod(s);
    if (sampled) this.samples.value = String(s.samples[sampled]);
    const choices = baselineChoices(s, run.view);
    const selected = effectiveBaseline(s, run.view);
    const key = choices.join();
    if (selected !== undefined && (key !== this.baselineKey || this.baseline.value !== selected)) {
      this.baselineKey = key;
      this.baseline.setOptions(
        choices.map((b) => ({ value: b, label: BASELINE_LABELS[b] })),
        selected,
      );
    }
  }
}
