/** Reads and validates a manifest file; every failure is a ManifestError naming the file. */
import { ManifestError, MANIFEST_MAX_BYTES, parseManifest, type RunManifest } from '../../protocol/manifest';

export type ReadBytes = (file: string) => Promise<Uint8Array>;

export async function loadManifest(file: string, readBytes: ReadBytes): Promise<RunManifest> {
  let bytes: Uint8Array;
  try {
    bytes = await readBytes(file);
  } catch (error) {
    throw new ManifestError(file, `cannot be read (${error instanceof Error ? error.message : String(error)})`);
  }
  if (bytes.byteLength > MANIFEST_MAX_BYTES) throw new ManifestError(file, `is larger than ${MANIFEST_MAX_BYTES} bytes`);
  return parseManifest(new TextDecoder('utf-8').decode(bytes), file);
}
