/** The two shapes an attribution method can take, so wrappers like SmoothGrad can compose them. */
import type * as tf from '@tensorflow/tfjs-core';
import type { Attribution, RunOptions } from './types';

/** Any method bound to its target and settings: explains one input [1, ...]. */
export type AttributionMethod = (input: tf.Tensor, options: RunOptions) => Promise<Attribution>;

/**
 * A method that is a pure function of the point it is evaluated at (saliency,
 * gradient x input): it explains a whole batch of points [B, ...] in one pass,
 * so wrappers can batch their samples instead of calling it once per sample.
 */
export interface BatchedMethod {
  readonly name: string;
  /** Synchronous and tidy: returns a new tensor shaped like `points`. */
  attributeBatch(points: tf.Tensor): tf.Tensor;
}

export function isBatchedMethod(method: AttributionMethod | BatchedMethod): method is BatchedMethod {
  return typeof method === 'object' && typeof method.attributeBatch === 'function';
}
