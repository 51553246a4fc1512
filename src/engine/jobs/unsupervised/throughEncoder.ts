/** Explaining a test example through the model's encoder: its input tensor, and LRP from the grounded relevance down to the input. */
import * as tf from '@tensorflow/tfjs-core';
import type { Dataset } from '../../data/dataset';
import { explainThroughEncoder, type GroundedRelevance } from '../../neon';
import type { ExplainedModel } from '../explainedModel';

export function exampleSize(dataset: Dataset): number {
  return dataset.values.length / dataset.count;
}

export function inputTensor(dataset: Dataset, index: number, shape: number[]): tf.Tensor {
  const size = exampleSize(dataset);
  return tf.tensor(dataset.values.subarray(index * size, (index + 1) * size), [1, ...shape], 'float32');
}

/** LRP from the grounded relevance down to the input; returns the input map and the grounded relevance. */
export async function throughEncoder(
  subject: ExplainedModel,
  layer: string,
  dataset: Dataset,
  index: number,
  shape: number[],
  rule: (a: Float32Array) => GroundedRelevance,
): Promise<{ relevance: Float32Array; inputSum: number; grounded: GroundedRelevance }> {
  const input = inputTensor(dataset, index, shape);
  try {
    const explained = await explainThroughEncoder(subject.model, input, rule, { layer });
    try {
      return { relevance: (await explained.relevance.data()) as Float32Array, inputSum: explained.inputSum, grounded: explained.grounded };
    } finally {
      explained.relevance.dispose();
    }
  } finally {
    input.dispose();
  }
}
