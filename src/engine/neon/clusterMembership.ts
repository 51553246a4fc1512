/**
 * NEON for k-means cluster membership (Montavon et al., "Explaining the
 * Predictions of Unsupervised Learning Models", Sec. 4.1, after Kauffmann et
 * al. 2019). The evidence for cluster c,
 *   f_c(x) = min_{k≠c} ‖x − μ_k‖² − ‖x − μ_c‖²,
 * is exactly the two-layer network
 *   h_k = w_kᵀx + b_k,  w_k = 2(μ_c − μ_k),  b_k = ‖μ_k‖² − ‖μ_c‖²   (the ‖x‖² terms cancel)
 *   f_c = min_{k≠c} h_k.
 * Relevance goes to the competitors by a soft argmin, R_k = p_k f_c, then to
 * the inputs by R_i = Σ_k (w_ik² / ‖w_k‖²) R_k.
 *
 * Why the w² rule and not the midpoint rule: this paper's Sec. 4.1 states the
 * w² rule. Kauffmann et al.'s midpoint variant, R_ik = (x_i − m_ik) w_ik / h_k ·
 * R_k with m_k = (μ_c + μ_k)/2, divides by h_k, which vanishes on the decision
 * boundary and needs a stabiliser that dissipates relevance; the w² shares sum
 * to 1 for every k, so relevance is conserved exactly. On the axis through two
 * centroids both rules give the same answer.
 */
import { assertInteger } from '../attribution/validate';
import { nearestCentroid } from './kmeans';
import { checkPoints, checkPositive, checkQuery, type Points } from './points';
import { softArgmin } from './pooling';

export interface ClusterNetwork {
  /** The explained cluster c. */
  cluster: number;
  /** Row k is w_k = 2(μ_c − μ_k); row c is zero and unused. [K, dim]. */
  weights: Points;
  /** b_k = ‖μ_k‖² − ‖μ_c‖²; entry c unused. */
  biases: Float64Array;
}

export interface ClusterForward {
  /** h_k for every k; h_c = 0 and is excluded from the min-pool. */
  h: Float64Array;
  /** f_c(x) = min_{k≠c} h_k. */
  output: number;
}

export interface ClusterExplanationOptions {
  /** The explained cluster; the one x is assigned to when absent. */
  cluster?: number;
  /** Soft-argmin stiffness; default 1 / mean_{k≠c} ‖μ_c − μ_k‖², the scale of h at the centroid. */
  beta?: number;
}

export interface ClusterExplanation {
  cluster: number;
  /** f_c(x). */
  output: number;
  beta: number;
  /** R_k on the competitors (R_c = 0); Σ_k R_k = f_c(x). */
  layerRelevance: Float64Array;
  /** R_i on the input features; Σ_i R_i = f_c(x). */
  relevance: Float64Array;
}

export function neuraliseClusterMembership(centroids: Points, cluster: number): ClusterNetwork {
  checkPoints(centroids, 'centroids');
  if (centroids.count < 2) throw new Error(`centroids must hold at least 2 clusters to contrast, got ${centroids.count}`);
  assertInteger(cluster, 'cluster', 0, centroids.count - 1);
  const { dim, count, values } = centroids;
  const weights: Points = { values: new Float64Array(count * dim), count, dim };
  const biases = new Float64Array(count);
  let normC = 0;
  for (let i = 0; i < dim; i++) normC += values[cluster * dim + i]! ** 2;
  for (let k = 0; k < count; k++) {
    if (k === cluster) continue;
    let normK = 0;
    let normW = 0;
    for (let i = 0; i < dim; i++) {
      const w = 2 * (values[cluster * dim + i]! - values[k * dim + i]!);
      weights.values[k * dim + i] = w;
      normK += values[k * dim + i]! ** 2;
      normW += w * w;
    }
    // Coincident centroids give w_k = 0: no direction to send relevance along, and no meaningful contrast.
    if (normW === 0) throw new Error(`centroids ${cluster} and ${k} coincide; cluster membership between them is undefined`);
    biases[k] = normK - normC;
  }
  return { cluster, weights, biases };
}

export function clusterForward(network: ClusterNetwork, x: ArrayLike<number>): ClusterForward {
  const { weights, biases, cluster } = network;
  checkQuery(x, weights.dim, 'x');
  const h = new Float64Array(weights.count);
  let output = Infinity;
  for (let k = 0; k < weights.count; k++) {
    if (k === cluster) continue;
    let z = biases[k]!;
    for (let i = 0; i < weights.dim; i++) z += weights.values[k * weights.dim + i]! * x[i]!;
    h[k] = z;
    output = Math.min(output, z);
  }
  return { h, output };
}

export function defaultClusterBeta(centroids: Points, cluster: number): number {
  let sum = 0;
  for (let k = 0; k < centroids.count; k++) {
    if (k === cluster) continue;
    for (let i = 0; i < centroids.dim; i++) sum += (centroids.values[cluster * centroids.dim + i]! - centroids.values[k * centroids.dim + i]!) ** 2;
  }
  return (centroids.count - 1) / sum;
}

export function explainClusterMembership(centroids: Points, x: ArrayLike<number>, options: ClusterExplanationOptions = {}): ClusterExplanation {
  checkPoints(centroids, 'centroids');
  checkQuery(x, centroids.dim, 'x');
  const cluster = options.cluster ?? nearestCentroid(centroids, x);
  const network = neuraliseClusterMembership(centroids, cluster);
  const beta = options.beta ?? defaultClusterBeta(centroids, cluster);
  checkPositive(beta, 'beta');
  const { h, output } = clusterForward(network, x);
  const p = softArgmin(h, beta, cluster);
  const layerRelevance = p.map((pk) => pk * output);
  const { dim } = centroids;
  const relevance = new Float64Array(dim);
  for (let k = 0; k < centroids.count; k++) {
    if (k === cluster) continue;
    const w = network.weights.values.subarray(k * dim, (k + 1) * dim);
    let norm = 0;
    for (let i = 0; i < dim; i++) norm += w[i]! ** 2;
    for (let i = 0; i < dim; i++) relevance[i]! += (w[i]! ** 2 / norm) * layerRelevance[k]!;
  }
  return { cluster, output, beta, layerRelevance, relevance };
}
