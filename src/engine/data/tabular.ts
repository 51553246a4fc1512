/**
 * Tabular examples from CSV or JSONL: numeric feature columns become the
 * example vector, an optional label column is kept as strings, and every row
 * remembers its source line.
 */
import { checkCsvHeader, csvColumnIndex, forEachCsvRecord } from './csv';
import { DataFileError } from './errors';
import { FloatBuilder, IntBuilder } from './floatBuilder';
import { forEachJsonlRecord, type JsonRecord } from './jsonl';
import { parseDecimal } from './text';

export interface TabularOptions {
  labelColumn?: string;
  /** All numeric columns but the label when absent (CSV: numeric in the first row; JSONL: numbers or numeric arrays in the first record). */
  featureColumns?: string[];
  /** Only read this column (for label files); no features are built. */
  onlyColumn?: string;
  maxValues: number;
}

export interface TabularData {
  count: number;
  exampleShape: number[];
  values: Float32Array;
  columns: string[];
  /** 1-based line of each row. */
  lines: Int32Array;
  labelValues?: string[];
}

function overflow(file: string, maxValues: number): never {
  throw new DataFileError(file, `holds more than ${maxValues} values, the limit`);
}

function checkFeatureList(featureColumns: string[] | undefined, labelColumn: string | undefined, file: string): void {
  if (featureColumns === undefined) return;
  if (featureColumns.length === 0) throw new DataFileError(file, 'featureColumns is empty');
  if (new Set(featureColumns).size !== featureColumns.length) throw new DataFileError(file, 'featureColumns names a column twice');
  if (labelColumn !== undefined && featureColumns.includes(labelColumn)) {
    throw new DataFileError(file, `featureColumns includes the label column "${labelColumn}"`);
  }
}

export function readCsvTable(text: string, file: string, options: TabularOptions): TabularData {
  checkFeatureList(options.featureColumns, options.labelColumn, file);
  const values = new FloatBuilder(options.maxValues, () => overflow(file, options.maxValues));
  const lines = new IntBuilder();
  const labelValues: string[] = [];
  const labelColumn = options.onlyColumn ?? options.labelColumn;
  let header: string[] | undefined;
  let labelIndex = -1;
  let featureIndices: number[] = [];
  forEachCsvRecord(text, file, (fields, line) => {
    if (!header) {
      header = checkCsvHeader(fields, file, line);
      const table = { header };
      if (labelColumn !== undefined) labelIndex = csvColumnIndex(table, labelColumn, file);
      if (options.featureColumns) featureIndices = options.featureColumns.map((name) => csvColumnIndex(table, name, file));
      return;
    }
    if (options.onlyColumn === undefined && lines.length === 0 && !options.featureColumns) {
      featureIndices = header.map((_, j) => j).filter((j) => j !== labelIndex && parseDecimal(fields[j]!) !== undefined);
      if (featureIndices.length === 0) throw new DataFileError(file, `line ${line}: no column but the label holds a number, so there are no features`);
    }
    for (const j of featureIndices) {
      const value = parseDecimal(fields[j]!);
      if (value === undefined) throw new DataFileError(file, `line ${line}: column "${header[j]}" holds "${fields[j]}", not a number`);
      values.push(value);
    }
    if (labelIndex >= 0) labelValues.push(fields[labelIndex]!);
    lines.push(line);
  });
  if (!header) throw new DataFileError(file, 'is empty (no header row)');
  if (lines.length === 0) throw new DataFileError(file, 'has a header but no rows');
  const names = header;
  const result: TabularData = {
    count: lines.length,
    exampleShape: [featureIndices.length],
    values: values.finish(),
    columns: featureIndices.map((j) => names[j]!),
    lines: lines.finish(),
  };
  if (labelIndex >= 0) result.labelValues = labelValues;
  return result;
}

const MAX_ARRAY_RANK = 8;

/** Shape of a rectangular nested array of finite numbers ([] for a number), or undefined. */
function numericShape(value: unknown, depth = 0): number[] | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? [] : undefined;
  if (!Array.isArray(value) || value.length === 0 || depth >= MAX_ARRAY_RANK) return undefined;
  const inner = numericShape(value[0], depth + 1);
  if (!inner) return undefined;
  for (let i = 1; i < value.length; i++) {
    const shape = numericShape(value[i], depth + 1);
    if (!shape || shape.join() !== inner.join()) return undefined;
  }
  return [value.length, ...inner];
}

function pushFlat(value: unknown, out: FloatBuilder): void {
  if (typeof value === 'number') out.push(value);
  else for (const item of value as unknown[]) pushFlat(item, out);
}

function labelText(value: unknown, column: string, file: string, line: number): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  const what = value === undefined ? 'is missing' : `is ${JSON.stringify(value)}, not a string or number`;
  throw new DataFileError(file, `line ${line}: "${column}" ${what}`);
}

export function readJsonlTable(text: string, file: string, options: TabularOptions): TabularData {
  checkFeatureList(options.featureColumns, options.labelColumn, file);
  const values = new FloatBuilder(options.maxValues, () => overflow(file, options.maxValues));
  const lines = new IntBuilder();
  const labelValues: string[] = [];
  const labelColumn = options.onlyColumn ?? options.labelColumn;
  let features: { name: string; shape: number[] }[] | undefined;
  forEachJsonlRecord(text, file, (record: JsonRecord, line) => {
    if (labelColumn !== undefined) labelValues.push(labelText(record[labelColumn], labelColumn, file, line));
    lines.push(line);
    if (options.onlyColumn !== undefined) return;
    if (!features) {
      const names = options.featureColumns ?? Object.keys(record).filter((key) => key !== labelColumn && numericShape(record[key]) !== undefined);
      if (names.length === 0) throw new DataFileError(file, `line ${line}: no key but the label holds a number or numeric array, so there are no features`);
      features = names.map((name) => {
        const shape = numericShape(record[name]);
        if (!shape) throw new DataFileError(file, `line ${line}: "${name}" is not a number or a rectangular array of numbers`);
        return { name, shape };
      });
    }
    for (const { name, shape } of features) {
      const value = record[name];
      const actual = numericShape(value);
      if (!actual || actual.join() !== shape.join()) {
        const expected = shape.length === 0 ? 'a number' : `a numeric array of shape [${shape.join(', ')}]`;
        throw new DataFileError(file, `line ${line}: "${name}" ${value === undefined ? 'is missing' : 'is not ' + expected}`);
      }
      pushFlat(value, values);
    }
  });
  if (lines.length === 0) throw new DataFileError(file, 'has no records');
  const columns = features?.map((f) => f.name) ?? [];
  const single = features?.length === 1 ? features[0]! : undefined;
  const width = features?.reduce((sum, f) => sum + f.shape.reduce((a, b) => a * b, 1), 0) ?? 0;
  const result: TabularData = {
    count: lines.length,
    exampleShape: single && single.shape.length > 0 ? single.shape : [width],
    values: values.finish(),
    columns,
    lines: lines.finish(),
  };
  if (labelColumn !== undefined) result.labelValues = labelValues;
  return result;
}
