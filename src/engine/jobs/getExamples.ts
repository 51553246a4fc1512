import type { ExamplesResult } from '../../protocol/engineProtocol';
import { gatherValues } from '../run/batches';
import type { LoadedRun } from '../run/runStore';
import { describeLabel } from './labels';

export const MAX_EXAMPLES_PER_REQUEST = 256;

export function getExamples(run: LoadedRun, split: 'train' | 'test', indices: number[]): ExamplesResult {
  if (split !== 'train' && split !== 'test') throw new RangeError(`split must be "train" or "test", got ${String(split)}`);
  if (!Array.isArray(indices) || indices.length > MAX_EXAMPLES_PER_REQUEST) {
    throw new RangeError(`indices must be a list of at most ${MAX_EXAMPLES_PER_REQUEST} example indices`);
  }
  const dataset = run[split];
  const size = dataset.exampleShape.reduce((a, b) => a * b, 1);
  const values = gatherValues(dataset, indices);
  return {
    shape: dataset.exampleShape,
    examples: indices.map((index, row) => ({
      index,
      values: values.slice(row * size, (row + 1) * size),
      ...describeLabel(dataset, index, run.manifest.classNames),
    })),
  };
}
