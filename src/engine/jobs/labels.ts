import type { Dataset } from '../data/dataset';

/** The label of an example and its human name, from the manifest's class names or the dataset's own strings. */
export function describeLabel(dataset: Dataset, index: number, classNames?: string[]): { label?: number; labelName?: string } {
  const label = dataset.labels?.[index];
  if (label === undefined) return {};
  const labelName = classNames?.[label] ?? dataset.labelNames?.[label];
  return labelName === undefined ? { label } : { label, labelName };
}
