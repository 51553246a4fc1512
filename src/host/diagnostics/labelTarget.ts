/**
 * Where a run's training labels can be shown: a text file with one row per
 * example (a labels CSV/JSONL, a CSV/JSONL dataset with a label column, a PNG
 * folder's labels.csv), or, for datasets without lines (IDX, .npy, .npz), the
 * dataset file itself, summarised on the training script. Follows the engine's
 * loader (src/engine/data/dataset.ts): the same format inference and defaults.
 */
import * as path from 'node:path';
import type { DatasetFormat, RunManifest } from '../../protocol/manifest';
import { inferFormat } from '../../shared/datasetFormat';

export type TextFormat = 'csv' | 'jsonl';

export type LabelTarget =
  | {
      kind: 'text';
      /** Absolute path of the file the labels are written in. */
      file: string;
      format: TextFormat;
      /** The label column (CSV header name) or key (JSONL). */
      column: string;
    }
  | {
      kind: 'binary';
      /** Absolute path of the dataset file (or folder), for the script search and messages. */
      file: string;
      /** A separate binary labels file, searched for in the script when the dataset's name is not there. */
      labelsFile?: string;
    };


const isText = (format: DatasetFormat | undefined): format is TextFormat => format === 'csv' || format === 'jsonl';

/** Undefined when the training set has no labels (nothing to check). */
export function labelTargetOf(manifest: RunManifest, manifestPath: string): LabelTarget | undefined {
  const base = path.dirname(path.resolve(manifestPath));
  const train = manifest.train;
  const dataFile = path.resolve(base, train.path);
  const dataFormat = train.format ?? inferFormat(train.path);
  if (train.labels) {
    const file = path.resolve(base, train.labels.path);
    const format = train.labels.format ?? inferFormat(train.labels.path);
    if (isText(format)) return { kind: 'text', file, format, column: train.labels.column ?? 'label' };
    return { kind: 'binary', file: dataFile, labelsFile: file };
  }
  if (isText(dataFormat)) return train.labelColumn === undefined ? undefined : { kind: 'text', file: dataFile, format: dataFormat, column: train.labelColumn };
  // A PNG folder (a name with no known extension is one) may have a label column in its labels.csv; the engine says so when it has none.
  if (dataFormat === 'png-folder' || dataFormat === undefined) return { kind: 'text', file: path.join(dataFile, 'labels.csv'), format: 'csv', column: 'label' };
  // IDX, .npy and .npz hold no labels of their own.
  return undefined;
}
