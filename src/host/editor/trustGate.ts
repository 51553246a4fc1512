/**
 * Workspace Trust. In Restricted Mode the engine never starts (it would load
 * model and data files from an untrusted workspace), and every command refuses
 * with a message, whether it was picked from a menu or called with
 * `executeCommand`. Free of `vscode`: the trust state comes in as a function.
 */

export const RESTRICTED_MODE_MESSAGE =
  'Model Debugger is disabled in Restricted Mode: explaining a checkpoint starts an engine that loads model and data files from this workspace. Trust the workspace to use it.';

export class RestrictedModeError extends Error {
  constructor(what?: string) {
    super(what ? `${what}: ${RESTRICTED_MODE_MESSAGE}` : RESTRICTED_MODE_MESSAGE);
    this.name = 'RestrictedModeError';
  }
}

export type IsTrusted = () => boolean;

/**
 * Wraps a command handler: in Restricted Mode it calls `refuse` (which shows
 * the message) instead of the handler, and resolves to undefined.
 */
export function trustedOnly<A extends unknown[], R>(isTrusted: IsTrusted, refuse: (message: string) => void, handler: (...args: A) => R): (...args: A) => R | undefined {
  return (...args: A) => {
    if (!isTrusted()) {
      refuse(RESTRICTED_MODE_MESSAGE);
      return undefined;
    }
    return handler(...args);
  };
}
