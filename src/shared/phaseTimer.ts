/** Seconds per named phase of a job, summed when a phase runs more than once; results report them. */
export class PhaseTimer {
  readonly timings: Record<string, number> = {};
  private readonly started = performance.now();

  async run<T>(name: string, work: () => Promise<T>): Promise<T> {
    const t0 = performance.now();
    try {
      return await work();
    } finally {
      this.timings[name] = (this.timings[name] ?? 0) + (performance.now() - t0) / 1000;
    }
  }

  /** The timings with `total`, the seconds since the timer was made. */
  finish(): Record<string, number> {
    this.timings.total = (performance.now() - this.started) / 1000;
    return this.timings;
  }
}
