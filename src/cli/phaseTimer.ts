/** Wall-clock seconds of named phases, for the timings a report lists. */

export interface PhaseTimer {
  /** Seconds per phase, in the order the phases ran. */
  readonly timings: Record<string, number>;
  /** Runs `work` and records how long it took under `phase`, even when it fails. */
  timed<T>(phase: string, work: () => Promise<T>): Promise<T>;
}

export function phaseTimer(): PhaseTimer {
  const timings: Record<string, number> = {};
  return {
    timings,
    async timed<T>(phase: string, work: () => Promise<T>): Promise<T> {
      const t0 = performance.now();
      try {
        return await work();
      } finally {
        timings[phase] = (performance.now() - t0) / 1000;
      }
    },
  };
}
