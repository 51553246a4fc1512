/** What identifies a file's version without reading it: path, modification time and size. */
import { promises as fs } from 'node:fs';

export interface FileStamp {
  path: string;
  mtimeMs: number;
  size: number;
}

/** A missing file gets mtime and size -1, so it never matches a stamp taken while it existed. */
export async function fileStamp(path: string): Promise<FileStamp> {
  try {
    const stat = await fs.stat(path);
    return { path, mtimeMs: stat.mtimeMs, size: stat.size };
  } catch {
    return { path, mtimeMs: -1, size: -1 };
  }
}
