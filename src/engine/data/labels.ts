/**
 * Turns label values into class indices. Numeric labels must already be
 * class indices; any other strings become indices into their sorted distinct
 * names, so a train and a test split with the same classes agree.
 */
import { DataFileError } from './errors';
import type { NdArray } from './ndarray';
import { parseDecimal } from './text';

export interface EncodedLabels {
  labels: Int32Array;
  labelNames?: string[];
}

const MAX_CLASS_INDEX = 2 ** 31 - 1;

function isClassIndex(value: number): boolean {
  return Number.isInteger(value) && value >= 0 && value <= MAX_CLASS_INDEX;
}

/** `lines[i]` is the source line of value i, for messages. */
export function encodeLabelStrings(values: readonly string[], file: string, lines?: ArrayLike<number>): EncodedLabels {
  const where = (i: number): string => (lines ? `line ${lines[i]}` : `label ${i}`);
  const trimmed = values.map((value, i) => {
    const t = value.trim();
    if (t === '') throw new DataFileError(file, `${where(i)}: the label is empty`);
    return t;
  });
  const numbers = trimmed.map(parseDecimal);
  if (numbers.every((n) => n !== undefined)) {
    const labels = new Int32Array(numbers.length);
    numbers.forEach((n, i) => {
      if (!isClassIndex(n!)) throw new DataFileError(file, `${where(i)}: label ${trimmed[i]} is not a class index (a non-negative integer)`);
      labels[i] = n!;
    });
    return { labels };
  }
  const labelNames = [...new Set(trimmed)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const index = new Map(labelNames.map((name, i) => [name, i]));
  return { labels: Int32Array.from(trimmed, (name) => index.get(name)!), labelNames };
}

/** Labels from an IDX/.npy/.npz array: shape [n] or [n, 1], integer values. */
export function encodeLabelArray(array: NdArray, file: string): EncodedLabels {
  const { shape, data } = array;
  if (!(shape.length === 1 || (shape.length === 2 && shape[1] === 1))) {
    throw new DataFileError(file, `holds labels of shape [${shape.join(', ')}]; expected [n] or [n, 1]`);
  }
  const labels = new Int32Array(data.length);
  for (let i = 0; i < data.length; i++) {
    const value = data[i]!;
    if (!isClassIndex(value)) throw new DataFileError(file, `label ${i} is ${value}, not a class index (a non-negative integer)`);
    labels[i] = value;
  }
  return { labels };
}
