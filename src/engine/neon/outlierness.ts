/**
 * NEON for KDE outlierness (Sec. 3.1): o(x) = −(1/γ) log p̃(x) is exactly
 *   h_k = ‖x − u_k‖²            (layer 1)
 *   o(x) = LME^{−γ}_k {h_k}     (layer 2, a soft min-pool)
 * Relevance goes to the data points by a soft argmin, R_k = p_k o(x), then to
 * the inputs along each point's direction,
 *   R_i = Σ_k ([x − u_k]_i² / (ε + ‖x − u_k‖²)) R_k,
 * which dissipates Σ_k R_k ε / (ε + h_k): the relevance of points that x
 * (nearly) coincides with, which have no direction to share it along.
 */
import { checkKde, type KdeModel } from './kde';
import { checkPositive, checkQuery, squaredDistances } from './points';
import { logMeanExp, softArgmin } from './pooling';

export interface OutlierForward {
  /** h_k = ‖x − u_k‖². */
  h: Float64Array;
  /** o(x). */
  output: number;
}

export interface OutlierExplanationOptions {
  /**
   * Soft-argmin stiffness; default γ, which makes p_k the KDE's own
   * responsibility exp(−γ h_k) / Σ exp(−γ h_k'), i.e. ∂o/∂h_k.
   */
  beta?: number;
  /** Stabiliser in the input rule; relevance of points within ~√ε of x dissipates. */
  epsilon?: number;
}

export interface OutlierExplanation {
  /** o(x). */
  output: number;
  beta: number;
  epsilon: number;
  /** R_k per data point; Σ_k R_k = o(x). */
  layerRelevance: Float64Array;
  /** R_i per input feature. */
  relevance: Float64Array;
  /** o(x) − Σ_i R_i = Σ_k R_k ε / (ε + h_k) ≥ 0. */
  dissipated: number;
}

export const DEFAULT_OUTLIER_EPSILON = 1e-6;

export function outlierForward(model: KdeModel, x: ArrayLike<number>): OutlierForward {
  checkKde(model);
  checkQuery(x, model.data.dim, 'x');
  const h = squaredDistances(model.data, x);
  return { h, output: logMeanExp(h, -model.gamma) };
}

export function explainOutlierness(model: KdeModel, x: ArrayLike<number>, options: OutlierExplanationOptions = {}): OutlierExplanation {
  const { h, output } = outlierForward(model, x);
  const beta = options.beta ?? model.gamma;
  checkPositive(beta, 'beta');
  const epsilon = options.epsilon ?? DEFAULT_OUTLIER_EPSILON;
  checkPositive(epsilon, 'epsilon');
  const p = softArgmin(h, beta);
  const layerRelevance = p.map((pk) => pk * output);
  const { values, dim } = model.data;
  const relevance = new Float64Array(dim);
  let dissipated = 0;
  for (let k = 0; k < h.length; k++) {
    const rk = layerRelevance[k]!;
    if (rk === 0) continue;
    const scale = rk / (epsilon + h[k]!);
    for (let i = 0; i < dim; i++) relevance[i]! += (x[i]! - values[k * dim + i]!) ** 2 * scale;
    dissipated += scale * epsilon;
  }
  return { output, beta, epsilon, layerRelevance, relevance, dissipated };
}
