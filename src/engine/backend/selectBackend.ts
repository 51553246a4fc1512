/**
 * Picks the fastest TensorFlow.js backend that works in this process:
 * tfjs-node (native TensorFlow) if it loads, else wasm, else cpu. Never
 * throws: every backend that was passed over gets one line in `skipped`.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import type { BackendInfo, BackendName } from '../../protocol/engineProtocol';
import { probeInChild } from './probeInChild';
import { installWasmGradientBridge } from './wasmGradientBridge';

export const BACKEND_ENV_VAR = 'MODELDEBUG_BACKEND';
export const TFJS_NODE_MODULE = '@tensorflow/tfjs-node';
const WASM_MODULE = '@tensorflow/tfjs-backend-wasm';
const BACKEND_ORDER: readonly BackendName[] = ['tensorflow', 'wasm', 'cpu'];
const DEFAULT_PROBE_TIMEOUT_MS = 30_000;

/**
 * Loads the module named by argv[1] (a resolved path) and checks one matmul
 * on its backend. Exit code 0 means tfjs-node is safe to load in-process.
 */
export const TFJS_NODE_PROBE_SCRIPT = [
  'const tfn = require(process.argv[1]);',
  'const y = tfn.tidy(() => tfn.matMul(tfn.tensor2d([[1, 2], [3, 4]]), tfn.tensor2d([[1], [1]])).dataSync());',
  "if (tfn.getBackend() !== 'tensorflow') throw new Error('active backend is ' + tfn.getBackend() + ', not tensorflow');",
  "if (y[0] !== 3 || y[1] !== 7) throw new Error('matMul returned ' + Array.from(y).join(','));",
].join('\n');

export interface SelectBackendOptions {
  /** Best backend to try; worse ones stay as fallbacks. MODELDEBUG_BACKEND overrides it. */
  preferred?: BackendName;
  /** How long the throwaway tfjs-node probe may run before it is killed. */
  probeTimeoutMs?: number;
  log?: (line: string) => void;
  /** Module id or path loaded as tfjs-node; a test seam. */
  tfjsNodeModule?: string;
  /** Script the probe child runs instead of TFJS_NODE_PROBE_SCRIPT (gets the resolved module path as argv[1]); a test seam. */
  probeScript?: string;
}

// Computed at runtime so that bundlers leave these requires alone: tfjs must
// resolve from node_modules to share one tfjs-core instance with tfjs-node.
const runtimeRequire = createRequire(__filename);

type Attempt = { ok: true } | { ok: false; reason: string };

export async function selectBackend(options: SelectBackendOptions = {}): Promise<BackendInfo> {
  const log = options.log ?? (() => undefined);
  const skipped: string[] = [];
  const { start, why } = startingBackend(options.preferred, log);
  const startIndex = BACKEND_ORDER.indexOf(start);
  for (const name of BACKEND_ORDER.slice(0, startIndex)) skipped.push(`${name}: not tried because ${why}`);

  for (const name of BACKEND_ORDER.slice(startIndex)) {
    const attempt = await tryBackend(name, options).catch((error: unknown): Attempt => ({ ok: false, reason: describe(error) }));
    if (attempt.ok) {
      log(`backend: using ${name}`);
      return { name, skipped, tfjsVersion: tf.version_core };
    }
    skipped.push(`${name}: ${attempt.reason}`);
    log(`backend: ${name} unavailable: ${attempt.reason}`);
  }
  // Even cpu failed; report it rather than throw, the engine cannot do better.
  log('backend: no backend passed its check; staying on cpu');
  return { name: 'cpu', skipped, tfjsVersion: tf.version_core };
}

function startingBackend(preferred: BackendName | undefined, log: (line: string) => void): { start: BackendName; why: string } {
  const fromEnv = process.env[BACKEND_ENV_VAR];
  if (fromEnv !== undefined && fromEnv !== '') {
    if (isBackendName(fromEnv)) return { start: fromEnv, why: `${BACKEND_ENV_VAR}=${fromEnv}` };
    log(`backend: ignoring ${BACKEND_ENV_VAR}=${JSON.stringify(fromEnv)}; expected one of ${BACKEND_ORDER.join(', ')}`);
  }
  if (preferred !== undefined) {
    if (isBackendName(preferred)) return { start: preferred, why: `the preferred backend is ${preferred}` };
    log(`backend: ignoring preferred backend ${JSON.stringify(preferred)}; expected one of ${BACKEND_ORDER.join(', ')}`);
  }
  return { start: BACKEND_ORDER[0]!, why: 'it is the default' };
}

function isBackendName(value: unknown): value is BackendName {
  return typeof value === 'string' && (BACKEND_ORDER as readonly string[]).includes(value);
}

function tryBackend(name: BackendName, options: SelectBackendOptions): Promise<Attempt> {
  switch (name) {
    case 'tensorflow':
      return tryTensorflow(options);
    case 'wasm':
      return tryWasm(options.log);
    case 'cpu':
      return activate('cpu');
  }
}

async function tryTensorflow(options: SelectBackendOptions): Promise<Attempt> {
  const specifier = options.tfjsNodeModule ?? TFJS_NODE_MODULE;
  let modulePath: string;
  try {
    modulePath = runtimeRequire.resolve(specifier);
  } catch {
    return { ok: false, reason: `${specifier} is not installed` };
  }
  const timeoutMs = options.probeTimeoutMs ?? DEFAULT_PROBE_TIMEOUT_MS;
  const probe = await probeInChild(options.probeScript ?? TFJS_NODE_PROBE_SCRIPT, [modulePath], timeoutMs);
  if (!probe.ok) return { ok: false, reason: `${specifier} failed its out-of-process check: ${probe.reason}` };

  runtimeRequire(modulePath);
  if (tf.findBackendFactory('tensorflow') == null) {
    return { ok: false, reason: `${specifier} loaded but registered no 'tensorflow' backend on this @tensorflow/tfjs-core (${tf.version_core}); the versions probably differ` };
  }
  return activate('tensorflow');
}

async function tryWasm(log: SelectBackendOptions['log']): Promise<Attempt> {
  const wasm = runtimeRequire(WASM_MODULE) as typeof import('@tensorflow/tfjs-backend-wasm');
  // The .wasm binaries sit next to the package's node entry point (dist/).
  wasm.setWasmPaths(path.dirname(runtimeRequire.resolve(WASM_MODULE)) + '/');
  // Bridge before the check so that the backend is never active without gradients.
  const { bridged } = installWasmGradientBridge();
  if (bridged.length > 0) log?.(`backend: gradient kernels added to wasm: ${bridged.join(', ')}`);
  const active = await activate('wasm');
  if (!active.ok) return active;
  // Every 2x2 tap of a 3x3 all-ones image sees four ones.
  const filterGradient = tf.tidy(() =>
    (tf.engine().runKernel('Conv2DBackpropFilter', { x: tf.ones([1, 3, 3, 1]), dy: tf.ones([1, 2, 2, 1]) }, {
      strides: 1, pad: 'valid', dataFormat: 'NHWC', filterShape: [2, 2, 1, 1],
    }) as tf.Tensor).dataSync());
  if (Array.from(filterGradient).join() !== '4,4,4,4') {
    return { ok: false, reason: `the filter gradient on wasm returned [${Array.from(filterGradient).join(', ')}] instead of [4, 4, 4, 4]` };
  }
  return active;
}

async function activate(name: BackendName): Promise<Attempt> {
  if (!(await tf.setBackend(name))) return { ok: false, reason: `tf.setBackend('${name}') failed to initialise it` };
  if (tf.getBackend() !== name) return { ok: false, reason: `tf.setBackend('${name}') left '${tf.getBackend()}' active` };
  const product = tf.tidy(() => tf.matMul(tf.tensor2d([[1, 2], [3, 4]]), tf.tensor2d([[1], [1]])).dataSync());
  if (product[0] !== 3 || product[1] !== 7) return { ok: false, reason: `a 2x2 matMul on ${name} returned [${Array.from(product).join(', ')}]` };
  return { ok: true };
}

function describe(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0]!.slice(0, 300);
}
