/**
 * Signals a process and everything it started. The engine starts helper
 * processes of its own (the tfjs-node probe), and killing only the engine
 * would leave those running. On POSIX the engine leads its own process group,
 * so a negative pid reaches the whole group; Windows has no groups to signal,
 * and `taskkill /T` walks the tree instead.
 */
import { spawn } from 'node:child_process';

export type TreeSignal = 'SIGTERM' | 'SIGKILL';

export interface ProcessTreeDeps {
  platform: NodeJS.Platform;
  kill(pid: number, signal: TreeSignal): void;
  /** Runs `taskkill` on Windows; errors are ignored (the process may be gone). */
  taskkill(args: string[]): void;
}

const realDeps: ProcessTreeDeps = {
  platform: process.platform,
  kill: (pid, signal) => process.kill(pid, signal),
  taskkill: (args) => {
    const child = spawn('taskkill', args, { stdio: 'ignore', windowsHide: true });
    child.on('error', () => undefined);
  },
};

/** Whether children are started as process-group leaders, which `signalProcessTree` relies on. */
export function startsOwnProcessGroup(platform: NodeJS.Platform = process.platform): boolean {
  return platform !== 'win32';
}

function isGone(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === 'ESRCH';
}

/**
 * Returns false when nothing was left to signal. On Windows both signals
 * force-kill: there is no polite signal to send a console-less child.
 */
export function signalProcessTree(pid: number, signal: TreeSignal, deps: ProcessTreeDeps = realDeps): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) throw new RangeError(`signalProcessTree: pid must be a positive integer, got ${pid}`);
  if (deps.platform === 'win32') {
    deps.taskkill(['/pid', String(pid), '/T', '/F']);
    return true;
  }
  try {
    deps.kill(-pid, signal);
    return true;
  } catch (error) {
    if (!isGone(error)) throw error;
  }
  // No such group (the process was not started as a leader): signal it alone.
  try {
    deps.kill(pid, signal);
    return true;
  } catch (error) {
    if (isGone(error)) return false;
    throw error;
  }
}

/**
 * Kills whatever is left of a process group after its leader exited. Only the
 * group is signalled, never the bare pid: once the leader is reaped its pid
 * may belong to an unrelated process, whereas a live group's id cannot be reused.
 */
export function sweepProcessGroup(leaderPid: number, deps: ProcessTreeDeps = realDeps): void {
  if (!Number.isSafeInteger(leaderPid) || leaderPid <= 0) throw new RangeError(`sweepProcessGroup: pid must be a positive integer, got ${leaderPid}`);
  if (!startsOwnProcessGroup(deps.platform)) return;
  try {
    deps.kill(-leaderPid, 'SIGKILL');
  } catch (error) {
    if (!isGone(error)) throw error;
  }
}
