/**
 * Conv2DBackpropFilter for the wasm backend, composed from wasm kernels.
 *
 * Why not just bridge it to cpu like the other missing kernels: cpu's version
 * walks a TensorBuffer element by element and took most of a wasm training
 * step of the demo autoencoder. The filter gradient is itself a convolution:
 *
 *   dW[kh, kw, ci, co] = sum_{b, oh, ow} xPadded[b, kh + sh*oh, kw + sw*ow, ci] * dy[b, oh, ow, co]
 *
 * which is a 'valid' conv2d of X'[ci, h, w, b] = xPadded[b, h, w, ci] with the
 * filter F'[oh, ow, b, co] = dy[b, oh, ow, co] at dilation (sh, sw), whose
 * output is [ci, kh, kw, co]. wasm runs that conv through XNNPACK.
 */
import * as tf from '@tensorflow/tfjs-core';

interface WasmKernelBackend {
  disposeData(dataId: tf.DataId, force?: boolean): boolean;
}

/**
 * Returns the filter gradient, or null when the configuration is outside what
 * this path handles (NCHW, non-float32, negative explicit padding); callers
 * then use the cpu bridge.
 */
export function conv2dBackpropFilterOnWasm(args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }): tf.TensorInfo | null {
  const { x, dy } = args.inputs;
  const attrs = (args.attrs ?? {}) as unknown as tf.Conv2DBackpropFilterAttrs;
  if (x === undefined || dy === undefined) throw new Error('Conv2DBackpropFilter (wasm): inputs x and dy are required');
  if (x.dtype !== 'float32' || dy.dtype !== 'float32') return null;
  if (attrs.dataFormat !== undefined && attrs.dataFormat !== 'NHWC') return null;

  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    attrs.filterShape,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
    'channelsLast',
  );
  const { top, left } = info.padInfo;
  if (top < 0 || left < 0 || info.padInfo.bottom < 0 || info.padInfo.right < 0) return null;
  const { batchSize, inChannels, outChannels, outHeight, outWidth, strideHeight, strideWidth, filterHeight, filterWidth } = info;
  if (dy.shape.join() !== [batchSize, outHeight, outWidth, outChannels].join()) {
    throw new Error(`Conv2DBackpropFilter (wasm): dy has shape [${dy.shape.join(', ')}], expected [${[batchSize, outHeight, outWidth, outChannels].join(', ')}]`);
  }

  const backend = args.backend as WasmKernelBackend;
  const temps: tf.TensorInfo[] = [];
  const run = (kernelName: string, inputs: tf.NamedTensorInfoMap, kernelAttrs: tf.NamedAttrMap): tf.TensorInfo => {
    const kernel = tf.getKernel(kernelName, 'wasm');
    if (kernel === undefined) throw new Error(`Conv2DBackpropFilter (wasm): kernel ${kernelName} is not registered for wasm`);
    const out = kernel.kernelFunc({ inputs, backend, attrs: kernelAttrs }) as tf.TensorInfo;
    temps.push(out);
    return out;
  };

  try {
    // Rows and columns the filter taps read: the last output position plus the filter extent.
    const neededHeight = (outHeight - 1) * strideHeight + filterHeight;
    const neededWidth = (outWidth - 1) * strideWidth + filterWidth;
    const bottom = Math.max(0, neededHeight - top - info.inHeight);
    const right = Math.max(0, neededWidth - left - info.inWidth);
    const padded = top + bottom + left + right > 0
      ? run('PadV2', { x }, { paddings: [[0, 0], [top, bottom], [left, right], [0, 0]], constantValue: 0 })
      : x;
    const cropped = padded.shape[1] !== neededHeight || padded.shape[2] !== neededWidth
      ? run('Slice', { x: padded }, { begin: [0, 0, 0, 0], size: [batchSize, neededHeight, neededWidth, inChannels] })
      : padded;
    const channelsAsBatch = run('Transpose', { x: cropped }, { perm: [3, 1, 2, 0] });
    const dyAsFilter = run('Transpose', { x: dy }, { perm: [1, 2, 0, 3] });
    const perChannel = run('Conv2D', { x: channelsAsBatch, filter: dyAsFilter }, {
      strides: [1, 1],
      pad: 'valid',
      dataFormat: 'NHWC',
      dilations: [strideHeight, strideWidth],
    });
    return tf.getKernel('Transpose', 'wasm')!.kernelFunc({ inputs: { x: perChannel }, backend, attrs: { perm: [1, 2, 0, 3] } }) as tf.TensorInfo;
  } finally {
    for (const temp of temps) backend.disposeData(temp.dataId);
  }
}
