import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
// The CommonJS build of tfjs-core registers no gradient functions; tfjs-layers' build does.
import '@tensorflow/tfjs-layers';
import {
  WASM_BRIDGED_KERNELS,
  bridgedKernelNames,
  installWasmGradientBridge,
} from '../../../src/engine/backend/wasmGradientBridge';
import { assertClose, seededUniform, startWasm, valuesOn } from './backendTestUtils';

type Pad = Parameters<typeof tf.conv2d>[3];
const TOLERANCE = 1e-5;

before(startWasm);

/** Runs one kernel on cpu and on wasm from the same flat inputs and checks they agree. */
async function compareKernel(
  kernelName: string,
  makeInputs: () => tf.NamedTensorMap | tf.Tensor[],
  attrs: tf.NamedAttrMap,
  label: string,
): Promise<Float32Array> {
  const run = (): tf.Tensor => {
    const inputs = makeInputs();
    const out = tf.engine().runKernel(kernelName, inputs as unknown as tf.NamedTensorMap, attrs) as tf.Tensor;
    tf.dispose(Object.values(inputs));
    return out;
  };
  const [onCpu] = await valuesOn('cpu', run);
  const [onWasm] = await valuesOn('wasm', run);
  assertClose(onWasm!, onCpu!, TOLERANCE, `${label} (wasm vs cpu)`);
  return onWasm!;
}

/** Straight from the definition: dW[r,c,i,o] = sum_{b,y,x} x[b, y*sh + r - top, x*sw + c - left, i] * dy[b,y,x,o]. */
function naiveConv2dFilterGrad(x: Float32Array, xShape: number[], dy: Float32Array, info: tf.backend_util.Conv2DInfo): Float32Array {
  const [batch, height, width, inC] = xShape as [number, number, number, number];
  const { filterHeight, filterWidth, outChannels: outC, outHeight, outWidth, strideHeight, strideWidth } = info;
  const { top, left } = info.padInfo;
  const dw = new Float32Array(filterHeight * filterWidth * inC * outC);
  for (let r = 0; r < filterHeight; r++) for (let c = 0; c < filterWidth; c++) for (let i = 0; i < inC; i++) for (let o = 0; o < outC; o++) {
    let sum = 0;
    for (let b = 0; b < batch; b++) for (let y = 0; y < outHeight; y++) for (let xc = 0; xc < outWidth; xc++) {
      const row = y * strideHeight + r - top;
      const col = xc * strideWidth + c - left;
      if (row < 0 || row >= height || col < 0 || col >= width) continue;
      sum += x[((b * height + row) * width + col) * inC + i]! * dy[((b * outHeight + y) * outWidth + xc) * outC + o]!;
    }
    dw[((r * filterWidth + c) * inC + i) * outC + o] = sum;
  }
  return dw;
}

const conv2dCases: Array<{ x: [number, number, number, number]; filter: [number, number, number, number]; strides: number | [number, number]; pad: Pad; rounding?: 'floor' | 'round' | 'ceil' }> = [
  { x: [2, 7, 7, 3], filter: [3, 3, 3, 4], strides: 1, pad: 'same' },
  { x: [2, 7, 7, 3], filter: [3, 3, 3, 4], strides: 2, pad: 'same' },
  { x: [2, 8, 9, 2], filter: [3, 2, 2, 5], strides: [2, 3], pad: 'valid' },
  { x: [1, 10, 10, 3], filter: [5, 5, 3, 2], strides: 3, pad: 'valid' },
  { x: [2, 6, 6, 2], filter: [3, 3, 2, 3], strides: 2, pad: 1 },
  { x: [2, 6, 7, 2], filter: [2, 3, 2, 3], strides: 2, pad: [[0, 0], [1, 0], [0, 2], [0, 0]] },
  { x: [2, 5, 5, 1], filter: [1, 1, 1, 4], strides: 1, pad: 'valid' },
  { x: [1, 6, 6, 1], filter: [3, 3, 1, 2], strides: 2, pad: 1, rounding: 'ceil' },
];

for (const [index, spec] of conv2dCases.entries()) {
  test(`Conv2DBackpropFilter on wasm matches cpu and the definition: x ${spec.x} filter ${spec.filter} strides ${spec.strides} pad ${JSON.stringify(spec.pad)}${spec.rounding ? ` ${spec.rounding}` : ''}`, async () => {
    const info = tf.backend_util.computeConv2DInfo(spec.x, spec.filter, spec.strides, 1, spec.pad as 'same', spec.rounding, false, 'channelsLast');
    const x = seededUniform(spec.x.reduce((a, b) => a * b), 10 + index);
    const dy = seededUniform(info.outShape.reduce((a, b) => a * b), 20 + index);
    const attrs = { strides: spec.strides, pad: spec.pad, dataFormat: 'NHWC', filterShape: spec.filter, dimRoundingMode: spec.rounding } as unknown as tf.NamedAttrMap;
    const onWasm = await compareKernel('Conv2DBackpropFilter', () => ({ x: tf.tensor(x, spec.x), dy: tf.tensor(dy, info.outShape) }), attrs, 'dW');
    assertClose(onWasm, naiveConv2dFilterGrad(x, spec.x, dy, info), TOLERANCE, 'dW (wasm vs definition)');
  });
}

test('Conv2DBackpropFilter in NCHW takes the cpu round trip on wasm and matches cpu', async () => {
  const xShape = [2, 3, 6, 5];
  const dyShape = [2, 4, 3, 3];
  const x = seededUniform(2 * 3 * 6 * 5, 31);
  const dy = seededUniform(2 * 4 * 3 * 3, 32);
  await compareKernel('Conv2DBackpropFilter', () => ({ x: tf.tensor(x, xShape), dy: tf.tensor(dy, dyShape) }),
    { strides: 2, pad: 'same', dataFormat: 'NCHW', filterShape: [3, 3, 3, 4] }, 'dW NCHW');
});

const depthwiseCases: Array<{ x: [number, number, number, number]; filter: [number, number, number, number]; strides: number; dilations: number; pad: 'same' | 'valid' }> = [
  { x: [2, 6, 6, 3], filter: [3, 3, 3, 1], strides: 1, dilations: 1, pad: 'same' },
  { x: [2, 7, 7, 2], filter: [3, 3, 2, 2], strides: 2, dilations: 1, pad: 'valid' },
  { x: [1, 8, 8, 2], filter: [3, 3, 2, 1], strides: 1, dilations: 2, pad: 'same' },
];

for (const [index, spec] of depthwiseCases.entries()) {
  const label = `x ${spec.x} filter ${spec.filter} strides ${spec.strides} dilations ${spec.dilations} ${spec.pad}`;
  const info = tf.backend_util.computeConv2DInfo(spec.x, spec.filter, spec.strides, spec.dilations, spec.pad, undefined, true, 'channelsLast');
  const x = seededUniform(spec.x.reduce((a, b) => a * b), 40 + index);
  const filter = seededUniform(spec.filter.reduce((a, b) => a * b), 50 + index);
  const dy = seededUniform(info.outShape.reduce((a, b) => a * b), 60 + index);
  const common = { strides: spec.strides, dilations: spec.dilations, pad: spec.pad };

  test(`DepthwiseConv2dNativeBackpropFilter on wasm matches cpu: ${label}`, async () => {
    await compareKernel('DepthwiseConv2dNativeBackpropFilter', () => ({ x: tf.tensor(x, spec.x), dy: tf.tensor(dy, info.outShape) }),
      { ...common, filterShape: spec.filter }, 'depthwise dW');
  });

  test(`DepthwiseConv2dNativeBackpropInput on wasm matches cpu: ${label}`, async () => {
    await compareKernel('DepthwiseConv2dNativeBackpropInput', () => ({ dy: tf.tensor(dy, info.outShape), filter: tf.tensor(filter, spec.filter) }),
      { ...common, inputShape: spec.x }, 'depthwise dX');
  });
}

test('UnsortedSegmentSum on wasm matches cpu and a hand sum, empty segments included', async () => {
  const x = seededUniform(6 * 3, 70);
  const ids = [3, 0, 3, 1, 0, 3];
  const onWasm = await compareKernel('UnsortedSegmentSum', () => ({ x: tf.tensor2d(x, [6, 3]), segmentIds: tf.tensor1d(ids, 'int32') }),
    { numSegments: 5 }, 'segment sum');
  const expected = new Float32Array(5 * 3);
  ids.forEach((segment, row) => {
    for (let col = 0; col < 3; col++) expected[segment * 3 + col]! += x[row * 3 + col]!;
  });
  assertClose(onWasm, expected, TOLERANCE, 'segment sum (wasm vs hand sum)');
});

test('Einsum, whose inputs are an array, on wasm matches cpu', async () => {
  const a = seededUniform(2 * 3 * 4, 80);
  const b = seededUniform(2 * 4 * 5, 81);
  await compareKernel('Einsum', () => [tf.tensor3d(a, [2, 3, 4]), tf.tensor3d(b, [2, 4, 5])], { equation: 'bij,bjk->bik' }, 'batched einsum');
});

test('gradients that need the bridged kernels agree between wasm and cpu', async () => {
  const x = seededUniform(2 * 6 * 6 * 2, 90);
  const depthFilter = seededUniform(3 * 3 * 2 * 2, 91);
  const table = seededUniform(5 * 3, 92);
  const compute = (): tf.Tensor[] => {
    const f = (input: tf.Tensor, filter: tf.Tensor, embeddings: tf.Tensor): tf.Scalar => {
      const conv = tf.depthwiseConv2d(input as tf.Tensor4D, filter as tf.Tensor4D, 2, 'same');
      const gathered = tf.gather(embeddings, tf.tensor1d([4, 0, 4, 2], 'int32'));
      return tf.add(tf.sum(tf.square(conv)), tf.sum(tf.mul(gathered, gathered))) as tf.Scalar;
    };
    return tf.grads(f)([tf.tensor4d(x, [2, 6, 6, 2]), tf.tensor4d(depthFilter, [3, 3, 2, 2]), tf.tensor2d(table, [5, 3])]);
  };
  const onCpu = await valuesOn('cpu', compute);
  const onWasm = await valuesOn('wasm', compute);
  ['dx', 'dFilter', 'dEmbeddings'].forEach((name, i) => assertClose(onWasm[i]!, onCpu[i]!, TOLERANCE, name));
});

test('bridged kernels leak no tensors or backend data, also when the bridge refuses an input', async () => {
  await tf.setBackend('wasm');
  const wasmBackend = tf.findBackend('wasm');
  const cpuBackend = tf.findBackend('cpu');
  const x = tf.tensor4d(seededUniform(2 * 7 * 7 * 3, 100), [2, 7, 7, 3]);
  const dy = tf.tensor4d(seededUniform(2 * 4 * 4 * 4, 101), [2, 4, 4, 4]);
  const ids = tf.tensor1d([1, 0, 1], 'int32');
  const rows = tf.tensor2d(seededUniform(9, 102), [3, 3]);
  const before = { tensors: tf.memory().numTensors, wasm: wasmBackend.numDataIds(), cpu: cpuBackend.numDataIds() };

  for (let repeat = 0; repeat < 3; repeat++) {
    tf.dispose([
      tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { strides: 2, pad: 'same', dataFormat: 'NHWC', filterShape: [3, 3, 3, 4] }) as tf.Tensor,
      tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { strides: 2, pad: 'same', dataFormat: 'NCHW', filterShape: [3, 3, 7, 4] }) as tf.Tensor,
      tf.engine().runKernel('UnsortedSegmentSum', { x: rows, segmentIds: ids }, { numSegments: 2 }) as tf.Tensor,
      tf.engine().runKernel('Einsum', [rows, rows] as unknown as tf.NamedTensorMap, { equation: 'ij,jk->ik' }) as tf.Tensor,
    ]);
  }
  // The first input is already copied to cpu when the second is refused.
  const strings = tf.tensor1d(['a', 'b', 'c'], 'string');
  const beforeError = { tensors: tf.memory().numTensors, wasm: wasmBackend.numDataIds(), cpu: cpuBackend.numDataIds() };
  assert.throws(() => tf.engine().runKernel('Einsum', [rows, strings] as unknown as tf.NamedTensorMap, { equation: 'ij,j->i' }), /dtype string/);
  assert.deepEqual({ tensors: tf.memory().numTensors, wasm: wasmBackend.numDataIds(), cpu: cpuBackend.numDataIds() }, beforeError);
  strings.dispose();
  assert.deepEqual({ tensors: tf.memory().numTensors, wasm: wasmBackend.numDataIds(), cpu: cpuBackend.numDataIds() }, before);
  tf.dispose([x, dy, ids, rows]);
});

test('the bridge names the kernel and dtype it cannot copy', async () => {
  await tf.setBackend('wasm');
  const strings = tf.tensor1d(['a', 'b'], 'string');
  assert.throws(() => tf.engine().runKernel('Einsum', [strings] as unknown as tf.NamedTensorMap, { equation: 'i->i' }), /input '0' of Einsum has dtype string/);
  strings.dispose();
});

test('installing the bridge again changes nothing and the arguments are validated', () => {
  const tensorsBefore = tf.memory().numTensors;
  const again = installWasmGradientBridge();
  assert.deepEqual(again.bridged, []);
  assert.deepEqual([...again.alreadyPresent].sort(), [...WASM_BRIDGED_KERNELS].sort());
  assert.deepEqual(bridgedKernelNames(), [...WASM_BRIDGED_KERNELS].sort());
  for (const name of WASM_BRIDGED_KERNELS) assert.ok(tf.getKernel(name, 'wasm'), `${name} is registered for wasm`);
  assert.deepEqual(installWasmGradientBridge(['Conv2D']), { bridged: [], alreadyPresent: ['Conv2D'] });
  assert.throws(() => installWasmGradientBridge(['NoSuchKernel']), /'NoSuchKernel' is missing on both wasm and cpu/);
  assert.throws(() => installWasmGradientBridge(['']), /non-empty strings/);
  assert.throws(() => installWasmGradientBridge('Conv2D' as unknown as string[]), /must be an array/);
  assert.equal(tf.memory().numTensors, tensorsBefore);
});
