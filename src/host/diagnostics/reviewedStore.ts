/**
 * Rows a person has looked at and kept: `<workspace>/.modeldebug/reviewed.json`,
 * keyed by manifest, labels file, data row and label (so a row whose label
 * changes is flagged again). The file is in the workspace, so it is read as
 * untrusted: size-capped, every entry validated, bad entries ignored, never a
 * throw. Writes go to a temporary file renamed over the old one.
 */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';

export const REVIEWED_FOLDER = '.modeldebug';
export const REVIEWED_FILE = 'reviewed.json';
export const MAX_REVIEWED_BYTES = 8 * 1024 * 1024;
export const MAX_REVIEWED_ENTRIES = 100_000;
const MAX_PATH_CHARS = 1024;

export interface ReviewedKey {
  /** The manifest, relative to the workspace folder, with forward slashes. */
  manifest: string;
  /** The labels file, the same way. */
  file: string;
  row: number;
  label: number;
}

export interface ReviewedEntry extends ReviewedKey {
  /** ISO time it was marked. */
  at?: string;
}

export interface ParsedReviewed {
  entries: ReviewedEntry[];
  /** Entries ignored because they were malformed. */
  ignored: number;
  /** Why the whole file was ignored, when it was. */
  problem?: string;
}

/** A path inside the workspace as a key: relative, forward slashes; undefined when it is outside. */
export function workspaceKeyPath(workspaceFolder: string, file: string): string | undefined {
  const relative = path.relative(path.resolve(workspaceFolder), path.resolve(file));
  if (relative === '' || relative.startsWith('..') || path.isAbsolute(relative)) return undefined;
  return relative.split(path.sep).join('/');
}

function validPath(value: unknown): value is string {
  return (
    typeof value === 'string' &&
    value.length > 0 &&
    value.length <= MAX_PATH_CHARS &&
    !value.includes('\0') &&
    !value.startsWith('/') &&
    !/^[A-Za-z]:/.test(value) &&
    !value.split('/').includes('..')
  );
}

const validIndex = (value: unknown): value is number => typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;

export function keyString(key: ReviewedKey): string {
  return JSON.stringify([key.manifest, key.file, key.row, key.label]);
}

export function parseReviewed(text: string): ParsedReviewed {
  if (typeof text !== 'string') return { entries: [], ignored: 0, problem: 'is not text' };
  if (text.length > MAX_REVIEWED_BYTES) return { entries: [], ignored: 0, problem: `is larger than ${MAX_REVIEWED_BYTES} bytes` };
  let raw: unknown;
  try {
    raw = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    return { entries: [], ignored: 0, problem: `is not valid JSON (${(error as Error).message})` };
  }
  const list = typeof raw === 'object' && raw !== null && !Array.isArray(raw) ? (raw as Record<string, unknown>).reviewed : undefined;
  if (!Array.isArray(list)) return { entries: [], ignored: 0, problem: 'has no "reviewed" list' };
  const entries: ReviewedEntry[] = [];
  const seen = new Set<string>();
  let ignored = 0;
  for (const item of list.slice(0, MAX_REVIEWED_ENTRIES) as unknown[]) {
    const o = typeof item === 'object' && item !== null && !Array.isArray(item) ? (item as Record<string, unknown>) : undefined;
    if (!o || !validPath(o.manifest) || !validPath(o.file) || !validIndex(o.row) || !validIndex(o.label)) {
      ignored++;
      continue;
    }
    const entry: ReviewedEntry = { manifest: o.manifest, file: o.file, row: o.row, label: o.label };
    if (typeof o.at === 'string' && o.at.length <= 40) entry.at = o.at;
    const key = keyString(entry);
    if (seen.has(key)) continue;
    seen.add(key);
    entries.push(entry);
  }
  ignored += Math.max(0, list.length - MAX_REVIEWED_ENTRIES);
  return { entries, ignored };
}

export function serializeReviewed(entries: readonly ReviewedEntry[]): string {
  return `${JSON.stringify({ version: 1, reviewed: entries }, null, 2)}\n`;
}

/** File access, injectable for tests. */
export interface ReviewedFs {
  readFile(file: string): Promise<string>;
  /** Size and kind without following a final symlink. */
  lstat(file: string): Promise<{ size: number; isFile: boolean; isDirectory: boolean; isSymbolicLink: boolean } | undefined>;
  mkdir(folder: string): Promise<void>;
  writeFile(file: string, text: string): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  unlink(file: string): Promise<void>;
}

export const nodeReviewedFs: ReviewedFs = {
  readFile: (file) => fs.readFile(file, 'utf8'),
  lstat: async (file) => {
    try {
      const s = await fs.lstat(file);
      return { size: s.size, isFile: s.isFile(), isDirectory: s.isDirectory(), isSymbolicLink: s.isSymbolicLink() };
    } catch {
      return undefined;
    }
  },
  mkdir: async (folder) => {
    await fs.mkdir(folder, { recursive: true });
  },
  writeFile: (file, text) => fs.writeFile(file, text, { encoding: 'utf8', flag: 'wx' }),
  rename: (from, to) => fs.rename(from, to),
  unlink: (file) => fs.unlink(file),
};

export class ReviewedStore {
  private readonly keys = new Set<string>();
  private writing: Promise<void> = Promise.resolve();
  readonly folder: string;
  readonly file: string;

  constructor(
    readonly workspaceFolder: string,
    private readonly io: ReviewedFs = nodeReviewedFs,
  ) {
    this.folder = path.join(workspaceFolder, REVIEWED_FOLDER);
    this.file = path.join(this.folder, REVIEWED_FILE);
  }

  has(key: ReviewedKey): boolean {
    return this.keys.has(keyString(key));
  }

  get size(): number {
    return this.keys.size;
  }

  /** Reads the file again; a missing file is an empty store. Resolves with what was wrong, never rejects. */
  async load(): Promise<{ ignored: number; problem?: string }> {
    const parsed = await this.read();
    this.keys.clear();
    for (const entry of parsed.entries) this.keys.add(keyString(entry));
    return parsed.problem === undefined ? { ignored: parsed.ignored } : { ignored: parsed.ignored, problem: parsed.problem };
  }

  /** Adds keys and writes the file (merged with what is on disk now). Rejects with an Error naming the file. */
  add(keys: readonly ReviewedKey[]): Promise<void> {
    const run = this.writing.then(() => this.write(keys));
    this.writing = run.catch(() => undefined);
    return run;
  }

  private async read(): Promise<ParsedReviewed> {
    const info = await this.io.lstat(this.file);
    if (!info) return { entries: [], ignored: 0 };
    if (!info.isFile) return { entries: [], ignored: 0, problem: 'is not a regular file' };
    if (info.size > MAX_REVIEWED_BYTES) return { entries: [], ignored: 0, problem: `is larger than ${MAX_REVIEWED_BYTES} bytes` };
    let text: string;
    try {
      text = await this.io.readFile(this.file);
    } catch (error) {
      return { entries: [], ignored: 0, problem: `cannot be read (${(error as Error).message})` };
    }
    return parseReviewed(text);
  }

  private async write(keys: readonly ReviewedKey[]): Promise<void> {
    const folderInfo = await this.io.lstat(this.folder);
    if (folderInfo && !folderInfo.isDirectory) throw new Error(`${this.folder}: is not a folder (a link or a file), so reviewed rows cannot be saved there`);
    if (!folderInfo) await this.io.mkdir(this.folder);
    const fileInfo = await this.io.lstat(this.file);
    if (fileInfo && !fileInfo.isFile) throw new Error(`${this.file}: is not a regular file, so reviewed rows cannot be saved`);
    const current = await this.read();
    const entries = [...current.entries];
    const known = new Set(entries.map(keyString));
    const at = new Date().toISOString();
    for (const key of keys) {
      const k = keyString(key);
      if (known.has(k)) continue;
      known.add(k);
      entries.push({ manifest: key.manifest, file: key.file, row: key.row, label: key.label, at });
    }
    if (entries.length > MAX_REVIEWED_ENTRIES) throw new Error(`${this.file}: would hold more than ${MAX_REVIEWED_ENTRIES} reviewed rows`);
    const temporary = path.join(this.folder, `.${REVIEWED_FILE}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
    try {
      await this.io.writeFile(temporary, serializeReviewed(entries));
      await this.io.rename(temporary, this.file);
    } catch (error) {
      await this.io.unlink(temporary).catch(() => undefined);
      throw new Error(`${this.file}: cannot be written (${(error as Error).message})`);
    }
    this.keys.clear();
    for (const k of known) this.keys.add(k);
  }
}
