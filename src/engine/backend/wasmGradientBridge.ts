/**
 * tfjs-backend-wasm 4.22 registers the forward kernels our models use but not
 * every kernel their gradients call: the filter gradient of Conv2D, both
 * gradients of DepthwiseConv2dNative and UnsortedSegmentSum (the gradient of
 * Gather) are missing, so any tf.grad through a conv layer on wasm throws
 * "Kernel 'Conv2DBackpropFilter' not registered for backend 'wasm'". tfjs
 * evaluates the gradient of every input of a node, so even input-only
 * saliency hits the filter gradient.
 *
 * Rather than dropping whole jobs to the slower cpu backend, each missing
 * kernel is registered for 'wasm' with a kernel that copies its inputs to the
 * cpu backend, runs cpu's reference implementation and copies the result
 * back. Only these kernels pay the copy; everything else stays on wasm.
 * Conv2DBackpropFilter is the exception: cpu's version is so slow that it is
 * rebuilt from wasm kernels instead (see conv2dBackpropFilterWasm.ts).
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { conv2dBackpropFilterOnWasm } from './conv2dBackpropFilterWasm';

/**
 * The numeric kernels that cpu implements and wasm 4.22 lacks. The first four
 * are reached by gradients of conv, depthwise-conv and gather/embedding
 * layers; Einsum by no layer we know of, but bridging it costs nothing. The
 * rest of wasm's gaps (complex/FFT, ragged and string kernels, Draw) hold
 * dtypes that wasm cannot store.
 */
export const WASM_BRIDGED_KERNELS: readonly string[] = [
  'Conv2DBackpropFilter',
  'DepthwiseConv2dNativeBackpropFilter',
  'DepthwiseConv2dNativeBackpropInput',
  'UnsortedSegmentSum',
  'Einsum',
];

/**
 * Kernels with a faster implementation built from wasm kernels; they return
 * null for configurations they do not handle, which then take the cpu bridge.
 */
const WASM_COMPOSITES: Readonly<Record<string, (args: Parameters<tf.KernelFunc>[0]) => tf.TensorInfo | null>> = {
  Conv2DBackpropFilter: conv2dBackpropFilterOnWasm,
};

const BRIDGEABLE_DTYPES: ReadonlySet<tf.DataType> = new Set<tf.DataType>(['float32', 'int32', 'bool']);

/** What the bridge needs from BackendWasm; typed structurally so this module never loads the wasm package. */
interface WasmBackendLike {
  readSync(dataId: tf.DataId): tf.backend_util.BackendValues;
  makeOutput(shape: number[], dtype: tf.DataType, memoryOffset?: number, values?: tf.backend_util.BackendValues): tf.TensorInfo;
  disposeData(dataId: tf.DataId, force?: boolean): boolean;
}

interface CpuBackendLike extends tf.KernelBackend {
  makeTensorInfo(shape: number[], dtype: tf.DataType, values?: tf.backend_util.BackendValues): tf.TensorInfo;
}

const bridgedByUs = new Set<string>();

export interface BridgeInstallResult {
  /** Kernels newly registered for wasm by this call. */
  bridged: string[];
  /** Kernels wasm already had (natively or from an earlier call); left untouched. */
  alreadyPresent: string[];
}

/**
 * Registers a cpu-backed 'wasm' kernel for every name that wasm lacks. Safe to
 * call more than once; an existing wasm kernel is never replaced.
 */
export function installWasmGradientBridge(kernelNames: readonly string[] = WASM_BRIDGED_KERNELS): BridgeInstallResult {
  if (!Array.isArray(kernelNames)) throw new Error(`installWasmGradientBridge: kernelNames must be an array of kernel names, got ${typeof kernelNames}`);
  const result: BridgeInstallResult = { bridged: [], alreadyPresent: [] };
  for (const kernelName of kernelNames) {
    if (typeof kernelName !== 'string' || kernelName.length === 0) {
      throw new Error(`installWasmGradientBridge: kernelNames must hold non-empty strings, got ${JSON.stringify(kernelName)}`);
    }
    if (tf.getKernel(kernelName, 'wasm') !== undefined) {
      result.alreadyPresent.push(kernelName);
      continue;
    }
    if (tf.getKernel(kernelName, 'cpu') === undefined) {
      throw new Error(`installWasmGradientBridge: kernel '${kernelName}' is missing on both wasm and cpu, so it cannot be bridged`);
    }
    tf.registerKernel({ kernelName, backendName: 'wasm', kernelFunc: withComposite(kernelName, bridgeToCpu(kernelName)) });
    bridgedByUs.add(kernelName);
    result.bridged.push(kernelName);
  }
  return result;
}

/** Names of the kernels currently served through the cpu bridge. */
export function bridgedKernelNames(): string[] {
  return [...bridgedByUs].sort();
}

function withComposite(kernelName: string, cpuBridge: tf.KernelFunc): tf.KernelFunc {
  const composite = WASM_COMPOSITES[kernelName];
  if (composite === undefined) return cpuBridge;
  return (args) => composite(args) ?? cpuBridge(args);
}

/** Exported for tests: the plain cpu round trip, without any wasm composite. */
export function bridgeToCpu(kernelName: string): tf.KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const wasm = backend as WasmBackendLike;
    const cpu = cpuBackend();
    const cpuKernel = tf.getKernel(kernelName, 'cpu');
    if (cpuKernel === undefined) throw new Error(`wasm gradient bridge: cpu kernel '${kernelName}' is no longer registered`);

    const cpuOwned: tf.TensorInfo[] = [];
    const wasmOutputs: tf.TensorInfo[] = [];
    try {
      // Some kernels (Einsum, Concat) take an array of inputs; keep the container kind.
      const cpuInputs: tf.NamedTensorInfoMap = Array.isArray(inputs) ? ([] as unknown as tf.NamedTensorInfoMap) : {};
      for (const [name, info] of Object.entries(inputs)) {
        if (info === undefined) continue;
        if (!BRIDGEABLE_DTYPES.has(info.dtype)) {
          throw new Error(`wasm gradient bridge: input '${name}' of ${kernelName} has dtype ${info.dtype}; only float32, int32 and bool can be bridged`);
        }
        const copy = cpu.makeTensorInfo(info.shape.slice(), info.dtype, wasm.readSync(info.dataId));
        cpuOwned.push(copy);
        cpuInputs[name] = copy;
      }
      const raw = cpuKernel.kernelFunc({ inputs: cpuInputs, backend: cpu, attrs });
      const outputs = Array.isArray(raw) ? raw : [raw];
      cpuOwned.push(...outputs);
      for (const out of outputs) {
        if (!BRIDGEABLE_DTYPES.has(out.dtype)) {
          throw new Error(`wasm gradient bridge: ${kernelName} produced dtype ${out.dtype}, which wasm cannot hold`);
        }
        const values = asTypedArray(cpu.readSync(out.dataId), out.dtype);
        wasmOutputs.push(wasm.makeOutput(out.shape.slice(), out.dtype, undefined, values));
      }
      return Array.isArray(raw) ? wasmOutputs : wasmOutputs[0]!;
    } catch (error) {
      for (const out of wasmOutputs) wasm.disposeData(out.dataId);
      throw error;
    } finally {
      // Each entry holds one reference (inputs from makeTensorInfo, outputs
      // from the kernel, which increments the count when it forwards an input).
      for (const info of cpuOwned) cpu.disposeData(info.dataId);
    }
  };
}

function cpuBackend(): CpuBackendLike {
  // findBackend initialises a registered but not yet created backend.
  const backend = tf.findBackend('cpu') as CpuBackendLike | null;
  if (backend == null) throw new Error("wasm gradient bridge: the 'cpu' backend is not registered; import '@tensorflow/tfjs-backend-cpu'");
  return backend;
}

/** wasm's makeOutput copies raw bytes, so the values must already have the dtype's element type. */
function asTypedArray(values: tf.backend_util.BackendValues, dtype: tf.DataType): tf.backend_util.TypedArray {
  switch (dtype) {
    case 'float32':
      return values instanceof Float32Array ? values : Float32Array.from(values as ArrayLike<number>);
    case 'int32':
      return values instanceof Int32Array ? values : Int32Array.from(values as ArrayLike<number>);
    case 'bool':
      return values instanceof Uint8Array ? values : Uint8Array.from(values as ArrayLike<number>);
    default:
      throw new Error(`wasm gradient bridge: cannot copy dtype ${dtype}`);
  }
}
