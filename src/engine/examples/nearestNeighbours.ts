/**
 * The K nearest neighbours of every row of a representation matrix, the row
 * itself excluded. Squared distances come from one matrix product per block of
 * rows (‖q‖² − 2q·x + ‖x‖²) and tf.topk picks the neighbours, so 60,000 rows
 * take seconds rather than the minutes of a pairwise loop in JavaScript.
 */
import * as tf from '@tensorflow/tfjs-core';
import { checkPositiveInteger, yieldOrAbort } from './cancel';
import { checkRepresentations } from './deepKnn';
import type { Representations } from './representations';

export const NEIGHBOUR_BLOCK_ROWS = 512;

export interface NeighbourOptions {
  signal?: AbortSignal;
  onProgress?: (fraction: number, message: string) => void;
}

/** Row-major [count, k'] neighbour indices, nearest first, with k' = min(k, count − 1). */
export async function nearestNeighbours(r: Representations, k: number, options: NeighbourOptions = {}): Promise<{ indices: Int32Array; k: number }> {
  checkRepresentations(r, 'representations');
  checkPositiveInteger(k, 'k');
  const kk = Math.min(k, r.count - 1);
  const indices = new Int32Array(r.count * kk);
  if (kk === 0) return { indices, k: 0 };
  const all = tf.tensor2d(r.values, [r.count, r.dim]);
  const norms = tf.tidy(() => tf.reshape(tf.sum(tf.square(all), 1), [1, r.count]));
  // One extra candidate, so the row itself can be dropped wherever ties put it.
  const take = Math.min(kk + 1, r.count);
  try {
    for (let start = 0; start < r.count; start += NEIGHBOUR_BLOCK_ROWS) {
      await yieldOrAbort(options.signal, 'finding nearest neighbours');
      const end = Math.min(r.count, start + NEIGHBOUR_BLOCK_ROWS);
      const top = tf.tidy(() => {
        const q = tf.slice(all, [start, 0], [end - start, r.dim]);
        const qNorms = tf.sum(tf.square(q), 1, true);
        const squared = tf.add(tf.sub(qNorms, tf.mul(2, tf.matMul(q, all, false, true))), norms);
        return tf.topk(tf.neg(squared), take, true).indices;
      });
      const found = (await top.data()) as Int32Array;
      top.dispose();
      for (let row = start; row < end; row++) {
        let p = 0;
        for (let j = 0; j < take && p < kk; j++) {
          const m = found[(row - start) * take + j]!;
          if (m !== row) indices[row * kk + p++] = m;
        }
      }
      options.onProgress?.(end / r.count, `nearest neighbours: ${end}/${r.count}`);
    }
  } finally {
    tf.dispose([all, norms]);
  }
  return { indices, k: kk };
}
