/**
 * The label as written in a row: reading it (to check a flagged row still
 * holds the flagged label) and writing the suggested one the way the file
 * already writes labels (a class index or a class name; quoted when needed).
 */
import { formatCsvField } from '../dataLines/csvRows';
import type { SuspiciousTrainingExample } from '../../protocol/engineProtocol';
import type { TextFormat } from './labelTarget';

/** The engine's strict decimal test (src/engine/data/text.ts). */
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

export function parseDecimal(text: string): number | undefined {
  const trimmed = text.trim();
  if (!DECIMAL.test(trimmed)) return undefined;
  const value = Number(trimmed);
  return Number.isFinite(value) ? value : undefined;
}

/** A label value read from a row. `json` says how a JSONL value was written (a number or a string). */
export interface WrittenLabel {
  /** The value as the engine sees it, trimmed. */
  text: string;
  json?: 'number' | 'string';
}

/** The value of a CSV field as written (quotes included), unquoted and trimmed as the engine reads it. */
export function csvFieldValue(raw: string): string {
  const trimmedStart = raw.replace(/^[ \t]+/, '');
  if (trimmedStart.startsWith('"')) {
    const close = trimmedStart.lastIndexOf('"');
    const inner = close > 0 ? trimmedStart.slice(1, close) : trimmedStart.slice(1);
    return inner.replace(/""/g, '"').trim();
  }
  return raw.trim();
}

/** The JSON value text of a JSONL field, as a WrittenLabel; undefined when it is neither a string nor a number. */
export function jsonlWrittenLabel(rawValue: string): WrittenLabel | undefined {
  let value: unknown;
  try {
    value = JSON.parse(rawValue);
  } catch {
    return undefined;
  }
  if (typeof value === 'number' && Number.isFinite(value)) return { text: String(value), json: 'number' };
  if (typeof value === 'string') return { text: value.trim(), json: 'string' };
  return undefined;
}

/** Whether a row's label is still the one the engine flagged: the same index, or the same class name. */
export function labelMatches(written: WrittenLabel, example: Pick<SuspiciousTrainingExample, 'label' | 'labelName'>): boolean {
  const number = parseDecimal(written.text);
  if (number !== undefined) return number === example.label;
  return example.labelName !== undefined && written.text === example.labelName;
}

/**
 * The replacement text for the label field, or undefined when the suggestion
 * cannot be written the file's way (a named label without a suggested name).
 * The existing label decides: digits get the suggested index, names the name.
 */
export function formatSuggestedLabel(format: TextFormat, written: WrittenLabel, example: Pick<SuspiciousTrainingExample, 'suggestedLabel' | 'suggestedLabelName'>): string | undefined {
  if (example.suggestedLabel === undefined) return undefined;
  const numeric = parseDecimal(written.text) !== undefined;
  const value = numeric ? String(example.suggestedLabel) : example.suggestedLabelName;
  if (value === undefined) return undefined;
  if (format === 'csv') return formatCsvField(value);
  return written.json === 'number' && numeric ? value : JSON.stringify(value);
}

export interface JsonField {
  /** UTF-16 offsets of the value inside the line. */
  start: number;
  end: number;
  raw: string;
}

/**
 * The value of a top-level key in one JSON object line, by offsets; the last
 * one when the key repeats (as JSON.parse keeps it). Undefined when the line
 * is not an object or the key is absent. Never throws on malformed text.
 */
export function jsonlFieldRange(line: string, key: string): JsonField | undefined {
  let i = 0;
  const n = line.length;
  const skipSpace = (): void => {
    while (i < n && /\s/.test(line[i]!)) i++;
  };
  const skipString = (): boolean => {
    // At the opening quote.
    i++;
    while (i < n) {
      const c = line[i]!;
      if (c === '\\') i += 2;
      else if (c === '"') {
        i++;
        return true;
      } else i++;
    }
    return false;
  };
  const skipValue = (): boolean => {
    skipSpace();
    if (i >= n) return false;
    const c = line[i]!;
    if (c === '"') return skipString();
    if (c === '{' || c === '[') {
      let depth = 0;
      while (i < n) {
        const d = line[i]!;
        if (d === '"') {
          if (!skipString()) return false;
          continue;
        }
        if (d === '{' || d === '[') depth++;
        else if (d === '}' || d === ']') {
          depth--;
          if (depth === 0) {
            i++;
            return true;
          }
        }
        i++;
      }
      return false;
    }
    const start = i;
    while (i < n && !/[\s,}\]]/.test(line[i]!)) i++;
    return i > start;
  };
  skipSpace();
  if (line[i] !== '{') return undefined;
  i++;
  let found: JsonField | undefined;
  for (;;) {
    skipSpace();
    if (line[i] === '}') return found;
    if (line[i] !== '"') return found;
    const keyStart = i;
    if (!skipString()) return found;
    let name: unknown;
    try {
      name = JSON.parse(line.slice(keyStart, i));
    } catch {
      return found;
    }
    skipSpace();
    if (line[i] !== ':') return found;
    i++;
    skipSpace();
    const valueStart = i;
    if (!skipValue()) return found;
    if (name === key) found = { start: valueStart, end: i, raw: line.slice(valueStart, i) };
    skipSpace();
    if (line[i] === ',') {
      i++;
      continue;
    }
    return found;
  }
}
