/**
 * The engine's side of the IPC channel, and the parent watchdog: if the
 * process that forked us dies (the extension host crashed, the CLI was
 * killed), the engine must not linger burning CPU on a 2-core laptop.
 */
import type { RpcMessage, Transport } from '../protocol/rpc';

export function parentTransport(): Transport {
  if (!process.send) throw new Error('The engine must be started by fork() with an IPC channel.');
  return {
    send(message: RpcMessage) {
      if (process.connected) process.send!(message);
    },
    listen(listener) {
      process.on('message', listener);
      return () => process.off('message', listener);
    },
  };
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Exits when the IPC channel closes or the parent process disappears. */
export function watchParent(onParentGone: () => void, intervalMs = 2000): void {
  const parentPid = process.ppid;
  process.on('disconnect', onParentGone);
  const timer = setInterval(() => {
    if (!process.connected || !isAlive(parentPid) || process.ppid !== parentPid) onParentGone();
  }, intervalMs);
  timer.unref();
}
