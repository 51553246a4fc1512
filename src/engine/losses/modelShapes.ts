/**
 * Shapes a model expects, so datasets stored flat (e.g. 784 columns) can feed
 * a model that takes 28x28x1 images, and the reverse.
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';

/** The model's per-example input shape, or undefined when some dimension is free. */
export function modelExampleShape(model: tfl.LayersModel): number[] | undefined {
  if (model.inputs.length !== 1) throw new Error(`model "${model.name}" must have exactly one input, it has ${model.inputs.length}`);
  const dims = model.inputs[0]!.shape.slice(1);
  return dims.every((d): d is number => typeof d === 'number' && d > 0) ? dims : undefined;
}

/**
 * The per-example shape to feed the model: its own input shape when the data's
 * shape has the same size, otherwise the data's shape unchanged (the model
 * then reports the mismatch itself).
 */
export function feedShape(model: tfl.LayersModel, exampleShape: readonly number[]): number[] {
  const expected = modelExampleShape(model);
  if (expected && tf.util.sizeFromShape(expected) === tf.util.sizeFromShape(exampleShape.slice())) return expected;
  return exampleShape.slice();
}

/** x [B, ...] reshaped to the model's input shape when only the layout differs. */
export function toModelInput(model: tfl.LayersModel, x: tf.Tensor): tf.Tensor {
  const shape = feedShape(model, x.shape.slice(1));
  const same = shape.length === x.rank - 1 && shape.every((d, i) => d === x.shape[i + 1]);
  return same ? x : tf.reshape(x, [x.shape[0]!, ...shape]);
}
