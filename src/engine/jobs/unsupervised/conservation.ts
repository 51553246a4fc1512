/** How much of a NEON explanation's output its relevance accounts for. */
import type { NeonConservation } from '../../../protocol/engineProtocol';

export function sum(values: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i]!;
  return s;
}

export function conservation(value: number, relevanceSum: number, grounded?: { representationSum: number; groundedResidual: number }): NeonConservation {
  return { relevanceSum, value, dissipated: value - relevanceSum, ...(grounded ?? {}) };
}
