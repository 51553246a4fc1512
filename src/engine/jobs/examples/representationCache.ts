/**
 * Training representations f(xⁿ) per checkpoint, computed once and kept while
 * the checkpoint and the training set are unchanged: Deep-KNN, SimplEx and the
 * neighbour vote all query the same matrix.
 */
import type * as tfl from '@tensorflow/tfjs-layers';
import { encoderFromModel } from '../../attribution/targets';
import type { Dataset } from '../../data/dataset';
import { computeRepresentations, type Representations } from '../../examples/representations';
import { datasetFingerprint } from './datasetFingerprint';

const MAX_ENTRIES = 8;

export class RepresentationCache {
  private readonly entries = new Map<string, Promise<Representations>>();

  get(model: tfl.LayersModel, checkpointFile: string, layer: string, dataset: Dataset, exampleShape: number[], options: { signal?: AbortSignal; onProgress?: (fraction: number, message: string) => void } = {}): Promise<Representations> {
    const key = `${checkpointFile}\0${layer}\0${datasetFingerprint(dataset)}`;
    const hit = this.entries.get(key);
    if (hit) return hit;
    const encoder = encoderFromModel(model, layer);
    const pending = computeRepresentations(encoder, { values: dataset.values, count: dataset.count, exampleShape }, options);
    this.entries.set(key, pending);
    // A cancelled or failed computation must not be served to the next request.
    pending.catch(() => this.entries.delete(key));
    while (this.entries.size > MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value!);
    return pending;
  }

  clear(): void {
    this.entries.clear();
  }
}

/** f(x) of some dataset rows, [indices.length, d]. */
export async function representationsOf(model: tfl.LayersModel, layer: string, dataset: Dataset, indices: readonly number[], exampleShape: number[]): Promise<Representations> {
  const size = dataset.values.length / dataset.count;
  const values = new Float32Array(indices.length * size);
  indices.forEach((index, i) => values.set(dataset.values.subarray(index * size, (index + 1) * size), i * size));
  return computeRepresentations(encoderFromModel(model, layer), { values, count: indices.length, exampleShape });
}
