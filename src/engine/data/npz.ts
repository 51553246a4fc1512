/** NumPy .npz archives: a zip whose members are .npy files named `<key>.npy`. */
import { DataFileError } from './errors';
import type { NdArray } from './ndarray';
import { parseNpy } from './npy';
import { extractZipEntry, readZipDirectory, writeZip, type ZipEntry } from './zip';

function keyOf(entry: ZipEntry): string {
  return entry.name.endsWith('.npy') ? entry.name.slice(0, -4) : entry.name;
}

function arrayEntries(bytes: Uint8Array, file: string): { archive: ReturnType<typeof readZipDirectory>; arrays: Map<string, ZipEntry> } {
  const archive = readZipDirectory(bytes, file);
  const arrays = new Map<string, ZipEntry>();
  for (const entry of archive.entries) {
    if (entry.name.endsWith('/')) continue;
    const key = keyOf(entry);
    if (arrays.has(key)) throw new DataFileError(file, `has two arrays named "${key}"`);
    arrays.set(key, entry);
  }
  return { archive, arrays };
}

export function listNpzKeys(bytes: Uint8Array, file: string): string[] {
  return [...arrayEntries(bytes, file).arrays.keys()];
}

/**
 * Reads the array `key`; with no key, the archive must hold exactly one
 * array, so a wrong guess can never silently load the wrong data.
 */
export function readNpz(bytes: Uint8Array, file: string, key: string | undefined, maxBytes: number): NdArray {
  const { archive, arrays } = arrayEntries(bytes, file);
  const available = [...arrays.keys()].map((k) => `"${k}"`).join(', ') || '(none)';
  let entry: ZipEntry | undefined;
  if (key === undefined) {
    if (arrays.size !== 1) throw new DataFileError(file, `holds ${arrays.size} arrays (${available}); set "key" to choose one`);
    entry = [...arrays.values()][0];
  } else {
    entry = arrays.get(key);
    if (!entry) throw new DataFileError(file, `has no array "${key}"; available: ${available}`);
  }
  const member = `${file}[${keyOf(entry!)}]`;
  return parseNpy(extractZipEntry(bytes, archive, entry!, file, maxBytes), member);
}

/** An .npz holding the given .npy files under `<key>.npy`. */
export function writeNpz(arrays: Readonly<Record<string, Uint8Array>>, options: { deflate?: boolean } = {}): Buffer {
  return writeZip(
    Object.entries(arrays).map(([key, data]) => ({ name: `${key}.npy`, data })),
    options,
  );
}
