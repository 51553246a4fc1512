/**
 * A folder of same-sized PNGs listed in `labels.csv` (columns `file` and,
 * optionally, `label`). Each listed name must be a plain file name inside the
 * folder, and symlinks must not lead out of it.
 */
import { resolveInside, type ResolvedPath } from '../model/safePaths';
import { csvColumnIndex, parseCsv } from './csv';
import { DataFileError } from './errors';
import { decodePng, readPngHeader, type PngHeader } from './png';
import { readFileCapped } from './readFile';
import { decodeUtf8 } from './text';

export const PNG_LABELS_FILE = 'labels.csv';

export interface PngFolderOptions {
  maxBytes: number;
  scale: number;
  signal?: AbortSignal;
}

export interface PngFolderData {
  count: number;
  exampleShape: number[];
  values: Float32Array;
  labelFile: string;
  /** 1-based line in labels.csv of each image. */
  lines: Int32Array;
  labelValues?: string[];
}

function plainNameProblem(name: string): string | undefined {
  if (name === '' || name === '.' || name === '..') return 'is not a file name';
  if (/[\\/\0]/.test(name)) return 'must be a plain file name inside the folder (no path separators)';
  return undefined;
}

function describe(header: PngHeader): string {
  return `${header.width}x${header.height} with ${header.channels} channel${header.channels === 1 ? '' : 's'}`;
}

export async function readPngFolder(folder: ResolvedPath, options: PngFolderOptions): Promise<PngFolderData> {
  const labelsPath = await resolveInside(folder.path, PNG_LABELS_FILE);
  const labelFile = labelsPath.path;
  const table = parseCsv(decodeUtf8(await readFileCapped(labelsPath.realPath, labelFile, options.maxBytes), labelFile), labelFile);
  const fileIndex = csvColumnIndex(table, 'file', labelFile);
  const labelIndex = table.header.indexOf('label');
  const count = table.rows.length;
  if (count === 0) throw new DataFileError(labelFile, 'lists no images');
  const names = table.rows.map((row, i) => {
    const name = row[fileIndex]!.trim();
    const problem = plainNameProblem(name);
    if (problem) throw new DataFileError(labelFile, `line ${table.lines[i]}: "${name}" ${problem}`);
    return name;
  });
  let first: { header: PngHeader; name: string } | undefined;
  let values = new Float32Array(0);
  let exampleSize = 0;
  for (let i = 0; i < count; i++) {
    options.signal?.throwIfAborted();
    const image = await resolveInside(folder.path, names[i]!);
    const bytes = await readFileCapped(image.realPath, image.path, options.maxBytes);
    const header = readPngHeader(bytes, image.path);
    if (!first) {
      first = { header, name: names[i]! };
      exampleSize = header.width * header.height * header.channels;
      if (count * exampleSize * 4 > options.maxBytes) {
        throw new DataFileError(labelFile, `lists ${count} images of ${describe(header)}, which need ${count * exampleSize * 4} bytes as float32, more than the limit of ${options.maxBytes}`);
      }
      values = new Float32Array(count * exampleSize);
    } else if (header.width !== first.header.width || header.height !== first.header.height || header.channels !== first.header.channels) {
      throw new DataFileError(
        image.path,
        `is ${describe(header)}, but ${first.name} is ${describe(first.header)}; every image must have the same size (labels.csv line ${table.lines[i]})`,
      );
    }
    const { pixels } = decodePng(bytes, image.path, header);
    const offset = i * exampleSize;
    for (let j = 0; j < exampleSize; j++) values[offset + j] = pixels[j]! * options.scale;
  }
  const { width, height, channels } = first!.header;
  const result: PngFolderData = { count, exampleShape: [height, width, channels], values, labelFile, lines: Int32Array.from(table.lines) };
  if (labelIndex >= 0) result.labelValues = table.rows.map((row) => row[labelIndex]!);
  return result;
}
