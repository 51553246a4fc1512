/**
 * Ops whose gradients tfjs 4.22 can differentiate a second time, for
 * Hessian-vector products by double backprop.
 *
 * Why the stock ops are not enough (read from tfjs-core's engine, then
 * measured): a kernel that saves its *output* for its gradient (Tanh, Sigmoid,
 * Softmax, Exp, Elu, Pow, the customGrad of logSoftmax, ...) gets a clone of
 * that output recorded on the tape *before* the kernel's own node, so the
 * outer pass cannot connect the clone to the kernel's input and treats the
 * output inside the inner gradient as a constant: the second derivative comes
 * out wrong, without an error. Kernels that save their *inputs* (MatMul, Relu,
 * Log, Square, SquaredDifference, ClipByValue, Conv2D, ...) are fine. And
 * there is no gradient of Conv2DBackpropFilter at all, which the gradient of a
 * convolution kernel needs.
 *
 * So each op here is a customGrad that saves its inputs and recomputes what
 * it needs in its gradient; convolution kernel gradients are written as
 * patchesᵀ·δ matrix products (the same formula as the per-example rules).
 * First derivatives equal the stock ones.
 */
import * as tf from '@tensorflow/tfjs-core';
import { extractPatches, type ConvGeometry } from './patches';

type Grad = (dy: tf.Tensor, saved: tf.Tensor[]) => tf.Tensor | tf.Tensor[];

/** tf.customGrad that saves all its inputs, with the inputs as one list. */
function savingInputs<T extends tf.Tensor>(f: (inputs: tf.Tensor[]) => { value: T; gradFunc: Grad }): (...inputs: tf.Tensor[]) => T {
  const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const save = args[args.length - 1] as tf.GradSaveFunc;
    const inputs = args.slice(0, -1) as tf.Tensor[];
    save(inputs);
    return f(inputs);
  });
  return (...inputs) => op(...inputs) as T;
}

function unary(forward: (x: tf.Tensor) => tf.Tensor, gradient: (dy: tf.Tensor, x: tf.Tensor) => tf.Tensor): (x: tf.Tensor) => tf.Tensor {
  const op = savingInputs(([x]) => ({ value: forward(x!), gradFunc: (dy, saved) => gradient(dy, saved[0]!) }));
  return (x) => op(x);
}

export const twiceDifferentiableTanh = unary(tf.tanh, (dy, x) => tf.mul(dy, tf.sub(1, tf.square(tf.tanh(x)))));

/** exp, whose stock gradient reuses its saved output. */
export const twiceDifferentiableExp = unary(tf.exp, (dy, x) => tf.mul(dy, tf.exp(x)));

export const twiceDifferentiableSigmoid = unary(tf.sigmoid, (dy, x) => {
  const s = tf.sigmoid(x);
  return tf.mul(dy, tf.mul(s, tf.sub(1, s)));
});

/** Softmax over the last axis. */
export const twiceDifferentiableSoftmax = unary(
  (x) => tf.softmax(x),
  (dy, x) => {
    const p = tf.softmax(x);
    return tf.mul(p, tf.sub(dy, tf.sum(tf.mul(dy, p), -1, true)));
  },
);

/** Log-softmax over the last axis. */
export const twiceDifferentiableLogSoftmax = unary(
  (x) => tf.logSoftmax(x),
  (dy, x) => tf.sub(dy, tf.mul(tf.sum(dy, -1, true), tf.softmax(x))),
);

/**
 * clipByValue: the stock gradient masks with LogicalAnd, which has no
 * gradient, so the outer pass throws; this mask is built from Step.
 */
export function twiceDifferentiableClip(x: tf.Tensor, low: number, high: number): tf.Tensor {
  const op = savingInputs(([input]) => ({
    value: tf.clipByValue(input!, low, high),
    gradFunc: (dy, saved) => {
      const a = saved[0]!;
      // 1 on [low, high] (ends included, as the stock gradient), 0 outside.
      const inside = tf.mul(tf.sub(1, tf.step(tf.sub(low, a))), tf.sub(1, tf.step(tf.sub(a, high))));
      return tf.mul(dy, inside);
    },
  }));
  return op(x);
}

/**
 * The activations (tfjs-layers names) with a twice-differentiable form;
 * undefined for the others. With `smoothRelu`, relu becomes softplus (the
 * Hessian probe's smooth stand-in, see hessian.ts).
 */
export function twiceDifferentiableActivation(name: unknown, smoothRelu = false): ((z: tf.Tensor) => tf.Tensor) | undefined {
  switch (name ?? 'linear') {
    case 'linear':
      return (z) => z;
    case 'relu':
      // Relu's gradient multiplies by step(x), computed from the saved input: its own derivative (zero) is right.
      // Softplus saves its input too; its gradient is a fresh sigmoid(x).
      return smoothRelu ? (z) => tf.softplus(z) : (z) => tf.relu(z);
    case 'tanh':
      return twiceDifferentiableTanh;
    case 'sigmoid':
      return twiceDifferentiableSigmoid;
    case 'softmax':
      return twiceDifferentiableSoftmax;
    default:
      return undefined;
  }
}

function unit(pair: readonly [number, number]): boolean {
  return pair[0] === 1 && pair[1] === 1;
}

/** Σ over batch and positions of patches(p)ᵀ · q: [B, h, w, D] x [B, h, w, C] -> [D, C]. */
function patchProduct(patches: tf.Tensor4D, q: tf.Tensor): tf.Tensor2D {
  const depth = patches.shape[3];
  const channels = q.shape[q.rank - 1]!;
  return tf.matMul(tf.reshape(patches, [-1, depth]) as tf.Tensor2D, tf.reshape(q, [-1, channels]) as tf.Tensor2D, true, false);
}

/** conv2d(x, kernel) (NHWC) with a kernel gradient patches(x)ᵀ·dy instead of Conv2DBackpropFilter. */
export function twiceDifferentiableConv2d(x: tf.Tensor4D, kernel: tf.Tensor4D, geometry: ConvGeometry): tf.Tensor4D {
  const { strides, padding, dilations } = geometry;
  if (!unit(dilations)) {
    // tfjs has no input gradient of a dilated convolution; as patches·kernel the input is only ever a
    // constant here (a dilated layer must come first on the gradient path, see perExampleGradients).
    const patches = extractPatches(x, geometry);
    const [b, h, w, depth] = patches.shape;
    const z = tf.matMul(tf.reshape(patches, [-1, depth]) as tf.Tensor2D, tf.reshape(kernel, [depth, -1]) as tf.Tensor2D);
    return tf.reshape(z, [b, h, w, kernel.shape[3]]);
  }
  const op = savingInputs(([input, filter]) => {
    const gradFunc: Grad = (dy, saved) => {
      const [a, k] = saved as [tf.Tensor4D, tf.Tensor4D];
      const da = tf.conv2dTranspose(dy as tf.Tensor4D, k, a.shape, strides, padding);
      const dk = tf.reshape(patchProduct(extractPatches(a, geometry), dy), k.shape);
      return [da, dk];
    };
    return { value: tf.conv2d(input as tf.Tensor4D, filter as tf.Tensor4D, strides, padding), gradFunc };
  });
  return op(x, kernel);
}

/**
 * conv2dTranspose(x, kernel [kh, kw, out, in]) (NHWC) with a kernel gradient
 * patches(dy)ᵀ·x: the transposed convolution is the adjoint of conv2d(·, kernel).
 */
export function twiceDifferentiableConv2dTranspose(x: tf.Tensor4D, kernel: tf.Tensor4D, outShape: [number, number, number, number], geometry: ConvGeometry): tf.Tensor4D {
  const { strides, padding, dilations } = geometry;
  if (!unit(dilations)) throw new Error('dilated transposed convolutions are not supported');
  const op = savingInputs(([input, filter]) => {
    const gradFunc: Grad = (dy, saved) => {
      const [a, k] = saved as [tf.Tensor4D, tf.Tensor4D];
      const da = tf.conv2d(dy as tf.Tensor4D, k, strides, padding);
      const patches = extractPatches(dy as tf.Tensor4D, geometry);
      if (patches.shape[1] !== a.shape[1] || patches.shape[2] !== a.shape[2]) {
        throw new Error(`transposed convolution: patch grid ${patches.shape[1]}x${patches.shape[2]} does not match the input ${a.shape[1]}x${a.shape[2]}`);
      }
      return [da, tf.reshape(patchProduct(patches, a), k.shape)];
    };
    return { value: tf.conv2dTranspose(input as tf.Tensor4D, filter as tf.Tensor4D, outShape, strides, padding), gradFunc };
  });
  return op(x, kernel);
}
