/**
 * Gaussian kernel density estimation, p̃(x) = (1/N) Σ_k exp(−γ ‖x − u_k‖²)
 * (unnormalised, as in the NEON paper, Eq. 1). Fitting only stores the data:
 * the model is its sample and bandwidth γ.
 */
import { checkPoints, checkPositive, checkQuery, squaredDistances, type Points } from './points';

export interface KdeModel {
  data: Points;
  /** Kernel bandwidth γ in exp(−γ ‖x − u‖²). */
  gamma: number;
}

export function fitKde(data: Points, gamma: number): KdeModel {
  checkPoints(data, 'data');
  checkPositive(gamma, 'gamma');
  return { data, gamma };
}

export function checkKde(model: KdeModel, name = 'model'): void {
  if (typeof model !== 'object' || model === null) throw new Error(`${name} must be a KDE model { data, gamma }`);
  checkPoints(model.data, `${name}.data`);
  checkPositive(model.gamma, `${name}.gamma`);
}

/** p̃(x), summed directly. Underflows to 0 far from the data; outlierness uses the log-domain network instead. */
export function kdeDensity(model: KdeModel, x: ArrayLike<number>): number {
  checkKde(model);
  checkQuery(x, model.data.dim, 'x');
  const h = squaredDistances(model.data, x);
  let sum = 0;
  for (let k = 0; k < h.length; k++) sum += Math.exp(-model.gamma * h[k]!);
  return sum / h.length;
}
