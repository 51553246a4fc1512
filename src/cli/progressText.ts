/** Progress lines for the CLI's stderr; pure, so it can be tested. */
import type { Progress } from '../protocol/rpc';

/** "45 s", "3 min 05 s", "2 h 07 min". */
export function formatEta(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
  const minutes = Math.round(s / 60);
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} min`;
}

/** "  42% building the index (ETA 1 min 10 s)". */
export function formatProgress({ message, fraction, etaSeconds }: Progress): string {
  const percent = fraction === undefined || !Number.isFinite(fraction) ? '' : `${Math.round(100 * Math.min(1, Math.max(0, fraction)))}% `;
  const eta = etaSeconds === undefined || !Number.isFinite(etaSeconds) ? '' : ` (ETA ${formatEta(etaSeconds)})`;
  return `  ${percent}${message}${eta}`;
}
