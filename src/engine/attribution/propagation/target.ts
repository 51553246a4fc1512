/**
 * What a propagation method explains: one output unit of a layer, or the
 * label-free score g_x(x~) = <f(x), f(x~)> at a representation layer f
 * (Crabbé & van der Schaar), where f(x) is held fixed at the explained input.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { PropagationChain } from './chain';

export interface PropagationTarget {
  /** Layer whose output is explained; the model's last layer when absent. */
  outputLayer?: string;
  /** Flat index into the layer's output (without batch); the largest output (predicted class) when absent. */
  unit?: number;
  /** Explain g_x(x~) = <f(x), f(x~)> with f the output of `outputLayer`. */
  labelFree?: boolean;
}

export function validateTarget(target: PropagationTarget): void {
  if (typeof target !== 'object' || target === null) throw new Error('target must be an object');
  if (target.outputLayer !== undefined && (typeof target.outputLayer !== 'string' || target.outputLayer.length === 0)) {
    throw new Error(`target.outputLayer must be a non-empty string, got ${String(target.outputLayer)}`);
  }
  if (target.labelFree && target.unit !== undefined) {
    throw new Error('target.unit must be absent when target.labelFree is set: the label-free score uses every unit of the representation');
  }
}

export function checkLabelFreeChain(target: PropagationTarget, chain: PropagationChain): void {
  if (target.labelFree && chain.droppedSoftmax !== null) {
    throw new Error(
      `label-free target at layer '${chain.outputLayer}' would explain the logits before softmax '${chain.droppedSoftmax}', not the representation; name a representation layer without softmax`,
    );
  }
}

/** The unit index for output [1, ...]: validated or argmax. */
export function resolveUnit(target: PropagationTarget, output: tf.Tensor): number {
  const size = output.size / output.shape[0]!;
  if (target.unit === undefined) {
    return tf.tidy(() => tf.argMax(tf.reshape(output, [output.shape[0]!, -1]), 1).dataSync()[0]!);
  }
  const unit = target.unit;
  if (!Number.isInteger(unit) || unit < 0 || unit >= size) {
    throw new Error(`target.unit must be an integer in [0, ${size - 1}] for the output of this layer, got ${unit}`);
  }
  return unit;
}

/** A one-hot mask shaped like `output` selecting `unit` of every example. */
export function unitMask(output: tf.Tensor, unit: number): tf.Tensor {
  const batch = output.shape[0]!;
  const size = output.size / batch;
  const mask = new Float32Array(output.size);
  for (let b = 0; b < batch; b++) mask[b * size + unit] = 1;
  return tf.tensor(mask, output.shape, 'float32');
}
