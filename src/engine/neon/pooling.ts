/**
 * The pooling layers of the neuralised models and their soft-argmin
 * redistribution, in float64 and shifted by the extreme value so that
 * exp() neither overflows nor underflows to an all-zero sum.
 */
import { assertFiniteNumber } from '../attribution/validate';

/**
 * p_k = exp(−β h_k) / Σ_{k'} exp(−β h_{k'}) over every k except `exclude`
 * (p_exclude = 0). β = 0 spreads evenly; large β approaches the hard argmin,
 * with ties shared equally.
 */
export function softArgmin(h: ArrayLike<number>, beta: number, exclude = -1): Float64Array {
  assertFiniteNumber(beta, 'beta', 0);
  let min = Infinity;
  for (let k = 0; k < h.length; k++) if (k !== exclude && h[k]! < min) min = h[k]!;
  if (min === Infinity) throw new Error('softArgmin needs at least one value besides the excluded one');
  const p = new Float64Array(h.length);
  let sum = 0;
  for (let k = 0; k < h.length; k++) {
    if (k === exclude) continue;
    p[k] = Math.exp(-beta * (h[k]! - min));
    sum += p[k]!;
  }
  for (let k = 0; k < h.length; k++) p[k] = p[k]! / sum;
  return p;
}

/**
 * LME^α{h} = (1/α) log((1/N) Σ_k exp(α h_k)), the generalised log-mean-exp
 * pooling; α = −γ makes it the soft min-pooling of the outlier network.
 */
export function logMeanExp(h: ArrayLike<number>, alpha: number): number {
  assertFiniteNumber(alpha, 'alpha');
  if (alpha === 0) throw new Error('alpha must be non-zero (LME at alpha = 0 is the mean, not a log-mean-exp)');
  if (h.length === 0) throw new Error('logMeanExp needs at least one value');
  let max = -Infinity;
  for (let k = 0; k < h.length; k++) max = Math.max(max, alpha * h[k]!);
  let sum = 0;
  for (let k = 0; k < h.length; k++) sum += Math.exp(alpha * h[k]! - max);
  return (max + Math.log(sum / h.length)) / alpha;
}
