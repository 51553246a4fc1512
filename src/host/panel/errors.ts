/** Error text for people, and error payloads for the webview, from whatever was thrown. */
import { ManifestError } from '../../protocol/manifest';
import { RpcError } from '../../protocol/rpc';

export function isCancellation(error: unknown): boolean {
  return error instanceof RpcError && error.code === 'cancelled';
}

/** The message, naming the file when the error carries one the message does not already name. */
export function describeError(error: unknown): string {
  if (error instanceof RpcError || error instanceof ManifestError) {
    const file = error.file;
    return file && !error.message.includes(file) ? `${error.message} (${file})` : error.message;
  }
  if (error instanceof Error) return error.message;
  return String(error);
}

export function toRpcError(error: unknown): RpcError {
  if (error instanceof RpcError) return error;
  if (error instanceof ManifestError) return new RpcError('badInput', error.message, error.file);
  return new RpcError('internal', describeError(error));
}
