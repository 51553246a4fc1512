/**
 * When to escalate while stopping the engine within a time budget: ask it to
 * shut down, then SIGTERM, then SIGKILL early enough that the kill lands
 * inside the budget (VS Code gives `deactivate` only a few seconds).
 */

export const DEFAULT_STOP_BUDGET_MS = 2_000;

export interface StopSchedule {
  /** How long the shutdown request may take; SIGTERM follows. */
  terminateAtMs: number;
  killAtMs: number;
}

export function stopSchedule(budgetMs: number = DEFAULT_STOP_BUDGET_MS): StopSchedule {
  if (!Number.isFinite(budgetMs) || budgetMs <= 0) throw new RangeError(`stopSchedule: budgetMs must be a positive number, got ${budgetMs}`);
  return { terminateAtMs: Math.round(budgetMs * 0.5), killAtMs: Math.round(budgetMs * 0.8) };
}
