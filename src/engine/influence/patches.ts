/**
 * im2col: the input windows a 2-D convolution multiplies with its kernel, one
 * row per output position, so a per-example kernel gradient is one batched
 * matrix product patchesᵀ · δ.
 */
import * as tf from '@tensorflow/tfjs-core';

export interface ConvGeometry {
  kernelSize: [number, number];
  strides: [number, number];
  padding: 'valid' | 'same';
  dilations: [number, number];
}

/**
 * x [B, H, W, C] -> [B, outH, outW, kh*kw*C], where entry ((i*kw + j)*C + c)
 * at an output position is the input under kernel tap (i, j), channel c: the
 * row-major order of a [kh, kw, C, ·] kernel. Computed as a convolution with
 * an identity kernel, so the windows follow exactly the convolution's own
 * strides, padding and dilation.
 */
export function extractPatches(x: tf.Tensor4D, geometry: ConvGeometry): tf.Tensor4D {
  return tf.tidy(() => {
    const [kh, kw] = geometry.kernelSize;
    const channels = x.shape[3];
    const depth = kh * kw * channels;
    const identity = tf.reshape(tf.eye(depth), [kh, kw, channels, depth]) as tf.Tensor4D;
    return tf.conv2d(x, identity, geometry.strides, geometry.padding, 'NHWC', geometry.dilations);
  });
}
