/**
 * Reads a whole regular file after checking its size, through one file handle
 * so the size checked is the size read (no stat-then-open race).
 */
import { open, type FileHandle } from 'node:fs/promises';
import { DataFileError } from './errors';

export const DEFAULT_MAX_FILE_BYTES = 2 * 1024 ** 3;

function describeOpenError(error: unknown): string {
  const code = (error as { code?: string }).code;
  if (code === 'ENOENT') return 'does not exist';
  if (code === 'EACCES' || code === 'EPERM') return 'cannot be read (permission denied)';
  if (code === 'EISDIR') return 'is a folder, not a file';
  return `cannot be opened (${(error as Error).message})`;
}

/** Opens `realPath`; errors name `displayPath`, the path the user wrote. */
export async function readFileCapped(realPath: string, displayPath: string, maxBytes: number): Promise<Buffer> {
  let handle: FileHandle;
  try {
    handle = await open(realPath, 'r');
  } catch (error) {
    throw new DataFileError(displayPath, describeOpenError(error));
  }
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) throw new DataFileError(displayPath, stats.isDirectory() ? 'is a folder, not a file' : 'is not a regular file');
    if (stats.size > maxBytes) throw new DataFileError(displayPath, `is ${stats.size} bytes, more than the limit of ${maxBytes}`);
    const buffer = Buffer.allocUnsafe(stats.size);
    let filled = 0;
    while (filled < buffer.length) {
      const { bytesRead } = await handle.read(buffer, filled, buffer.length - filled, filled);
      if (bytesRead === 0) throw new DataFileError(displayPath, 'shrank while it was being read');
      filled += bytesRead;
    }
    const { bytesRead } = await handle.read(Buffer.alloc(1), 0, 1, filled);
    if (bytesRead !== 0) throw new DataFileError(displayPath, 'grew while it was being read');
    return buffer;
  } catch (error) {
    if (error instanceof DataFileError) throw error;
    throw new DataFileError(displayPath, `could not be read (${(error as Error).message})`);
  } finally {
    await handle.close();
  }
}
