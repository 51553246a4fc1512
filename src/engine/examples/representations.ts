/**
 * f(x) for a whole dataset, streamed in batches so a 60k-example set never sits
 * in memory as one tensor: the result is a plain Float32Array [N, d].
 */
import * as tf from '@tensorflow/tfjs-core';
import { checkPositiveInteger, yieldOrAbort } from './cancel';

export interface DatasetValues {
  values: Float32Array;
  count: number;
  exampleShape: number[];
}

export interface Representations {
  /** Row-major [count, dim]. */
  values: Float32Array;
  count: number;
  dim: number;
}

export interface RepresentationOptions {
  batchSize?: number;
  signal?: AbortSignal;
  onProgress?: (fraction: number, message: string) => void;
}

export const DEFAULT_REPRESENTATION_BATCH_SIZE = 256;

function checkDataset(data: DatasetValues): number {
  if (!(data.values instanceof Float32Array)) throw new Error('data.values must be a Float32Array');
  checkPositiveInteger(data.count, 'data.count');
  if (!Array.isArray(data.exampleShape) || data.exampleShape.length === 0 || !data.exampleShape.every((d) => Number.isInteger(d) && d > 0)) {
    throw new Error(`data.exampleShape must be a non-empty list of positive integers, got ${JSON.stringify(data.exampleShape)}`);
  }
  const size = tf.util.sizeFromShape(data.exampleShape);
  if (data.values.length !== data.count * size) {
    throw new Error(`data.values has ${data.values.length} numbers but ${data.count} examples of shape [${data.exampleShape.join(', ')}] need ${data.count * size}`);
  }
  return size;
}

/** Runs `encoder` ([B, ...] -> [B, d]) over the dataset; cancellable between batches. */
export async function computeRepresentations(encoder: (x: tf.Tensor) => tf.Tensor, data: DatasetValues, options: RepresentationOptions = {}): Promise<Representations> {
  const size = checkDataset(data);
  const batchSize = options.batchSize ?? DEFAULT_REPRESENTATION_BATCH_SIZE;
  checkPositiveInteger(batchSize, 'batchSize');
  let values: Float32Array | undefined;
  let dim = 0;
  for (let start = 0; start < data.count; start += batchSize) {
    await yieldOrAbort(options.signal, 'computing representations');
    const end = Math.min(data.count, start + batchSize);
    const out = tf.tidy(() => {
      const x = tf.tensor(data.values.subarray(start * size, end * size), [end - start, ...data.exampleShape], 'float32');
      const y = encoder(x);
      if (y.rank < 1 || y.shape[0] !== end - start) throw new Error(`the encoder returned shape [${y.shape.join(', ')}] for a batch of ${end - start}`);
      return tf.reshape(tf.cast(y, 'float32'), [end - start, -1]);
    });
    let batch: Float32Array;
    try {
      batch = (await out.data()) as Float32Array;
    } finally {
      out.dispose();
    }
    const batchDim = batch.length / (end - start);
    if (values === undefined) {
      dim = batchDim;
      if (dim < 1) throw new Error('the encoder returned an empty representation');
      values = new Float32Array(data.count * dim);
    } else if (batchDim !== dim) {
      throw new Error(`the encoder returned ${batchDim} values per example for examples ${start}..${end - 1}, but ${dim} before`);
    }
    for (let i = 0; i < batch.length; i++) {
      if (!Number.isFinite(batch[i]!)) throw new Error(`the representation of example ${start + Math.floor(i / dim)} is not finite`);
    }
    values.set(batch, start * dim);
    options.onProgress?.(end / data.count, `representations: ${end}/${data.count} examples`);
  }
  return { values: values!, count: data.count, dim };
}
