/**
 * Where a dataset example can be shown in an editor: the row of its label in a
 * labels CSV, or its own row in a CSV/JSONL dataset. Binary datasets (.npy,
 * IDX) have no line to go to; the caller then names the file and index instead.
 */
import * as path from 'node:path';
import type { DatasetSpec, RunManifest } from '../../protocol/manifest';

export interface ExampleLocation {
  file: string;
  /** 0-based data row (not counting a header), when the file is line-oriented. */
  row?: number;
  format: 'csv' | 'jsonl' | 'other';
}

function formatOf(file: string, declared: string | undefined): ExampleLocation['format'] {
  const format = declared ?? path.extname(file).slice(1).toLowerCase();
  return format === 'csv' ? 'csv' : format === 'jsonl' ? 'jsonl' : 'other';
}

export function locateExample(manifest: RunManifest, manifestPath: string, split: 'train' | 'test', index: number): ExampleLocation {
  const dataset: DatasetSpec = manifest[split];
  const base = path.dirname(manifestPath);
  if (dataset.labels) {
    const file = path.resolve(base, dataset.labels.path);
    const format = formatOf(file, dataset.labels.format);
    if (format !== 'other') return { file, row: index, format };
  }
  const file = path.resolve(base, dataset.path);
  const format = formatOf(file, dataset.format);
  return format === 'other' ? { file, format } : { file, row: index, format };
}

function looksNumeric(field: string): boolean {
  const t = field.trim().replace(/^"(.*)"$/, '$1');
  return t !== '' && Number.isFinite(Number(t));
}

/** A CSV has a header when its first line has a field that is not a number. */
export function csvHasHeader(firstLine: string): boolean {
  return firstLine.split(',').some((field) => !looksNumeric(field));
}

/** The 0-based editor line of a data row. */
export function lineOfRow(location: ExampleLocation, firstLine: string): number | undefined {
  if (location.row === undefined) return undefined;
  if (location.format === 'csv' && csvHasHeader(firstLine)) return location.row + 1;
  return location.row;
}
