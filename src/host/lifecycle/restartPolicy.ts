/**
 * Decides whether a crashed engine is restarted, and after how long. Restarts
 * back off exponentially so a crash loop does not pin a core, and stop once
 * too many crashes fall inside a sliding window: by then restarting is not
 * helping and the user needs to look at the log.
 */

export type Clock = () => number;

export interface RestartPolicyOptions {
  /** Delay before the first restart in a window. */
  initialDelayMs?: number;
  /** The delay doubles per crash in the window up to this. */
  maxDelayMs?: number;
  /** Crashes inside the window at which restarting stops. */
  maxCrashes?: number;
  windowMs?: number;
  now?: Clock;
}

export type RestartDecision =
  | { restart: true; delayMs: number; crashesInWindow: number }
  | { restart: false; crashesInWindow: number };

export const DEFAULT_RESTART_POLICY = {
  initialDelayMs: 500,
  maxDelayMs: 30_000,
  maxCrashes: 5,
  windowMs: 3 * 60_000,
} as const;

function requirePositive(name: string, value: number, integer = false): number {
  if (!Number.isFinite(value) || value <= 0 || (integer && !Number.isInteger(value))) {
    throw new RangeError(`RestartPolicy: ${name} must be a positive ${integer ? 'integer' : 'number'}, got ${value}`);
  }
  return value;
}

export class RestartPolicy {
  private readonly initialDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly maxCrashes: number;
  private readonly windowMs: number;
  private readonly now: Clock;
  private crashTimes: number[] = [];

  constructor(options: RestartPolicyOptions = {}) {
    this.initialDelayMs = requirePositive('initialDelayMs', options.initialDelayMs ?? DEFAULT_RESTART_POLICY.initialDelayMs);
    this.maxDelayMs = requirePositive('maxDelayMs', options.maxDelayMs ?? DEFAULT_RESTART_POLICY.maxDelayMs);
    this.maxCrashes = requirePositive('maxCrashes', options.maxCrashes ?? DEFAULT_RESTART_POLICY.maxCrashes, true);
    this.windowMs = requirePositive('windowMs', options.windowMs ?? DEFAULT_RESTART_POLICY.windowMs);
    if (this.maxDelayMs < this.initialDelayMs) throw new RangeError('RestartPolicy: maxDelayMs must be at least initialDelayMs');
    this.now = options.now ?? Date.now;
  }

  /** Records a crash that happened now and says what to do about it. */
  recordCrash(): RestartDecision {
    const now = this.now();
    this.crashTimes = this.crashTimes.filter((time) => now - time < this.windowMs);
    this.crashTimes.push(now);
    const crashesInWindow = this.crashTimes.length;
    if (crashesInWindow >= this.maxCrashes) return { restart: false, crashesInWindow };
    const delayMs = Math.min(this.maxDelayMs, this.initialDelayMs * 2 ** (crashesInWindow - 1));
    return { restart: true, delayMs, crashesInWindow };
  }

  /** Forgets past crashes: the user asked for a restart, so the next crash starts a new count. */
  reset(): void {
    this.crashTimes = [];
  }

  get windowMinutes(): number {
    return this.windowMs / 60_000;
  }

  get crashLimit(): number {
    return this.maxCrashes;
  }
}
