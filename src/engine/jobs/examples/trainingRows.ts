/** Where a training example lives in its file, for the panel's reveal and the editor's diagnostics. */
import type { RankedExample } from '../../../protocol/engineProtocol';
import type { Dataset } from '../../data/dataset';
import { describeLabel } from '../labels';

export function trainFileOf(dataset: Dataset): string {
  return dataset.labelFile ?? dataset.file;
}

export function rowOf(dataset: Dataset, index: number): { row: number; line?: number } {
  const line = dataset.sourceLines?.[index];
  return line === undefined ? { row: index } : { row: index, line };
}

export function rankedExample(dataset: Dataset, classNames: string[] | undefined, index: number, score: number, distance?: number): RankedExample {
  const ranked: RankedExample = { index, score, ...rowOf(dataset, index), ...describeLabel(dataset, index, classNames) };
  if (distance !== undefined) ranked.distance = distance;
  return ranked;
}
