/**
 * A row of labelled pickers over one flat settings object: dropdowns and
 * number inputs, each shown only when it applies to the current settings.
 * Every change goes out through `onChange` with the whole settings. Used by
 * the NEON, semantic Shapley and invariance sections.
 */
import { el } from './dom';
import { clampField, type NumberRange } from './fieldModel';
import { createDropdown, type Dropdown } from './toolkit';

export interface SelectField<S> {
  kind: 'select';
  key: keyof S & string;
  label: string;
  title?: string;
  options(settings: S): { value: string; label: string }[];
  shown?(settings: S): boolean;
}

export interface NumberField<S> {
  kind: 'number';
  key: keyof S & string;
  label: string;
  title?: string;
  range: NumberRange;
  shown?(settings: S): boolean;
}

export type FormField<S> = SelectField<S> | NumberField<S>;

interface Control {
  wrapper: HTMLElement;
  dropdown?: Dropdown;
  input?: HTMLInputElement;
  /** The options last set, so they are only replaced when they change. */
  options?: string;
}

export class SettingsForm<S extends object> {
  readonly element: HTMLElement;
  private settings: S | undefined;
  private readonly controls = new Map<FormField<S>, Control>();

  constructor(
    prefix: string,
    ariaLabel: string,
    private readonly fields: readonly FormField<S>[],
    private readonly onChange: (settings: S) => void,
  ) {
    this.element = el('div', { class: 'controls settings', role: 'group', 'aria-label': ariaLabel });
    for (const field of fields) {
      const id = `${prefix}-${field.key.toLowerCase()}`;
      let control: Control;
      if (field.kind === 'select') {
        const dropdown = createDropdown(id, field.label);
        dropdown.onChange((value) => this.update({ [field.key]: value } as Partial<S>));
        control = { wrapper: el('div', { class: 'field' }, el('label', { for: id }, field.label), dropdown.element), dropdown };
      } else {
        const { min, max, integer } = field.range;
        const input = el('input', { id, type: 'number', min: String(min), max: String(max), step: integer ? '1' : 'any', inputmode: integer ? 'numeric' : 'decimal' });
        const commit = (): void => {
          const previous = this.current[field.key] as unknown as number;
          this.update({ [field.key]: clampField(input.value, field.range, previous) } as Partial<S>);
          input.value = String(this.current[field.key]);
        };
        input.addEventListener('change', commit);
        input.addEventListener('keydown', (event) => {
          if (event.key === 'Enter') commit();
        });
        control = { wrapper: el('div', { class: 'field' }, el('label', { for: id }, field.label), input), input };
      }
      if (field.title) control.wrapper.title = field.title;
      this.controls.set(field, control);
      this.element.append(control.wrapper);
    }
  }

  get current(): S {
    if (!this.settings) throw new Error('SettingsForm: show() has not been called');
    return this.settings;
  }

  show(settings: S): void {
    this.settings = { ...settings };
    this.refresh(true);
  }

  /** Appends an element (a button) to the row, after the fields. */
  append(...nodes: HTMLElement[]): void {
    this.element.append(...nodes);
  }

  private update(patch: Partial<S>): void {
    const next = { ...this.current, ...patch };
    const changed = JSON.stringify(next) !== JSON.stringify(this.current);
    this.settings = next;
    this.refresh(false);
    if (changed) this.onChange(this.current);
  }

  private refresh(force: boolean): void {
    const s = this.current;
    for (const field of this.fields) {
      const control = this.controls.get(field)!;
      control.wrapper.hidden = field.shown ? !field.shown(s) : false;
      if (field.kind === 'select') {
        const options = field.options(s);
        const signature = JSON.stringify(options);
        const value = String(s[field.key]);
        if (!options.some((o) => o.value === value) && options[0]) {
          // The value no longer applies (k-means has no outlierness): the first option that does.
          (s as Record<string, unknown>)[field.key] = options[0].value;
        }
        if (force || signature !== control.options) {
          control.options = signature;
          control.dropdown!.setOptions(options, String(s[field.key]));
        }
      } else {
        control.input!.value = String(s[field.key]);
      }
    }
  }
}
