/**
 * How often the user hears about engine crashes. The manager restarts a
 * crashed engine by itself; during a crash loop the user gets one message at
 * most (the rest go to the log), and then the manager's `failed` message when
 * it gives up. A new episode starts after a manual restart, or once the crash
 * window has passed without a crash. Free of `vscode`.
 */

export const DEFAULT_QUIET_MS = 3 * 60_000;

export class CrashNotices {
  private lastCrashAt: number | undefined;
  private notifiedThisEpisode = false;

  constructor(
    private readonly quietMs: number = DEFAULT_QUIET_MS,
    private readonly now: () => number = Date.now,
  ) {
    if (!Number.isFinite(quietMs) || quietMs <= 0) throw new RangeError(`CrashNotices: quietMs must be positive, got ${quietMs}`);
  }

  /** An engine crashed; true when the user should be told (the first crash of an episode). */
  crashed(): boolean {
    const now = this.now();
    if (this.lastCrashAt !== undefined && now - this.lastCrashAt >= this.quietMs) this.notifiedThisEpisode = false;
    this.lastCrashAt = now;
    if (this.notifiedThisEpisode) return false;
    this.notifiedThisEpisode = true;
    return true;
  }

  /** The user restarted the engine: the next crash is news again. */
  reset(): void {
    this.lastCrashAt = undefined;
    this.notifiedThisEpisode = false;
  }
}
