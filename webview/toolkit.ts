/**
 * The only module that touches @vscode/webview-ui-toolkit (deprecated
 * upstream): it registers the few components the panel uses and hands out
 * elements through small factories, so swapping the toolkit means editing
 * this file alone.
 */
import { provideVSCodeDesignSystem, vsCodeButton, vsCodeDropdown, vsCodeOption, vsCodeProgressRing } from '@vscode/webview-ui-toolkit';

let registered = false;

export function registerToolkit(): void {
  if (registered) return;
  registered = true;
  provideVSCodeDesignSystem().register(vsCodeButton(), vsCodeDropdown(), vsCodeOption(), vsCodeProgressRing());
}

export interface ButtonOptions {
  label: string;
  ariaLabel?: string;
  title?: string;
  secondary?: boolean;
}

export function createButton(options: ButtonOptions): HTMLElement & { disabled: boolean } {
  const button = document.createElement('vscode-button') as HTMLElement & { disabled: boolean };
  button.textContent = options.label;
  if (options.ariaLabel) button.setAttribute('aria-label', options.ariaLabel);
  if (options.title) button.title = options.title;
  if (options.secondary) button.setAttribute('appearance', 'secondary');
  return button;
}

export interface Dropdown {
  element: HTMLElement;
  setOptions(options: { value: string; label: string }[], selected: string): void;
  get value(): string;
  set disabled(value: boolean);
  onChange(listener: (value: string) => void): void;
}

export function createDropdown(id: string, ariaLabel: string): Dropdown {
  const element = document.createElement('vscode-dropdown') as HTMLElement & { value: string; disabled: boolean };
  element.id = id;
  element.setAttribute('aria-label', ariaLabel);
  return {
    element,
    setOptions(options, selected) {
      element.replaceChildren(
        ...options.map((o) => {
          const option = document.createElement('vscode-option') as HTMLElement & { value: string; selected: boolean };
          option.setAttribute('value', o.value);
          option.textContent = o.label;
          option.title = o.value;
          if (o.value === selected) option.setAttribute('selected', '');
          return option;
        }),
      );
      // The element adopts new options asynchronously; set the value after it has.
      queueMicrotask(() => {
        element.value = selected;
      });
    },
    get value() {
      return element.value;
    },
    set disabled(value: boolean) {
      element.disabled = value;
    },
    onChange(listener) {
      element.addEventListener('change', () => listener(element.value));
    },
  };
}

export function createProgressRing(label: string): HTMLElement {
  const ring = document.createElement('vscode-progress-ring');
  ring.setAttribute('aria-label', label);
  return ring;
}
