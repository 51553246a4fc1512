/**
 * "Select Backend": the choices, the machine-scoped setting they are stored
 * in, and what the engine is initialised with. Free of `vscode`.
 */
import type { BackendName } from '../../protocol/engineProtocol';

export const BACKEND_SETTING = 'modelDebugger.engine.backend';
export const HEAP_SETTING = 'modelDebugger.engine.maxHeapMb';

export type BackendChoice = BackendName | 'auto';

export const BACKEND_CHOICES: ReadonlyArray<{ value: BackendChoice; label: string; detail: string }> = [
  { value: 'auto', label: 'auto', detail: 'The fastest that loads: tensorflow (tfjs-node), then wasm, then cpu' },
  { value: 'tensorflow', label: 'tensorflow', detail: 'Native TensorFlow through @tensorflow/tfjs-node, when it is installed' },
  { value: 'wasm', label: 'wasm', detail: 'WebAssembly; needs no native code' },
  { value: 'cpu', label: 'cpu', detail: 'Plain JavaScript; slowest, always there' },
];

export function parseBackendChoice(value: unknown): BackendChoice {
  return value === 'tensorflow' || value === 'wasm' || value === 'cpu' ? value : 'auto';
}

/** InitializeRequest's parameters for a choice: `auto` lets the engine pick. */
export function initializeParamsFor(choice: BackendChoice): { preferredBackend?: BackendName } {
  return choice === 'auto' ? {} : { preferredBackend: choice };
}

/** The quick pick's items, the current choice marked and first. */
export function backendPickItems(current: BackendChoice, running: BackendName | undefined): Array<{ value: BackendChoice; label: string; description?: string; detail: string }> {
  return BACKEND_CHOICES.map((choice) => {
    const notes = [choice.value === current ? 'selected' : '', choice.value === running ? 'running now' : ''].filter(Boolean);
    return { ...choice, ...(notes.length ? { description: notes.join(', ') } : {}) };
  }).sort((a, b) => Number(b.value === current) - Number(a.value === current));
}
