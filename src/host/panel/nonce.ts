import { randomBytes } from 'node:crypto';

/** A fresh CSP nonce per page load: 128 bits from the OS generator, base64url. */
export function createNonce(): string {
  return randomBytes(16).toString('base64url');
}
