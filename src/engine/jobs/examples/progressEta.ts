/**
 * Progress with an estimated time left. The rate is measured from the first
 * report onwards (start-up costs such as loading a model are not counted), and
 * no ETA is given until enough work has been seen to trust it.
 */
import type { Progress } from '../../../protocol/rpc';

const MIN_SECONDS_FOR_ETA = 1;
const MIN_FRACTION_FOR_ETA = 0.01;

export function progressWithEta(send: (progress: Progress) => void, now: () => number = () => performance.now(), intervalMs = 200): (message: string, fraction: number) => void {
  let first: { time: number; fraction: number } | undefined;
  let last = -Infinity;
  return (message, raw) => {
    const fraction = Math.max(0, Math.min(1, raw));
    const time = now();
    first ??= { time, fraction };
    if (fraction > 0 && fraction < 1 && time - last < intervalMs) return;
    last = time;
    const elapsed = (time - first.time) / 1000;
    const done = fraction - first.fraction;
    const progress: Progress = { message, fraction };
    if (fraction < 1 && elapsed >= MIN_SECONDS_FOR_ETA && done >= MIN_FRACTION_FOR_ETA) progress.etaSeconds = (elapsed * (1 - fraction)) / done;
    send(progress);
  };
}
