/**
 * A small, strict zip reader (enough for .npz) and a writer for fixtures.
 * Sizes come from the central directory and are checked against the file and
 * the caller's cap before anything is inflated; names that could escape a
 * folder when extracted are rejected outright, even though nothing is
 * extracted to disk here, because such an archive is hostile.
 */
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { crc32 } from './crc32';
import { DataFileError } from './errors';

const EOCD_SIGNATURE = 0x06054b50;
const CENTRAL_SIGNATURE = 0x02014b50;
const LOCAL_SIGNATURE = 0x04034b50;
const EOCD_BYTES = 22;
const CENTRAL_BYTES = 46;
const LOCAL_BYTES = 30;
const MAX_COMMENT_BYTES = 0xffff;
const ZIP64_MARK = 0xffffffff;
const FLAG_ENCRYPTED = 0x0001;
const FLAG_STRONG_ENCRYPTION = 0x0040;
const FLAG_MASKED_DIRECTORY = 0x2000;
const FLAG_UTF8 = 0x0800;

export interface ZipEntry {
  name: string;
  method: 0 | 8;
  crc32: number;
  compressedSize: number;
  uncompressedSize: number;
  localHeaderOffset: number;
  rawName: Uint8Array;
}

export interface ZipArchive {
  entries: ZipEntry[];
  centralDirectoryOffset: number;
}

function findEndOfCentralDirectory(view: DataView): number | undefined {
  const last = view.byteLength - EOCD_BYTES;
  const first = Math.max(0, last - MAX_COMMENT_BYTES);
  for (let at = last; at >= first; at--) {
    if (view.getUint32(at, true) === EOCD_SIGNATURE && view.getUint16(at + 20, true) === view.byteLength - at - EOCD_BYTES) return at;
  }
  return undefined;
}

/** Why a member name is unsafe, or undefined when it is a plain relative path. */
export function zipNameProblem(name: string): string | undefined {
  if (name.length === 0) return 'is empty';
  if (name.includes('\0')) return 'contains a NUL character';
  if (/^[\\/]/.test(name) || /^[A-Za-z]:/.test(name)) return 'is an absolute path';
  if (name.split(/[\\/]/).includes('..')) return "contains a '..' segment";
  return undefined;
}

function readUint64(view: DataView, at: number, file: string, what: string): number {
  const low = view.getUint32(at, true);
  const high = view.getUint32(at + 4, true);
  if (high >= 2 ** 21) throw new DataFileError(file, `declares a zip64 ${what} beyond any reasonable size`);
  return high * 2 ** 32 + low;
}

/** Replaces 0xFFFFFFFF placeholders with the 64-bit values of the zip64 extra field, in the order the spec fixes. */
function applyZip64Extra(view: DataView, extraStart: number, extraLength: number, sizes: number[], file: string, name: string): void {
  const wanted = sizes.map((value) => value === ZIP64_MARK);
  if (!wanted.includes(true)) return;
  let at = extraStart;
  const end = extraStart + extraLength;
  while (at + 4 <= end) {
    const id = view.getUint16(at, true);
    const size = view.getUint16(at + 2, true);
    if (at + 4 + size > end) break;
    if (id === 0x0001) {
      let field = at + 4;
      const labels = ['uncompressed size', 'compressed size', 'local header offset'];
      for (let i = 0; i < sizes.length; i++) {
        if (!wanted[i]) continue;
        if (field + 8 > at + 4 + size) throw new DataFileError(file, `entry "${name}" has a truncated zip64 extra field`);
        sizes[i] = readUint64(view, field, file, labels[i]!);
        field += 8;
      }
      return;
    }
    at += 4 + size;
  }
  throw new DataFileError(file, `entry "${name}" uses zip64 sizes without a zip64 extra field`);
}

export function readZipDirectory(bytes: Uint8Array, file: string, maxEntries = 10_000): ZipArchive {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < EOCD_BYTES) throw new DataFileError(file, `is ${bytes.length} bytes, too short for a zip archive`);
  const eocd = findEndOfCentralDirectory(view);
  if (eocd === undefined) throw new DataFileError(file, 'is not a zip archive (no end-of-central-directory record)');
  const disk = view.getUint16(eocd + 4, true);
  const directoryDisk = view.getUint16(eocd + 6, true);
  const entriesOnDisk = view.getUint16(eocd + 8, true);
  const entryCount = view.getUint16(eocd + 10, true);
  const directorySize = view.getUint32(eocd + 12, true);
  const directoryOffset = view.getUint32(eocd + 16, true);
  if (entryCount === 0xffff || directorySize === ZIP64_MARK || directoryOffset === ZIP64_MARK) {
    throw new DataFileError(file, 'is a zip64 archive at the archive level (over 65535 entries or 4 GiB), which is not supported');
  }
  if (disk !== 0 || directoryDisk !== 0 || entriesOnDisk !== entryCount) throw new DataFileError(file, 'is a multi-disk zip archive, which is not supported');
  if (entryCount > maxEntries) throw new DataFileError(file, `has ${entryCount} entries, more than the limit of ${maxEntries}`);
  if (directoryOffset + directorySize > eocd || entryCount * CENTRAL_BYTES > directorySize) {
    throw new DataFileError(file, 'has a central directory that does not fit in the file');
  }
  const entries: ZipEntry[] = [];
  const seen = new Set<string>();
  let at = directoryOffset;
  const end = directoryOffset + directorySize;
  for (let i = 0; i < entryCount; i++) {
    if (at + CENTRAL_BYTES > end || view.getUint32(at, true) !== CENTRAL_SIGNATURE) {
      throw new DataFileError(file, `has a corrupt central directory (entry ${i})`);
    }
    const flags = view.getUint16(at + 8, true);
    const method = view.getUint16(at + 10, true);
    const nameLength = view.getUint16(at + 28, true);
    const extraLength = view.getUint16(at + 30, true);
    const commentLength = view.getUint16(at + 32, true);
    const next = at + CENTRAL_BYTES + nameLength + extraLength + commentLength;
    if (next > end) throw new DataFileError(file, `has a corrupt central directory (entry ${i} runs past it)`);
    const rawName = bytes.subarray(at + CENTRAL_BYTES, at + CENTRAL_BYTES + nameLength);
    const name = Buffer.from(rawName).toString(flags & FLAG_UTF8 ? 'utf8' : 'latin1');
    const problem = zipNameProblem(name);
    if (problem) throw new DataFileError(file, `has an entry named "${name}" that ${problem}; such an archive could write outside its folder and is rejected`);
    if (seen.has(name)) throw new DataFileError(file, `has two entries named "${name}"`);
    seen.add(name);
    if (flags & (FLAG_ENCRYPTED | FLAG_STRONG_ENCRYPTION | FLAG_MASKED_DIRECTORY)) throw new DataFileError(file, `entry "${name}" is encrypted, which is not supported`);
    if (method !== 0 && method !== 8) throw new DataFileError(file, `entry "${name}" uses compression method ${method}; only stored (0) and deflate (8) are supported`);
    const sizes = [view.getUint32(at + 24, true), view.getUint32(at + 20, true), view.getUint32(at + 42, true)];
    applyZip64Extra(view, at + CENTRAL_BYTES + nameLength, extraLength, sizes, file, name);
    const [uncompressedSize, compressedSize, localHeaderOffset] = sizes as [number, number, number];
    if (localHeaderOffset + LOCAL_BYTES + compressedSize > directoryOffset) {
      throw new DataFileError(file, `entry "${name}" declares ${compressedSize} compressed bytes that do not fit before the central directory`);
    }
    entries.push({ name, method, crc32: view.getUint32(at + 16, true), compressedSize, uncompressedSize, localHeaderOffset, rawName });
    at = next;
  }
  return { entries, centralDirectoryOffset: directoryOffset };
}

/** Inflates one entry; its declared size is checked against `maxBytes` before any inflation. */
export function extractZipEntry(bytes: Uint8Array, archive: ZipArchive, entry: ZipEntry, file: string, maxBytes: number): Buffer {
  const where = `entry "${entry.name}"`;
  if (entry.uncompressedSize > maxBytes) {
    throw new DataFileError(file, `${where} declares ${entry.uncompressedSize} bytes uncompressed, more than the limit of ${maxBytes}`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const local = entry.localHeaderOffset;
  if (view.getUint32(local, true) !== LOCAL_SIGNATURE) throw new DataFileError(file, `${where} has no local header at offset ${local}`);
  if (view.getUint16(local + 6, true) & (FLAG_ENCRYPTED | FLAG_STRONG_ENCRYPTION)) throw new DataFileError(file, `${where} is encrypted, which is not supported`);
  const nameLength = view.getUint16(local + 26, true);
  const extraLength = view.getUint16(local + 28, true);
  const dataStart = local + LOCAL_BYTES + nameLength + extraLength;
  if (dataStart + entry.compressedSize > archive.centralDirectoryOffset) throw new DataFileError(file, `${where} runs into the central directory`);
  if (!Buffer.from(bytes.subarray(local + LOCAL_BYTES, local + LOCAL_BYTES + nameLength)).equals(entry.rawName)) {
    throw new DataFileError(file, `${where} has a different name in its local header`);
  }
  const compressed = bytes.subarray(dataStart, dataStart + entry.compressedSize);
  let data: Buffer;
  if (entry.method === 0) {
    if (entry.compressedSize !== entry.uncompressedSize) throw new DataFileError(file, `${where} is stored but its two sizes differ`);
    data = Buffer.from(compressed);
  } else {
    try {
      data = inflateRawSync(compressed, { maxOutputLength: Math.max(1, entry.uncompressedSize) });
    } catch (error) {
      if ((error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') throw new DataFileError(file, `${where} inflates to more than its declared ${entry.uncompressedSize} bytes`);
      throw new DataFileError(file, `${where} is not valid deflate data (${(error as Error).message})`);
    }
  }
  if (data.length !== entry.uncompressedSize) throw new DataFileError(file, `${where} holds ${data.length} bytes, not the declared ${entry.uncompressedSize}`);
  const actual = crc32(data);
  if (actual !== entry.crc32) {
    throw new DataFileError(file, `${where} fails its CRC-32 check (stored ${entry.crc32.toString(16)}, computed ${actual.toString(16)})`);
  }
  return data;
}

/** A plain zip archive (stored, or deflated when asked), as small test fixtures and demo files need. */
export function writeZip(entries: readonly { name: string; data: Uint8Array }[], options: { deflate?: boolean } = {}): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  const dosDate = (1 << 5) | 1; // 1980-01-01
  for (const { name, data } of entries) {
    const nameBytes = Buffer.from(name, 'utf8');
    const method = options.deflate ? 8 : 0;
    const body = options.deflate ? deflateRawSync(data) : Buffer.from(data);
    const crc = crc32(data);
    const local = Buffer.alloc(LOCAL_BYTES);
    local.writeUInt32LE(LOCAL_SIGNATURE, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(FLAG_UTF8, 6);
    local.writeUInt16LE(method, 8);
    local.writeUInt16LE(dosDate, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameBytes.length, 26);
    const central = Buffer.alloc(CENTRAL_BYTES);
    central.writeUInt32LE(CENTRAL_SIGNATURE, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(FLAG_UTF8, 8);
    central.writeUInt16LE(method, 10);
    central.writeUInt16LE(dosDate, 14);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(body.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(nameBytes.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, nameBytes, body);
    centrals.push(central, nameBytes);
    offset += local.length + nameBytes.length + body.length;
  }
  const directory = Buffer.concat(centrals);
  const eocd = Buffer.alloc(EOCD_BYTES);
  eocd.writeUInt32LE(EOCD_SIGNATURE, 0);
  eocd.writeUInt16LE(entries.length, 8);
  eocd.writeUInt16LE(entries.length, 10);
  eocd.writeUInt32LE(directory.length, 12);
  eocd.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, eocd]);
}
