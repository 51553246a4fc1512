/**
 * Activation-grounded first-layer rules for a NEON model built on a hidden
 * layer a = encoder(x) (NEON paper, Appendix A). Relevance that is to travel
 * further down must sit on activated neurons: a neuron with a_i = 0 has no
 * pixel pattern to send it to. Each rule therefore splits R_k into a term
 * proportional to a (R^dot, propagated with shares a_i·v_i / aᵀv) and a
 * residual that is dissipated, and every relevance carries a factor a_i.
 * The explained output is then only partly propagated: `residual` reports
 * the rest, so the share that reaches the pixels is visible.
 */
import { assertFiniteNumber } from '../attribution/validate';
import { clusterForward, defaultClusterBeta, neuraliseClusterMembership } from './clusterMembership';
import type { KdeModel } from './kde';
import { nearestCentroid } from './kmeans';
import { outlierForward } from './outlierness';
import { checkPoints, checkPositive, checkQuery, type Points } from './points';
import { softArgmin } from './pooling';
import { checkRandomFeatures, projections, type RandomFeatures } from './randomFeatures';

export interface GroundedRelevance {
  /** The neuralised model's output at a. */
  output: number;
  /** Relevance of every activation a_i; zero wherever a_i = 0. */
  relevance: Float64Array;
  /** Σ_i relevance_i. */
  propagated: number;
  /** output − propagated: the dissipated, non-groundable part. */
  residual: number;
}

export interface GroundedSoftminOptions {
  /** Soft-argmin stiffness; defaults as in the input-space explanations. */
  beta?: number;
}

export interface GroundedClusterOptions extends GroundedSoftminOptions {
  /** The explained cluster; the one a is assigned to when absent. */
  cluster?: number;
}

export interface GroundedInlierOptions {
  /**
   * ε_j = ε·sign(ω_j·a) in the cosine term's denominator. Dissipates the share
   * ε / (ε + |ω_j·a|) of each R_j^cos; 0.1 keeps over 90% where |ω_j·a| ≥ 1,
   * the typical scale when γ makes γ‖a − u‖² of order 1.
   */
  epsilon?: number;
}

export const DEFAULT_GROUNDED_INLIER_EPSILON = 0.1;

function finish(output: number, relevance: Float64Array): GroundedRelevance {
  let propagated = 0;
  for (const r of relevance) propagated += r;
  return { output, relevance, propagated, residual: output - propagated };
}

/**
 * A.1 outlierness: R_k^dot = p_k aᵀ(a − u_k), shared by a_i (a_i − u_ik).
 * Summed over k this is R_i = a_i (a_i − Σ_k p_k u_ik); the residual is
 * Σ_k p_k (u_kᵀ(u_k − a) + LME{h_k' − h_k}).
 */
export function groundedOutlierRelevance(model: KdeModel, a: ArrayLike<number>, options: GroundedSoftminOptions = {}): GroundedRelevance {
  const { h, output } = outlierForward(model, a);
  const beta = options.beta ?? model.gamma;
  checkPositive(beta, 'beta');
  const p = softArgmin(h, beta);
  const { values, dim } = model.data;
  const pulled = new Float64Array(dim);
  for (let k = 0; k < h.length; k++) {
    if (p[k] === 0) continue;
    for (let i = 0; i < dim; i++) pulled[i]! += p[k]! * values[k * dim + i]!;
  }
  return finish(output, Float64Array.from({ length: dim }, (_, i) => a[i]! * (a[i]! - pulled[i]!)));
}

/**
 * A.3 cluster membership: R_k^dot = p_k aᵀw_k, shared by a_i w_ik, so
 * R_i = a_i Σ_k p_k w_ik; the residual is Σ_k p_k (b_k + f_c − h_k).
 */
export function groundedClusterRelevance(centroids: Points, a: ArrayLike<number>, options: GroundedClusterOptions = {}): GroundedRelevance {
  checkPoints(centroids, 'centroids');
  checkQuery(a, centroids.dim, 'a');
  const cluster = options.cluster ?? nearestCentroid(centroids, a);
  const network = neuraliseClusterMembership(centroids, cluster);
  const beta = options.beta ?? defaultClusterBeta(centroids, cluster);
  checkPositive(beta, 'beta');
  const { h, output } = clusterForward(network, a);
  const p = softArgmin(h, beta, cluster);
  const { dim } = centroids;
  const direction = new Float64Array(dim);
  for (let k = 0; k < centroids.count; k++) {
    if (k === cluster || p[k] === 0) continue;
    for (let i = 0; i < dim; i++) direction[i]! += p[k]! * network.weights.values[k * dim + i]!;
  }
  return finish(output, Float64Array.from({ length: dim }, (_, i) => a[i]! * direction[i]!));
}

/** sin(z)/z, 1 at 0: the sine term divides by z without blowing up. */
function sinc(z: number): number {
  return Math.abs(z) < 1e-8 ? 1 - (z * z) / 6 : Math.sin(z) / z;
}

/**
 * A.2 inlierness by random features: with z_j = ω_j·a and c_j = √2 μ_j / H,
 * R_j = h_j / H = −sin(z_j) sin(b_j) c_j + cos(z_j) cos(b_j) c_j = R_j^sin + R_j^cos, and
 * R_i = Σ_j a_i ω_ij (R_j^sin / z_j + R_j^cos / (z_j + ε_j)).
 * The sine term is conserved exactly; the cosine term dissipates
 * Σ_j R_j^cos ε_j / (z_j + ε_j), which is what `residual` reports.
 */
export function groundedInlierRelevance(features: RandomFeatures, a: ArrayLike<number>, options: GroundedInlierOptions = {}): GroundedRelevance {
  checkRandomFeatures(features);
  checkQuery(a, features.dim, 'a');
  const epsilon = options.epsilon ?? DEFAULT_GROUNDED_INLIER_EPSILON;
  assertFiniteNumber(epsilon, 'epsilon', 0);
  const { count, dim, omega, phase, mu } = features;
  const z = projections(features, a);
  const direction = new Float64Array(dim);
  let output = 0;
  for (let j = 0; j < count; j++) {
    const c = (Math.SQRT2 * mu[j]!) / count;
    const zj = z[j]!;
    output += c * Math.cos(zj + phase[j]!);
    // R^sin / z = −c sin(b) sinc(z); R^cos / (z + ε sign z), sign(0) = +1 so ε > 0 never divides by zero.
    const cosDenominator = zj + (zj >= 0 ? epsilon : -epsilon);
    const cosShare = cosDenominator === 0 ? 0 : (c * Math.cos(zj) * Math.cos(phase[j]!)) / cosDenominator;
    const perUnit = -c * Math.sin(phase[j]!) * sinc(zj) + cosShare;
    for (let i = 0; i < dim; i++) direction[i]! += omega[j * dim + i]! * perUnit;
  }
  return finish(output, Float64Array.from({ length: dim }, (_, i) => a[i]! * direction[i]!));
}
