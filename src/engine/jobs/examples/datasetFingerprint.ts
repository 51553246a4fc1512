/**
 * A content hash of a loaded training set (values and labels), part of the
 * gradient index's key: an edited dataset must not be answered from sketches
 * of the old one, and file times alone miss a copy with preserved times.
 */
import { createHash } from 'node:crypto';
import type { Dataset } from '../../data/dataset';

const fingerprints = new WeakMap<Dataset, string>();

export function datasetFingerprint(dataset: Dataset): string {
  const cached = fingerprints.get(dataset);
  if (cached) return cached;
  const hash = createHash('sha256');
  hash.update(`${dataset.count}\0${dataset.exampleShape.join('x')}\0`);
  hash.update(new Uint8Array(dataset.values.buffer, dataset.values.byteOffset, dataset.values.byteLength));
  if (dataset.labels) hash.update(new Uint8Array(dataset.labels.buffer, dataset.labels.byteOffset, dataset.labels.byteLength));
  const digest = hash.digest('hex');
  fingerprints.set(dataset, digest);
  return digest;
}
