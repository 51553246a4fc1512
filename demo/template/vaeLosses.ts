/**
 * The loss terms of the `--vae` demo, one value per example ([B] tensors), so
 * each term can be checked by hand and logged on its own. All posteriors are
 * diagonal Gaussians given by a mean and a log-variance; the prior is N(0, I).
 *
 *   beta-VAE (Higgins et al. 2017):  recon + beta * KL(q(z|x) || p(z))
 *   beta-TCVAE (Chen et al. 2018):   recon + MI + beta * TC + dimension-wise KL,
 *                                    with q(z) estimated by minibatch-weighted sampling
 *   supervised VAE (Nguyen & Rodriguez Martinez, Eq. 6 with the alpha weight and the z1 split):
 *     beta * recon + beta * KL(q(z|x,y) || p(z)) + (1 - beta) * KL(q(z|x,y) || q(z|x)) + alpha * CE(y, p(y|z1))
 *
 * Every term is a quantity to minimise (a negative log-likelihood or a divergence).
 */
import * as tf from '@tensorflow/tfjs-core';

/** Probabilities are clipped to [EPSILON, 1 - EPSILON] before logarithms, as Keras does. */
export const EPSILON = 1e-7;
const LOG_2PI = Math.log(2 * Math.PI);

function checkSameShape(a: tf.Tensor, b: tf.Tensor, what: string): void {
  if (a.rank !== 2 || !tf.util.arraysEqual(a.shape, b.shape)) throw new Error(`${what}: expected two [batch, units] tensors of the same shape, got [${a.shape.join(', ')}] and [${b.shape.join(', ')}]`);
}

/** Sum over every axis but the batch axis. */
function perExample(t: tf.Tensor): tf.Tensor1D {
  if (t.rank === 1) return t as tf.Tensor1D;
  return tf.sum(t, Array.from({ length: t.rank - 1 }, (_, i) => i + 1)) as tf.Tensor1D;
}

/** z = mu + exp(logVar / 2) * eps: the reparametrisation trick, so gradients reach mu and logVar. */
export function samplePosterior(mean: tf.Tensor2D, logVar: tf.Tensor2D, eps: tf.Tensor2D): tf.Tensor2D {
  checkSameShape(mean, logVar, 'samplePosterior');
  checkSameShape(mean, eps, 'samplePosterior');
  return tf.tidy(() => tf.add(mean, tf.mul(tf.exp(tf.mul(logVar, 0.5)), eps)));
}

/** -log p(x|x^) for Bernoulli pixels with means x^ (binary cross-entropy, summed over pixels). x may be any value in [0, 1]. */
export function bernoulliReconstruction(x: tf.Tensor, means: tf.Tensor): tf.Tensor1D {
  if (x.shape[0] !== means.shape[0] || x.size !== means.size) throw new Error(`bernoulliReconstruction: x [${x.shape.join(', ')}] and means [${means.shape.join(', ')}] differ`);
  return tf.tidy(() => {
    const p = tf.clipByValue(tf.reshape(means, x.shape), EPSILON, 1 - EPSILON);
    return perExample(tf.neg(tf.add(tf.mul(x, tf.log(p)), tf.mul(tf.sub(1, x), tf.log(tf.sub(1, p))))));
  });
}

/** KL(N(mean, exp(logVar)) || N(0, I)) = 1/2 sum(mean^2 + exp(logVar) - 1 - logVar), in closed form. */
export function klToStandardNormal(mean: tf.Tensor2D, logVar: tf.Tensor2D): tf.Tensor1D {
  checkSameShape(mean, logVar, 'klToStandardNormal');
  return tf.tidy(() => tf.mul(perExample(tf.sub(tf.add(tf.square(mean), tf.exp(logVar)), tf.add(1, logVar))), 0.5) as tf.Tensor1D);
}

/**
 * KL(N(m1, v1) || N(m2, v2)) for diagonal Gaussians, v = exp(logVar):
 * 1/2 sum(log v2 - log v1 + (v1 + (m1 - m2)^2) / v2 - 1).
 */
export function klBetweenGaussians(mean1: tf.Tensor2D, logVar1: tf.Tensor2D, mean2: tf.Tensor2D, logVar2: tf.Tensor2D): tf.Tensor1D {
  checkSameShape(mean1, logVar1, 'klBetweenGaussians');
  checkSameShape(mean1, mean2, 'klBetweenGaussians');
  checkSameShape(mean1, logVar2, 'klBetweenGaussians');
  return tf.tidy(() => {
    const ratio = tf.div(tf.add(tf.exp(logVar1), tf.square(tf.sub(mean1, mean2))), tf.exp(logVar2));
    return tf.mul(perExample(tf.add(tf.sub(logVar2, logVar1), tf.sub(ratio, 1))), 0.5) as tf.Tensor1D;
  });
}

/** log N(z; mean, exp(logVar)) per coordinate (no sum), broadcasting like tf.sub. */
export function gaussianLogDensity(z: tf.Tensor, mean: tf.Tensor, logVar: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.mul(tf.add(tf.add(tf.div(tf.square(tf.sub(z, mean)), tf.exp(logVar)), logVar), LOG_2PI), -0.5));
}

export interface TcDecomposition {
  /** Index-code mutual information E[log q(z|x) - log q(z)]. */
  mutualInformation: tf.Tensor1D;
  /** Total correlation E[log q(z) - sum_j log q(z_j)]. */
  totalCorrelation: tf.Tensor1D;
  /** Dimension-wise KL E[sum_j log q(z_j) - log p(z)]. */
  dimensionWiseKl: tf.Tensor1D;
}

/**
 * The beta-TCVAE decomposition of KL(q(z|x) || p(z)) for a minibatch of M samples z_i ~ q(z|x_i),
 * with the aggregate posterior q(z) = (1/N) sum_n q(z|x_n) over a dataset of N examples estimated by
 * minibatch-weighted sampling (Chen et al. 2018, as in their code):
 *
 *   log q(z_i)   ~ logsumexp_j log q(z_i | x_j) - log(N M)
 *   log q(z_ik)  ~ logsumexp_j log q(z_ik | x_j) - log(N M)
 *
 * The three terms add up to the sampled KL, log q(z_i|x_i) - log p(z_i), for every example. The
 * estimator is biased: its constant assumes the M - 1 other examples stand for the whole dataset, so
 * for a batch whose posteriors are all equal it returns TC = (d - 1) log N, not 0. The gradients,
 * which are all training uses, are what matter.
 */
export function tcDecomposition(z: tf.Tensor2D, mean: tf.Tensor2D, logVar: tf.Tensor2D, datasetSize: number): TcDecomposition {
  checkSameShape(z, mean, 'tcDecomposition');
  checkSameShape(z, logVar, 'tcDecomposition');
  const m = z.shape[0];
  if (!Number.isInteger(datasetSize) || datasetSize < m) throw new Error(`tcDecomposition: datasetSize must be an integer >= the batch size ${m}, got ${datasetSize}`);
  return tf.tidy(() => {
    const logNm = Math.log(datasetSize * m);
    // pairwise[i, j, k] = log q(z_ik | x_j): every sample under every example's posterior.
    const pairwise = gaussianLogDensity(tf.expandDims(z, 1), tf.expandDims(mean, 0), tf.expandDims(logVar, 0));
    const logQzGivenX = perExample(gaussianLogDensity(z, mean, logVar));
    const logQz = tf.sub(tf.logSumExp(tf.sum(pairwise, 2), 1), logNm);
    const logQzProduct = tf.sum(tf.sub(tf.logSumExp(pairwise, 1), logNm), 1);
    const logPz = perExample(gaussianLogDensity(z, tf.zerosLike(z), tf.zerosLike(z)));
    return {
      mutualInformation: tf.sub(logQzGivenX, logQz) as tf.Tensor1D,
      totalCorrelation: tf.sub(logQz, logQzProduct) as tf.Tensor1D,
      dimensionWiseKl: tf.sub(logQzProduct, logPz) as tf.Tensor1D,
    };
  });
}

/** -log p(y|z1) from class probabilities [B, C] and integer labels. */
export function classCrossEntropy(probabilities: tf.Tensor2D, labels: tf.Tensor1D): tf.Tensor1D {
  if (probabilities.rank !== 2 || labels.rank !== 1 || labels.shape[0] !== probabilities.shape[0]) {
    throw new Error(`classCrossEntropy: expected probabilities [B, C] and labels [B], got [${probabilities.shape.join(', ')}] and [${labels.shape.join(', ')}]`);
  }
  return tf.tidy(() => {
    const oneHot = tf.oneHot(tf.cast(labels, 'int32'), probabilities.shape[1]);
    return tf.neg(tf.log(tf.clipByValue(tf.sum(tf.mul(oneHot, probabilities), 1), EPSILON, 1))) as tf.Tensor1D;
  });
}

export interface SupervisedTerms {
  /** -log p(x|z), z ~ q(z|x,y) (Eq. 6b, sign flipped). */
  reconstruction: tf.Tensor1D;
  /** KL(q(z|x,y) || p(z)) (Eq. 6c). */
  prior: tf.Tensor1D;
  /** KL(q(z|x,y) || q(z|x)), the sufficiency term (Eq. 6d): it is what trains q(z|x), the encoder used at test time. */
  sufficiency: tf.Tensor1D;
  /** -log p(y|z1), z ~ q(z|x,y) (Eq. 6e with Eq. 7). */
  classifier: tf.Tensor1D;
}

/** beta in [0, 1] (Eq. 6 is a convex combination of two ELBOs), alpha > 0 weights the classifier. */
export function checkSupervisedWeights(beta: number, alpha: number): void {
  if (!(Number.isFinite(beta) && beta >= 0 && beta <= 1)) throw new Error(`beta must be in [0, 1] for the supervised VAE, got ${beta}`);
  if (!(Number.isFinite(alpha) && alpha > 0)) throw new Error(`alpha must be a finite number > 0, got ${alpha}`);
}

/** The negative of Eq. 6, per example: beta * (recon + prior) + (1 - beta) * sufficiency + alpha * classifier. */
export function supervisedObjective(terms: SupervisedTerms, beta: number, alpha: number): tf.Tensor1D {
  checkSupervisedWeights(beta, alpha);
  return tf.tidy(
    () =>
      tf.addN([tf.mul(terms.reconstruction, beta), tf.mul(terms.prior, beta), tf.mul(terms.sufficiency, 1 - beta), tf.mul(terms.classifier, alpha)]) as tf.Tensor1D,
  );
}
