/**
 * The training-examples pickers: method, its settings and top-k. Only the
 * controls that change the result for the chosen method are shown. Every
 * change goes out through `onChange` with the whole settings.
 */
import { EXAMPLE_METHOD_NAMES, TRACIN_MODES } from '../src/protocol/engineProtocol';
import { EXAMPLE_LIMITS, INFLUENCE_INVERSES, type PanelExampleSettings } from '../src/protocol/webviewProtocol';
import { el } from './dom';
import { clampSetting, EXAMPLE_METHOD_LABELS, exampleControls, INVERSE_LABELS, isRealSetting, TRACIN_MODE_LABELS, type ExampleControl, type NumericSetting } from './exampleModel';
import { createDropdown, type Dropdown } from './toolkit';

const NUMBER_FIELDS: { key: NumericSetting; label: string; title: string }[] = [
  { key: 'depth', label: 'Depth', title: 'LiSSA recursion depth' },
  { key: 'scale', label: 'Scale', title: 'LiSSA scale: must exceed the largest Hessian eigenvalue, or the recursion diverges; 0 lets the engine estimate it' },
  { key: 'damping', label: 'Damping', title: 'LiSSA damping, in [0, 1)' },
  { key: 'samples', label: 'Samples', title: 'LiSSA: training examples per Hessian-vector product in each recursion step' },
  { key: 'epochs', label: 'Epochs', title: 'SimplEx: Adam epochs fitting the weights' },
  { key: 'learningRate', label: 'Learning rate', title: 'SimplEx: Adam learning rate' },
  { key: 'nearest', label: 'Nearest K', title: 'SimplEx: the latent neighbours the test example is decomposed over' },
  { key: 'topK', label: 'Top k', title: 'How many examples each list shows' },
];

export class ExampleSettingsBar {
  readonly element = el('div', { class: 'controls settings', role: 'group', 'aria-label': 'Training-example method settings' });
  private settings: PanelExampleSettings | undefined;
  private readonly method: Dropdown = createDropdown('example-method', 'Example-importance method');
  private readonly tracinMode: Dropdown = createDropdown('tracin-mode', 'TracIn mode');
  private readonly inverse: Dropdown = createDropdown('influence-inverse', 'Inverse Hessian estimate');
  private readonly inputs = new Map<NumericSetting, HTMLInputElement>();
  private readonly fields = new Map<ExampleControl, HTMLElement>();

  constructor(private readonly onChange: (settings: PanelExampleSettings) => void) {
    const field = (control: ExampleControl | undefined, id: string, label: string, input: HTMLElement, title?: string): HTMLElement => {
      const wrapper = el('div', { class: 'field' }, el('label', { for: id }, label), input);
      if (title) wrapper.title = title;
      if (control) this.fields.set(control, wrapper);
      return wrapper;
    };
    this.element.append(
      field(undefined, 'example-method', 'Method', this.method.element),
      field('tracinMode', 'tracin-mode', 'Mode', this.tracinMode.element),
      field('inverse', 'influence-inverse', 'Inverse', this.inverse.element),
    );
    for (const { key, label, title } of NUMBER_FIELDS) {
      const { min, max } = EXAMPLE_LIMITS[key];
      const id = `example-${key.toLowerCase()}`;
      const input = el('input', { id, type: 'number', min: String(min), max: String(max), step: isRealSetting(key) ? 'any' : '1', inputmode: isRealSetting(key) ? 'decimal' : 'numeric' });
      this.inputs.set(key, input);
      this.element.append(field(key === 'topK' ? undefined : key, id, label, input, title));
      const commit = (): void => this.update({ [key]: clampSetting(key, input.value, this.current[key]) });
      input.addEventListener('change', commit);
      input.addEventListener('keydown', (event) => {
        if (event.key === 'Enter') commit();
      });
    }
    this.method.onChange((value) => this.update({ method: value as PanelExampleSettings['method'] }));
    this.tracinMode.onChange((value) => this.update({ tracinMode: value as PanelExampleSettings['tracinMode'] }));
    this.inverse.onChange((value) => this.update({ inverse: value as PanelExampleSettings['inverse'] }));
  }

  get current(): PanelExampleSettings {
    if (!this.settings) throw new Error('ExampleSettingsBar: show() has not been called');
    return this.settings;
  }

  show(settings: PanelExampleSettings): void {
    this.settings = settings;
    this.method.setOptions(
      EXAMPLE_METHOD_NAMES.map((m) => ({ value: m, label: EXAMPLE_METHOD_LABELS[m] })),
      settings.method,
    );
    this.tracinMode.setOptions(
      TRACIN_MODES.map((m) => ({ value: m, label: TRACIN_MODE_LABELS[m] })),
      settings.tracinMode,
    );
    this.inverse.setOptions(
      INFLUENCE_INVERSES.map((m) => ({ value: m, label: INVERSE_LABELS[m] })),
      settings.inverse,
    );
    this.refresh();
  }

  private update(patch: Partial<PanelExampleSettings>): void {
    const next = { ...this.current, ...patch };
    const changed = JSON.stringify(next) !== JSON.stringify(this.current);
    this.settings = next;
    this.refresh();
    if (changed) this.onChange(next);
  }

  private refresh(): void {
    const s = this.current;
    const shown = exampleControls(s);
    for (const [control, wrapper] of this.fields) wrapper.hidden = !shown.has(control);
    for (const [key, input] of this.inputs) input.value = String(s[key]);
  }
}
