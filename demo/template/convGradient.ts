/**
 * A fast filter gradient for convolutions, for the tfjs cpu and wasm backends.
 *
 * Why: tfjs-backend-cpu 4.x computes Conv2DBackpropFilter through
 * TensorBuffer.get for every multiply, which makes it ~90% of a training step
 * for these small conv nets (about 1.7 s of a 4.2 s batch of 64), and
 * tfjs-backend-wasm has no such kernel at all, so conv nets cannot train on it.
 * This kernel does the same sum with flat typed-array indexing and a float64
 * accumulator; results match the stock cpu kernel to float32 rounding.
 * tfjs-node users do not need it.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Conv2DBackpropFilterAttrs, Conv2DBackpropFilterInputs, KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';

const KERNEL = 'Conv2DBackpropFilter';

/** dW[wR,wC,d1,d2] = sum over b,yR,yC of x[b, yR*sH - top + wR, yC*sW - left + wC, d1] * dy[b,yR,yC,d2] (NHWC). */
export function conv2dBackpropFilterNHWC(
  x: Float32Array | Int32Array | Uint8Array,
  xShape: [number, number, number, number],
  dy: Float32Array | Int32Array | Uint8Array,
  convInfo: tf.backend_util.Conv2DInfo,
): Float32Array {
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels, filterHeight, filterWidth, strideHeight, strideWidth } = convInfo;
  if (xShape[0] !== batchSize || xShape[1] !== inHeight || xShape[2] !== inWidth || xShape[3] !== inChannels) {
    throw new Error(`conv2dBackpropFilterNHWC: x shape ${JSON.stringify(xShape)} does not match the convolution`);
  }
  if (x.length !== batchSize * inHeight * inWidth * inChannels) throw new Error('conv2dBackpropFilterNHWC: x has the wrong length');
  if (dy.length !== batchSize * outHeight * outWidth * outChannels) throw new Error('conv2dBackpropFilterNHWC: dy has the wrong length');
  const top = convInfo.padInfo.top;
  const left = convInfo.padInfo.left;
  const sum = new Float64Array(filterHeight * filterWidth * inChannels * outChannels);
  for (let b = 0; b < batchSize; b++) {
    for (let yR = 0; yR < outHeight; yR++) {
      for (let yC = 0; yC < outWidth; yC++) {
        const dyBase = ((b * outHeight + yR) * outWidth + yC) * outChannels;
        for (let wR = 0; wR < filterHeight; wR++) {
          const xR = yR * strideHeight - top + wR;
          if (xR < 0 || xR >= inHeight) continue;
          for (let wC = 0; wC < filterWidth; wC++) {
            const xC = yC * strideWidth - left + wC;
            if (xC < 0 || xC >= inWidth) continue;
            const xBase = ((b * inHeight + xR) * inWidth + xC) * inChannels;
            const wBase = (wR * filterWidth + wC) * inChannels * outChannels;
            for (let d1 = 0; d1 < inChannels; d1++) {
              const xv = x[xBase + d1]!;
              const row = wBase + d1 * outChannels;
              for (let d2 = 0; d2 < outChannels; d2++) sum[row + d2]! += xv * dy[dyBase + d2]!;
            }
          }
        }
      }
    }
  }
  return Float32Array.from(sum);
}

const installed = new Set<string>();

/**
 * Registers the kernel for `backendName` ('cpu' or 'wasm'). On cpu it replaces
 * the stock kernel, which still serves NCHW inputs; on wasm it only fills the
 * gap, leaving a kernel someone else registered. Idempotent.
 */
export function installConvFilterGradient(backendName: 'cpu' | 'wasm'): void {
  if (backendName !== 'cpu' && backendName !== 'wasm') throw new Error(`installConvFilterGradient: backendName must be 'cpu' or 'wasm', got ${String(backendName)}`);
  if (installed.has(backendName)) return;
  // wasm ships no such kernel, so one already registered was put there on purpose (e.g. by Model Debugger's
  // engine in the same process): keep it.
  if (backendName === 'wasm' && tf.getKernel(KERNEL, 'wasm') !== undefined) {
    installed.add(backendName);
    return;
  }
  const stock = backendName === 'cpu' ? tf.getKernel(KERNEL, 'cpu') : undefined;
  if (backendName === 'cpu' && stock === undefined) throw new Error(`installConvFilterGradient: the cpu backend has no ${KERNEL} kernel; import '@tensorflow/tfjs-backend-cpu' first`);
  const kernelFunc = ((args: { inputs: Conv2DBackpropFilterInputs; backend: tf.KernelBackend; attrs: Conv2DBackpropFilterAttrs }): TensorInfo | TensorInfo[] => {
    const { inputs, backend, attrs } = args;
    const x = inputs.x!;
    const dy = inputs.dy!;
    if (attrs.dataFormat === 'NCHW' || x.dtype === 'complex64' || dy.dtype === 'complex64') {
      if (stock) return stock.kernelFunc(args as unknown as Parameters<KernelFunc>[0]);
      throw new Error(`${KERNEL} on ${backendName}: only float NHWC inputs are supported`);
    }
    const convInfo = tf.backend_util.computeConv2DInfo(x.shape as [number, number, number, number], attrs.filterShape, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode, false, 'channelsLast');
    const dW = conv2dBackpropFilterNHWC(
      backend.readSync(x.dataId) as Float32Array,
      x.shape as [number, number, number, number],
      backend.readSync(dy.dataId) as Float32Array,
      convInfo,
    );
    // write() is the generic KernelBackend entry point, so the same code serves cpu and wasm.
    return { dataId: backend.write(dW, convInfo.filterShape, 'float32'), shape: convInfo.filterShape, dtype: 'float32' };
  }) as unknown as KernelFunc;
  const config: KernelConfig = { kernelName: KERNEL, backendName, kernelFunc };
  if (stock !== undefined) tf.unregisterKernel(KERNEL, 'cpu');
  tf.registerKernel(config);
  installed.add(backendName);
}
