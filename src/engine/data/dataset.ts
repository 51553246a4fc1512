/**
 * The one entry point for loading a dataset named by a run manifest. Every
 * path is resolved inside the manifest's folder, every file is size-capped
 * before it is read, and every problem surfaces as a DataFileError naming the
 * file (and line, for text formats).
 */
import { stat } from 'node:fs/promises';
import * as path from 'node:path';
import type { DatasetFormat, DatasetSpec, LabelSpec } from '../../protocol/manifest';
import { DATASET_FORMATS } from '../../protocol/manifest';
import { inferFormat } from '../../shared/datasetFormat';

export { inferFormat };
import { resolveInside, type ResolvedPath } from '../model/safePaths';
import { asDataFileError, DataFileError } from './errors';
import { gunzipCapped, isGzip } from './gzip';
import { parseIdx } from './idx';
import { encodeLabelArray, encodeLabelStrings, type EncodedLabels } from './labels';
import { elementCount, type NdArray } from './ndarray';
import { parseNpy } from './npy';
import { readNpz } from './npz';
import { readPngFolder } from './pngFolder';
import { DEFAULT_MAX_FILE_BYTES, readFileCapped } from './readFile';
import { readCsvTable, readJsonlTable } from './tabular';
import { decodeUtf8 } from './text';

export interface Dataset {
  /** Absolute path of the main data file or folder. */
  file: string;
  count: number;
  /** Per example; images of rank 2 (H, W) get a channel: [H, W, 1]. */
  exampleShape: number[];
  /** count * prod(exampleShape) values, multiplied by spec.scale (default 1). */
  values: Float32Array;
  /** Class indices when labels exist. */
  labels?: Int32Array;
  /** Distinct label strings when labels were non-numeric strings (labels[i] indexes it). */
  labelNames?: string[];
  /** Feature column names for tabular data. */
  columns?: string[];
  /** Absolute path of the file the labels (or rows) live in. */
  labelFile?: string;
  /** 1-based line of example i inside labelFile (CSV/JSONL/labels.csv). */
  sourceLines?: Int32Array;
}

export interface LoadDatasetOptions {
  /** Caps every file read, every decompressed stream and the decoded float32 values, in bytes. Default 2 GiB. */
  maxBytes?: number;
  signal?: AbortSignal;
}

interface Context {
  baseDir: string;
  maxBytes: number;
  maxValues: number;
  signal?: AbortSignal;
}


async function resolveFormat(resolved: ResolvedPath, declared: DatasetFormat | undefined): Promise<DatasetFormat> {
  const isDirectory = (await stat(resolved.realPath)).isDirectory();
  const format = declared ?? inferFormat(resolved.path, isDirectory);
  if (!format) {
    throw new DataFileError(resolved.path, `has no recognisable extension; set "format" to one of ${DATASET_FORMATS.join(', ')}`);
  }
  if (isDirectory !== (format === 'png-folder')) {
    throw new DataFileError(resolved.path, isDirectory ? `is a folder, but the format is ${format}` : 'is a file, but the png-folder format needs a folder');
  }
  return format;
}

async function readArray(resolved: ResolvedPath, format: 'idx' | 'npy' | 'npz', key: string | undefined, ctx: Context): Promise<NdArray> {
  const bytes = await readFileCapped(resolved.realPath, resolved.path, ctx.maxBytes);
  if (format === 'idx') return parseIdx(isGzip(bytes) ? gunzipCapped(bytes, ctx.maxBytes, resolved.path) : bytes, resolved.path);
  if (format === 'npy') return parseNpy(bytes, resolved.path);
  return readNpz(bytes, resolved.path, key, ctx.maxBytes);
}

async function readText(resolved: ResolvedPath, ctx: Context): Promise<string> {
  return decodeUtf8(await readFileCapped(resolved.realPath, resolved.path, ctx.maxBytes), resolved.path);
}

function scaled(data: ArrayLike<number>, scale: number): Float32Array {
  const out = new Float32Array(data.length);
  for (let i = 0; i < data.length; i++) out[i] = data[i]! * scale;
  return out;
}

function arrayExamples(array: NdArray, file: string, scale: number, ctx: Context): Pick<Dataset, 'count' | 'exampleShape' | 'values'> {
  if (array.shape.length === 0) throw new DataFileError(file, 'holds a scalar; a dataset needs a leading example dimension');
  const count = array.shape[0]!;
  let exampleShape = array.shape.slice(1);
  if (exampleShape.length === 0) exampleShape = [1];
  else if (exampleShape.length === 2) exampleShape = [...exampleShape, 1];
  if (elementCount(array.shape, ctx.maxValues) === undefined) {
    throw new DataFileError(file, `holds ${array.data.length} values, more than fit in the ${ctx.maxBytes}-byte limit as float32`);
  }
  return { count, exampleShape, values: scaled(array.data, scale) };
}

interface LoadedLabels extends EncodedLabels {
  labelFile: string;
  lines?: Int32Array;
}

async function loadLabelFile(spec: LabelSpec, ctx: Context): Promise<LoadedLabels> {
  const resolved = await resolveInside(ctx.baseDir, spec.path);
  const format = await resolveFormat(resolved, spec.format);
  const file = resolved.path;
  switch (format) {
    case 'idx':
    case 'npy':
    case 'npz':
      return { ...encodeLabelArray(await readArray(resolved, format, spec.column, ctx), file), labelFile: file };
    case 'csv':
    case 'jsonl': {
      const options = { onlyColumn: spec.column ?? 'label', maxValues: ctx.maxValues };
      const text = await readText(resolved, ctx);
      const table = format === 'csv' ? readCsvTable(text, file, options) : readJsonlTable(text, file, options);
      return { ...encodeLabelStrings(table.labelValues!, file, table.lines), labelFile: file, lines: table.lines };
    }
    default:
      throw new DataFileError(file, 'is a folder; labels must be an IDX, .npy, .npz, CSV or JSONL file');
  }
}

function checkSpec(spec: DatasetSpec, format: DatasetFormat, file: string): void {
  const tabular = format === 'csv' || format === 'jsonl';
  if (spec.scale !== undefined && !Number.isFinite(spec.scale)) throw new DataFileError(file, '"scale" must be a finite number');
  if (spec.key !== undefined && format !== 'npz') throw new DataFileError(file, '"key" only applies to .npz files');
  if (!tabular && spec.labelColumn !== undefined) throw new DataFileError(file, '"labelColumn" only applies to CSV and JSONL files');
  if (!tabular && spec.featureColumns !== undefined) throw new DataFileError(file, '"featureColumns" only applies to CSV and JSONL files');
  if (spec.labelColumn !== undefined && spec.labels !== undefined) throw new DataFileError(file, 'set either "labelColumn" or "labels", not both');
  if (format === 'png-folder' && spec.labels !== undefined) throw new DataFileError(file, 'a png-folder takes its labels from labels.csv, not "labels"');
}

async function loadUnchecked(spec: DatasetSpec, ctx: Context, resolved: ResolvedPath): Promise<Dataset> {
  const format = await resolveFormat(resolved, spec.format);
  const file = resolved.path;
  checkSpec(spec, format, file);
  const scale = spec.scale ?? 1;
  let dataset: Dataset;
  let ownLabels: EncodedLabels | undefined;
  switch (format) {
    case 'idx':
    case 'npy':
    case 'npz':
      dataset = { file, ...arrayExamples(await readArray(resolved, format, spec.key, ctx), file, scale, ctx) };
      break;
    case 'csv':
    case 'jsonl': {
      const options = { labelColumn: spec.labelColumn, featureColumns: spec.featureColumns, maxValues: ctx.maxValues };
      const text = await readText(resolved, ctx);
      const table = format === 'csv' ? readCsvTable(text, file, options) : readJsonlTable(text, file, options);
      if (scale !== 1) for (let i = 0; i < table.values.length; i++) table.values[i]! *= scale;
      dataset = { file, count: table.count, exampleShape: table.exampleShape, values: table.values, columns: table.columns, labelFile: file, sourceLines: table.lines };
      if (table.labelValues) ownLabels = encodeLabelStrings(table.labelValues, file, table.lines);
      break;
    }
    case 'png-folder': {
      const folder = await readPngFolder(resolved, { maxBytes: ctx.maxBytes, scale, signal: ctx.signal });
      dataset = { file, count: folder.count, exampleShape: folder.exampleShape, values: folder.values, labelFile: folder.labelFile, sourceLines: folder.lines };
      if (folder.labelValues) ownLabels = encodeLabelStrings(folder.labelValues, folder.labelFile, folder.lines);
      break;
    }
  }
  ctx.signal?.throwIfAborted();
  if (spec.labels) {
    const loaded = await loadLabelFile(spec.labels, ctx);
    if (loaded.labels.length !== dataset.count) {
      throw new DataFileError(loaded.labelFile, `holds ${loaded.labels.length} labels, but ${file} holds ${dataset.count} examples`);
    }
    ownLabels = loaded;
    dataset.labelFile = loaded.labelFile;
    if (loaded.lines) dataset.sourceLines = loaded.lines;
    else delete dataset.sourceLines;
  }
  if (ownLabels) {
    dataset.labels = ownLabels.labels;
    if (ownLabels.labelNames) dataset.labelNames = ownLabels.labelNames;
  }
  return dataset;
}

export async function loadDataset(spec: DatasetSpec, baseDir: string, options: LoadDatasetOptions = {}): Promise<Dataset> {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_FILE_BYTES;
  if (!(maxBytes > 0)) throw new RangeError(`loadDataset: options.maxBytes must be positive, got ${maxBytes}`);
  const root = path.resolve(baseDir);
  const ctx: Context = { baseDir: root, maxBytes, maxValues: Math.floor(maxBytes / 4), signal: options.signal };
  const displayPath = path.resolve(root, spec.path);
  try {
    options.signal?.throwIfAborted();
    const resolved = await resolveInside(root, spec.path);
    return await loadUnchecked(spec, ctx, resolved);
  } catch (error) {
    if (options.signal?.aborted) throw options.signal.reason;
    throw asDataFileError(displayPath, error);
  }
}
