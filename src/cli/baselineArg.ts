/** Turns a command-line baseline into the protocol's spec, reading a .npy file when one is named. */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { AttributeBaselineSpec } from '../protocol/engineProtocol';
import { parseNpy } from '../engine/data/npy';
import type { BaselineArg } from './attributionArgs';

const MAX_BASELINE_BYTES = 512 * 1024 * 1024;

export async function resolveBaselineArg(arg: BaselineArg | undefined): Promise<AttributeBaselineSpec | undefined> {
  if (arg === undefined) return undefined;
  if (arg.kind !== 'file') return arg;
  const file = path.resolve(arg.path);
  const stat = await fs.stat(file).catch(() => undefined);
  if (!stat?.isFile()) throw new Error(`${file}: the baseline file does not exist`);
  if (stat.size > MAX_BASELINE_BYTES) throw new Error(`${file}: the baseline file is larger than ${MAX_BASELINE_BYTES} bytes`);
  if (!file.toLowerCase().endsWith('.npy')) throw new Error(`${file}: the baseline file must be a .npy array`);
  const array = parseNpy(await fs.readFile(file), file);
  // A leading batch dimension of 1 is accepted as well as one example's shape.
  const shape = array.shape.length > 1 && array.shape[0] === 1 ? array.shape.slice(1) : array.shape;
  return { kind: 'file', values: Float32Array.from(array.data as ArrayLike<number>), shape, file };
}
