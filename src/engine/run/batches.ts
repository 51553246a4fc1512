import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { Dataset } from '../data/dataset';

function product(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** The model's per-example input shape; the dataset's own shape when they hold the same number of values. */
export function modelExampleShape(model: tfl.LayersModel, dataset: Dataset): number[] {
  const declared = model.inputs[0]?.shape.slice(1);
  if (!declared || declared.some((d) => d === null)) return dataset.exampleShape;
  const shape = declared as number[];
  if (product(shape) !== product(dataset.exampleShape)) {
    throw new Error(
      `${dataset.file}: examples have shape [${dataset.exampleShape.join(', ')}] but the model expects [${shape.join(', ')}]`,
    );
  }
  return shape;
}

/** Copies the chosen examples out of a dataset, without touching tensors. */
export function gatherValues(dataset: Dataset, indices: readonly number[]): Float32Array {
  const size = product(dataset.exampleShape);
  const out = new Float32Array(indices.length * size);
  indices.forEach((index, row) => {
    if (!Number.isSafeInteger(index) || index < 0 || index >= dataset.count) {
      throw new RangeError(`${dataset.file}: example index ${index} is outside 0..${dataset.count - 1}`);
    }
    out.set(dataset.values.subarray(index * size, (index + 1) * size), row * size);
  });
  return out;
}

export function examplesTensor(dataset: Dataset, indices: readonly number[], exampleShape: number[]): tf.Tensor {
  return tf.tensor(gatherValues(dataset, indices), [indices.length, ...exampleShape], 'float32');
}

export function gatherLabels(dataset: Dataset, indices: readonly number[]): Int32Array | undefined {
  if (!dataset.labels) return undefined;
  return Int32Array.from(indices, (i) => dataset.labels![i]!);
}
