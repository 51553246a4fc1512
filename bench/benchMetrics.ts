/** Small measurements for the bench: ranking quality against known answers, and a process's peak memory. Pure except readPeakRss. */
import { readFileSync } from 'node:fs';

export interface RankingQuality {
  k: number;
  hits: number;
  relevant: number;
  precision: number;
  recall: number;
}

/** precision@k = hits in the first k / k; recall@k = hits in the first k / number relevant. */
export function precisionRecallAtK(ranked: readonly number[], relevant: ReadonlySet<number>, k: number): RankingQuality {
  if (!Number.isInteger(k) || k <= 0) throw new Error(`k must be a positive integer, got ${k}`);
  const top = ranked.slice(0, k);
  const hits = new Set(top.filter((i) => relevant.has(i))).size;
  return { k, hits, relevant: relevant.size, precision: hits / k, recall: relevant.size === 0 ? Number.NaN : hits / relevant.size };
}

/** VmHWM (peak resident set size) from the text of /proc/<pid>/status, in bytes; undefined when absent. */
export function parseVmHwm(status: string): number | undefined {
  const match = /^VmHWM:\s+(\d+)\s+kB$/m.exec(status);
  return match ? Number(match[1]) * 1024 : undefined;
}

/** The peak RSS of a live process, in bytes; undefined where /proc is not available (not Linux) or the process is gone. */
export function readPeakRss(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    return parseVmHwm(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return undefined;
  }
}

export function mebibytes(bytes: number): string {
  return `${(bytes / (1 << 20)).toFixed(0)} MiB`;
}
