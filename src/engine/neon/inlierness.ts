/**
 * NEON for KDE inlierness by random features (Sec. 3.3). The density
 * p̃(x) is approximated by the two-layer network
 *   h_j = √2 cos(ω_j·x + b_j) μ_j      (layer 1, H detection units)
 *   î(x) = (1/H) Σ_j h_j               (layer 2, average pooling)
 * whose output converges to p̃(x) as H grows. Relevance follows the summands,
 * R_j = h_j / H, then each feature's direction, R_i = Σ_j (ω_ij² / ‖ω_j‖²) R_j,
 * so Σ_i R_i = î(x) exactly. The explanation depends on the draw of ω, b, so
 * `explainInliernessWithErrorBars` repeats it over seeded draws, as the paper's
 * Fig. 4 does (100 trials there).
 */
import { fmix32 } from '../attribution/random';
import { checkPositiveInteger, yieldOrAbort } from '../examples/cancel';
import { checkKde, kdeDensity, type KdeModel } from './kde';
import { checkQuery } from './points';
import { checkRandomFeatures, drawRandomFeatures, projections, type RandomFeatures } from './randomFeatures';

export interface InlierExplanation {
  /** î(x). */
  output: number;
  /** R_j = h_j / H per random feature. */
  layerRelevance: Float64Array;
  /** R_i per input feature; Σ_i R_i = î(x). */
  relevance: Float64Array;
}

export interface InlierErrorBarOptions {
  /** H per draw. */
  features?: number;
  /** Independent draws of the random features; at least 2 for a standard deviation. */
  draws?: number;
  seed?: number;
  signal?: AbortSignal;
  onProgress?: (fraction: number, message: string) => void;
}

export interface InlierErrorBars {
  /** Mean of R_i over draws. */
  mean: Float64Array;
  /** Sample standard deviation (n − 1) of R_i over draws. */
  std: Float64Array;
  /** Mean and sample standard deviation of î(x) over draws. */
  outputMean: number;
  outputStd: number;
  /** p̃(x) summed exactly, which î(x) approximates. */
  exact: number;
  draws: number;
  features: number;
}

export const DEFAULT_INLIER_DRAWS = 10;

export function inlierForward(features: RandomFeatures, x: ArrayLike<number>): { h: Float64Array; output: number } {
  checkRandomFeatures(features);
  checkQuery(x, features.dim, 'x');
  const z = projections(features, x);
  const h = new Float64Array(features.count);
  let sum = 0;
  for (let j = 0; j < features.count; j++) {
    h[j] = Math.SQRT2 * Math.cos(z[j]! + features.phase[j]!) * features.mu[j]!;
    sum += h[j]!;
  }
  return { h, output: sum / features.count };
}

export function explainInlierness(features: RandomFeatures, x: ArrayLike<number>): InlierExplanation {
  const { h, output } = inlierForward(features, x);
  const { count, dim, omega } = features;
  const layerRelevance = h.map((hj) => hj / count);
  const relevance = new Float64Array(dim);
  for (let j = 0; j < count; j++) {
    let norm = 0;
    for (let i = 0; i < dim; i++) norm += omega[j * dim + i]! ** 2;
    // ω_j = 0 has probability zero under a Gaussian draw; nothing to divide by, nothing to share.
    if (norm === 0) continue;
    const scale = layerRelevance[j]! / norm;
    for (let i = 0; i < dim; i++) relevance[i]! += omega[j * dim + i]! ** 2 * scale;
  }
  return { output, layerRelevance, relevance };
}

/** The seed of draw d: murmur-mixed so neighbouring seeds and draws give unrelated features. */
export function drawSeed(seed: number, draw: number): number {
  return fmix32((seed + Math.imul(draw + 1, 0x9e3779b9)) >>> 0);
}

export async function explainInliernessWithErrorBars(model: KdeModel, x: ArrayLike<number>, options: InlierErrorBarOptions = {}): Promise<InlierErrorBars> {
  checkKde(model);
  checkQuery(x, model.data.dim, 'x');
  const draws = options.draws ?? DEFAULT_INLIER_DRAWS;
  checkPositiveInteger(draws, 'draws');
  if (draws < 2) throw new Error(`draws must be at least 2 for a standard deviation, got ${draws}`);
  const seed = options.seed ?? 0;
  if (!Number.isInteger(seed)) throw new Error(`seed must be an integer, got ${seed}`);
  const dim = model.data.dim;
  // Welford's running mean and squared deviations: one pass, no cancellation.
  const mean = new Float64Array(dim);
  const m2 = new Float64Array(dim);
  let outputMean = 0;
  let outputM2 = 0;
  let features = 0;
  for (let d = 0; d < draws; d++) {
    await yieldOrAbort(options.signal, 'inlierness error bars');
    options.onProgress?.(d / draws, `inlierness: draw ${d + 1}/${draws}`);
    const drawn = await drawRandomFeatures(model, { features: options.features, seed: drawSeed(seed, d), signal: options.signal });
    features = drawn.count;
    const { output, relevance } = explainInlierness(drawn, x);
    const n = d + 1;
    for (let i = 0; i < dim; i++) {
      const delta = relevance[i]! - mean[i]!;
      mean[i]! += delta / n;
      m2[i]! += delta * (relevance[i]! - mean[i]!);
    }
    const delta = output - outputMean;
    outputMean += delta / n;
    outputM2 += delta * (output - outputMean);
  }
  options.onProgress?.(1, `inlierness: ${draws} draws of ${features} features`);
  const std = m2.map((v) => Math.sqrt(v / (draws - 1)));
  return { mean, std, outputMean, outputStd: Math.sqrt(outputM2 / (draws - 1)), exact: kdeDensity(model, x), draws, features };
}
