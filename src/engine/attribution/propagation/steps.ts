/**
 * The propagation graph is a chain of steps, each a function of the previous
 * step's output. Keras layers are split into steps by what the backward rules
 * need to know: a Dense with a ReLU becomes a linear step then an elementwise
 * step, and layers that only move values (Flatten, Reshape, padding) become
 * route steps whose backward pass is their transposed (vector-Jacobian) map.
 */
import type * as tf from '@tensorflow/tfjs-core';

/**
 * Maps a weight tensor to the weights a rule propagates with (identity, w+,
 * w-, w + gamma*w+). Must be elementwise and positively homogeneous
 * (rho(c*w) = c*rho(w) for c > 0), which lets pooling layers apply it to their
 * implicit positive weights.
 */
export type WeightMap = (weights: tf.Tensor) => tf.Tensor;

interface StepBase {
  /** The Keras layer (or layers, for a folded BatchNormalization) this step comes from. */
  readonly layerName: string;
  readonly className: string;
}

/** z = sum_i rho(w_ij) x_i (+ rho(b_j)): Dense, Conv2D, average pooling, an unfolded BatchNormalization. */
export interface LinearStep extends StepBase {
  readonly kind: 'linear';
  apply(x: tf.Tensor, rho: WeightMap, withBias: boolean): tf.Tensor;
  /** Present for kernel layers, so a following BatchNormalization can be folded in. */
  readonly kernel?: KernelParameters;
}

export interface KernelParameters {
  readonly kernel: tf.Tensor;
  readonly bias: tf.Tensor | null;
  /** Axis of the kernel that indexes output channels. */
  readonly outputAxis: number;
  /** The bias-free map x -> x * kernel for a given (possibly modified) kernel. */
  readonly multiply: (x: tf.Tensor, kernel: tf.Tensor) => tf.Tensor;
}

/** y_i = f(x_i): ReLU, sigmoid, tanh, ... */
export interface ElementwiseStep extends StepBase {
  readonly kind: 'elementwise';
  readonly activation: string;
  apply(x: tf.Tensor): tf.Tensor;
}

/** Moves values without weighting them (reshape, flatten, zero padding): relevance and multipliers follow the transpose. */
export interface RouteStep extends StepBase {
  readonly kind: 'route';
  apply(x: tf.Tensor): tf.Tensor;
}

/** Max pooling over channels-last [B, H, W, C] inputs, local or global. */
export interface MaxStep extends StepBase {
  readonly kind: 'max';
  readonly window: PoolWindow;
  apply(x: tf.Tensor): tf.Tensor;
}

export type PoolWindow = { size: [number, number]; strides: [number, number]; padding: 'valid' | 'same' } | 'global';

export type Step = LinearStep | ElementwiseStep | RouteStep | MaxStep;

export const IDENTITY_WEIGHTS: WeightMap = (w) => w;

/** The step's ordinary forward function. */
export function forwardStep(step: Step, x: tf.Tensor): tf.Tensor {
  return step.kind === 'linear' ? step.apply(x, IDENTITY_WEIGHTS, true) : step.apply(x);
}
