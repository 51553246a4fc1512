/** The dataset format a file name implies: one rule for the engine's loaders and the host's diagnostics. */
import * as path from 'node:path';
import type { DatasetFormat } from '../protocol/manifest';

/** A folder is a PNG folder; otherwise the name decides, and undefined means it implies none. */
export function inferFormat(filePath: string, isDirectory = false): DatasetFormat | undefined {
  if (isDirectory) return 'png-folder';
  const name = path.basename(filePath).toLowerCase();
  if (name.endsWith('.npy')) return 'npy';
  if (name.endsWith('.npz')) return 'npz';
  if (name.endsWith('.csv')) return 'csv';
  if (name.endsWith('.jsonl') || name.endsWith('.ndjson')) return 'jsonl';
  const stem = name.endsWith('.gz') ? name.slice(0, -3) : name;
  if (/(\.idx\d*|-ubyte|\.idx\d*-ubyte)$/.test(stem)) return 'idx';
  return undefined;
}
