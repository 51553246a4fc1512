/**
 * The engine's heap limit: the machine-scoped setting `modelDebugger.engine.maxHeapMb`
 * becomes `--max-old-space-size` in the child's execArgv, and the limit the
 * engine reports (v8.getHeapStatistics) is checked against it. Free of `vscode`.
 */

export const MIN_HEAP_MB = 256;
export const MAX_HEAP_MB = 65_536;

/** The setting's value as a limit in MB, or undefined for "the runtime's default" (0, unset, or nonsense). */
export function heapLimitSetting(value: unknown): number | undefined {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) return undefined;
  return Math.min(MAX_HEAP_MB, Math.max(MIN_HEAP_MB, Math.round(value)));
}

export function heapExecArgv(limitMb: number | undefined): string[] {
  return limitMb === undefined ? [] : [`--max-old-space-size=${limitMb}`];
}

/**
 * A warning when the engine runs with another limit than asked for (a runtime
 * that ignores the flag); undefined when it matches or nothing was asked.
 * V8 adds its young generation on top of the old-space size, so up to a
 * quarter more (and a little slack) still matches.
 */
export function checkHeapLimit(requestedMb: number | undefined, reportedMb: number | undefined): string | undefined {
  if (requestedMb === undefined) return undefined;
  if (reportedMb === undefined) return `The engine did not report its heap limit; asked for ${requestedMb} MB.`;
  if (reportedMb < requestedMb * 0.9 || reportedMb > requestedMb * 1.25 + 64) {
    return `The engine runs with a heap limit of ${reportedMb} MB, not the ${requestedMb} MB of modelDebugger.engine.maxHeapMb: its runtime did not take --max-old-space-size.`;
  }
  return undefined;
}
