/**
 * The per-example loss of a VAE run (`loss.kind` "vae"), as a function of the
 * encoder q(z|x)'s two outputs, the posterior mean μ and log-variance log σ².
 * The run's checkpoints are the encoders; the loss needs the parts saved with
 * each one (the decoder p(x|z), and for the supervised VAE the classifier
 * p(y|z1) and the labelled encoder q(z|x,y)), so the engine's loss functions
 * take a `VaeLoss`: the manifest's loss with one checkpoint's parts loaded
 * (run/vaeParts.ts loads them through the RunStore).
 *
 * The terms match the demo's training (demo/template/vaeLosses.ts):
 *   reconstruction  −log p(x|z) for Bernoulli pixels, Σ over pixels of the
 *                   binary cross-entropy, probabilities clipped to [1e-7, 1 − 1e-7]
 *   z               μ + exp(½ log σ²)·ε, ε ~ N(0, I) drawn per example from
 *                   (seed 0, split, example id) like the denoising noise, so an
 *                   example's loss does not depend on its batch
 *   KL              KL(N(μ, σ²) ‖ N(0, I)) = ½ Σ (μ² + σ² − 1 − log σ²), closed form
 *
 *   betaVae     reconstruction + β·KL (β = loss.beta, default 1), as trained.
 *   betaTcVae   training minimised reconstruction + MI + β·TC + dimension-wise
 *               KL with the total correlation TC estimated over the minibatch
 *               (minibatch-weighted sampling), which has no per-example value.
 *               Per example this falls back to the betaVae ELBO with β on the
 *               whole KL (MI + TC + dimension-wise KL); results say so.
 *   supervised  the negative of Eq. 6, exactly as trained:
 *                 β·(reconstruction + KL(q(z|x,y) ‖ p(z))) + (1 − β)·KL(q(z|x,y) ‖ q(z|x)) + α·(−log p(y|z1)),
 *               z ~ q(z|x,y) (labels required). Every term but the sufficiency
 *               term KL(q(z|x,y) ‖ q(z|x)) is constant in q(z|x)'s weights, so
 *               it is computed once per batch from the labelled encoder, the
 *               decoder and the classifier (prepareVae) and the gradient with
 *               respect to the encoder is (1 − β)·∇KL(q(z|x,y) ‖ q(z|x)):
 *               the training loss's own gradient, and it uses the label.
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { LossSpec, VaeObjective } from '../../protocol/manifest';
import { exampleGaussianNoise } from './exampleRandom';
import type { LossBatch, PreparedLoss } from './perExampleLoss';

/** Pixel probabilities are clipped to [BERNOULLI_EPSILON, 1 − BERNOULLI_EPSILON] before the logarithms, as in training. */
export const BERNOULLI_EPSILON = 1e-7;
/** The seed of the per-example ε streams (the manifest's vae loss has no seed of its own). */
export const VAE_NOISE_SEED = 0;

/** One checkpoint's VAE parts with the manifest's latent layout. */
export interface VaeParts {
  objective: VaeObjective;
  latentDim: number;
  /** The encoder's output layers for μ and log σ². */
  muLayer: string;
  logVarLayer: string;
  /** Supervised: z1 = the first classDims units. */
  classDims?: number;
  /** Supervised: the classifier's weight (default 1; it only scales a term constant in the encoder's weights). */
  alpha?: number;
  decoder: tfl.LayersModel;
  classifier?: tfl.LayersModel;
  labelledEncoder?: tfl.LayersModel;
}

/** The manifest's "vae" loss with one checkpoint's parts: what the engine's loss functions take for a VAE run. */
export interface VaeLoss {
  kind: 'vae';
  beta?: number;
  parts: VaeParts;
}

export function withVaeParts(loss: LossSpec, parts: VaeParts): VaeLoss {
  if (loss.kind !== 'vae') throw new Error(`VAE parts apply to the "vae" loss only, not "${loss.kind}"`);
  return { ...loss, parts };
}

/** The parts a "vae" loss carries; throws when a bare manifest loss was passed. */
export function vaePartsOf(loss: LossSpec): VaeParts {
  const parts = (loss as Partial<VaeLoss>).parts;
  if (loss.kind !== 'vae' || !parts) {
    throw new Error('the "vae" loss needs the run\'s decoder (and, for the supervised objective, its classifier and labelled encoder): load them with the checkpoint (trainingLoss in run/vaeParts.ts)');
  }
  return parts;
}

/** Whether the loss reads the labels: cross-entropy, and the supervised VAE (q(z|x,y) and p(y|z1)). */
export function lossNeedsLabels(loss: LossSpec): boolean {
  if (loss.kind === 'crossEntropy') return true;
  return loss.kind === 'vae' && (loss as Partial<VaeLoss>).parts?.objective === 'supervised';
}

/** A short statement of what the per-example VAE loss is, for result notes. */
export function vaeLossNote(loss: LossSpec): string | undefined {
  if (loss.kind !== 'vae') return undefined;
  const parts = (loss as Partial<VaeLoss>).parts;
  const beta = loss.beta ?? 1;
  const noise = 'z = μ + σ·ε with ε seeded per example';
  switch (parts?.objective) {
    case 'betaTcVae':
      return (
        `β-TCVAE: its total-correlation term is a minibatch estimate with no per-example value, so the per-example loss falls back to the β-VAE ELBO, ` +
        `Bernoulli reconstruction + ${beta}·KL(q(z|x) ‖ N(0, I)) (β on the whole KL), ${noise}`
      );
    case 'supervised':
      return (
        `supervised VAE: the training loss of Eq. 6 with z ~ q(z|x,y); its only term that depends on the encoder q(z|x) is ` +
        `${(1 - beta).toPrecision(2)}·KL(q(z|x,y) ‖ q(z|x)), so the gradients are that term's and use the labels`
      );
    case 'betaVae':
      return `β-VAE loss: Bernoulli reconstruction + ${beta}·KL(q(z|x) ‖ N(0, I)), ${noise}`;
    default:
      return undefined;
  }
}

/** The ops the loss runs, swapped for unfused (per-example gradients) or twice-differentiable (double backprop) ones. */
export interface VaeOps {
  exp(x: tf.Tensor): tf.Tensor;
  clip(x: tf.Tensor, low: number, high: number): tf.Tensor;
  /** The decoder's output for z; the encoder's gradient flows through it. */
  decode(decoder: tfl.LayersModel, z: tf.Tensor): tf.Tensor;
}

export const DEFAULT_VAE_OPS: VaeOps = {
  exp: (x) => tf.exp(x),
  clip: (x, low, high) => tf.clipByValue(x, low, high),
  decode: (decoder, z) => single(decoder.apply(z, { training: false }), decoder, 'decoder'),
};

function single(output: tf.Tensor | tf.Tensor[] | tfl.SymbolicTensor | tfl.SymbolicTensor[], model: tfl.LayersModel, role: string): tf.Tensor {
  if (Array.isArray(output)) throw new Error(`the VAE's ${role} "${model.name}" has ${output.length} outputs; it needs exactly one`);
  return output as tf.Tensor;
}

export interface PreparedVae {
  /** ε [B, latentDim]. */
  eps: tf.Tensor2D;
  /** Supervised: q(z|x,y) and the terms of Eq. 6 that do not depend on q(z|x), per example. */
  labelled?: { mu: tf.Tensor2D; logVar: tf.Tensor2D; constant: tf.Tensor1D };
}

function checkParts(parts: VaeParts, beta: number): void {
  if (!Number.isInteger(parts.latentDim) || parts.latentDim < 1) throw new Error(`vae.latentDim must be a positive integer, got ${parts.latentDim}`);
  if (!Number.isFinite(beta) || beta < 0) throw new Error(`loss.beta must be a finite number >= 0, got ${beta}`);
  if (parts.objective === 'supervised') {
    if (beta > 1) throw new Error(`loss.beta must be at most 1 for the supervised objective, got ${beta}`);
    if (!parts.classifier || !parts.labelledEncoder) throw new Error('the supervised VAE loss needs the checkpoint\'s classifier and labelled encoder');
    const classDims = parts.classDims;
    if (!Number.isInteger(classDims) || classDims! < 1 || classDims! >= parts.latentDim) throw new Error(`vae.classDims must be an integer in [1, latentDim), got ${classDims}`);
  }
}

function perExample(t: tf.Tensor): tf.Tensor1D {
  return (t.rank === 1 ? t : tf.sum(t, Array.from({ length: t.rank - 1 }, (_, i) => i + 1))) as tf.Tensor1D;
}

/** KL(N(μ, σ²) ‖ N(0, I)) per example. */
function klToPrior(mu: tf.Tensor, logVar: tf.Tensor, ops: VaeOps): tf.Tensor1D {
  return tf.mul(perExample(tf.sub(tf.add(tf.square(mu), ops.exp(logVar)), tf.add(logVar, 1))), 0.5) as tf.Tensor1D;
}

/** KL(N(μ1, σ1²) ‖ N(μ2, σ2²)) per example: ½ Σ (log σ2² − log σ1² + (σ1² + (μ1 − μ2)²)/σ2² − 1). */
function klBetween(mu1: tf.Tensor, logVar1: tf.Tensor, mu2: tf.Tensor, logVar2: tf.Tensor, ops: VaeOps): tf.Tensor1D {
  const ratio = tf.mul(tf.add(ops.exp(logVar1), tf.square(tf.sub(mu1, mu2))), ops.exp(tf.neg(logVar2)));
  return tf.mul(perExample(tf.add(tf.sub(logVar2, logVar1), tf.sub(ratio, 1))), 0.5) as tf.Tensor1D;
}

/** −log p(x|means), Bernoulli pixels, per example. */
function bernoulliReconstruction(x: tf.Tensor, means: tf.Tensor, ops: VaeOps): tf.Tensor1D {
  if (means.shape[0] !== x.shape[0] || means.size !== x.size) {
    throw new Error(`the VAE's decoder gives shape [${means.shape.join(', ')}] but its input has shape [${x.shape.join(', ')}]`);
  }
  const p = ops.clip(tf.reshape(means, x.shape), BERNOULLI_EPSILON, 1 - BERNOULLI_EPSILON);
  return perExample(tf.neg(tf.add(tf.mul(x, tf.log(p)), tf.mul(tf.sub(1, x), tf.log(tf.sub(1, p))))));
}

function sample(mu: tf.Tensor, logVar: tf.Tensor, eps: tf.Tensor, ops: VaeOps): tf.Tensor {
  return tf.add(mu, tf.mul(ops.exp(tf.mul(logVar, 0.5)), eps));
}

/** [mu, logVar] of a two-output Gaussian encoder, picked by the names of its output layers (suffixes of muLayer/logVarLayer) or in order. */
function labelledPosterior(parts: VaeParts, x: tf.Tensor, labels: Int32Array): [tf.Tensor2D, tf.Tensor2D] {
  const encoder = parts.labelledEncoder!;
  if (encoder.inputs.length !== 2) throw new Error(`the labelled encoder "${encoder.name}" must take [image, one-hot label], it has ${encoder.inputs.length} inputs`);
  const imageShape = encoder.inputs[0]!.shape.slice(1);
  const classes = encoder.inputs[1]!.shape[1];
  if (typeof classes !== 'number') throw new Error(`the labelled encoder "${encoder.name}" has no fixed number of classes`);
  labels.forEach((label, n) => {
    if (label >= classes) throw new Error(`labels[${n}] = ${label} is not a class index of a labelled encoder with ${classes} classes`);
  });
  const image = imageShape.every((d): d is number => typeof d === 'number') && tf.util.sizeFromShape(imageShape) * x.shape[0]! === x.size ? tf.reshape(x, [x.shape[0]!, ...imageShape]) : x;
  const oneHot = tf.cast(tf.oneHot(tf.tensor1d(labels, 'int32'), classes), 'float32');
  const outputs = encoder.apply([image, oneHot], { training: false });
  if (!Array.isArray(outputs) || outputs.length !== 2) throw new Error(`the labelled encoder "${encoder.name}" must have two outputs, the mean and the log-variance`);
  const names = encoder.outputs.map((o) => o.sourceLayer.name);
  const muAt = names.findIndex((n) => n.endsWith(parts.muLayer));
  const logVarAt = names.findIndex((n) => n.endsWith(parts.logVarLayer));
  const [m, v] = muAt >= 0 && logVarAt >= 0 && muAt !== logVarAt ? [muAt, logVarAt] : [0, 1];
  return [outputs[m] as tf.Tensor2D, outputs[v] as tf.Tensor2D];
}

/** ε, and for the supervised objective every term that does not depend on the encoder q(z|x). */
export function prepareVae(loss: LossSpec, x: tf.Tensor, batch: LossBatch, labels: Int32Array | undefined): PreparedVae {
  const parts = vaePartsOf(loss);
  const beta = loss.kind === 'vae' ? (loss.beta ?? 1) : 1;
  checkParts(parts, beta);
  const count = x.shape[0]!;
  const d = parts.latentDim;
  const values = new Float32Array(count * d);
  for (let n = 0; n < count; n++) values.set(exampleGaussianNoise(VAE_NOISE_SEED, batch.split, batch.ids[n]!, d, 1), n * d);
  const eps = tf.tensor2d(values, [count, d], 'float32');
  if (parts.objective !== 'supervised') return { eps };
  if (!labels) throw new Error('the supervised VAE loss needs batch.labels');
  const alpha = parts.alpha ?? 1;
  const labelled = tf.tidy(() => {
    const [mu, logVar] = labelledPosterior(parts, x, labels);
    const z = sample(mu, logVar, eps, DEFAULT_VAE_OPS) as tf.Tensor2D;
    const reconstruction = bernoulliReconstruction(x, DEFAULT_VAE_OPS.decode(parts.decoder, z), DEFAULT_VAE_OPS);
    const probabilities = single(parts.classifier!.apply(tf.slice(z, [0, 0], [count, parts.classDims!]), { training: false }), parts.classifier!, 'classifier');
    const classes = probabilities.shape[probabilities.rank - 1]!;
    labels.forEach((label, n) => {
      if (label >= classes) throw new Error(`labels[${n}] = ${label} is not a class index of a classifier with ${classes} classes`);
    });
    const oneHot = tf.cast(tf.oneHot(tf.tensor1d(labels, 'int32'), classes), 'float32');
    const classifier = tf.neg(tf.log(tf.clipByValue(tf.sum(tf.mul(oneHot, tf.reshape(probabilities, [count, classes])), 1), BERNOULLI_EPSILON, 1)));
    const constant = tf.addN([tf.mul(reconstruction, beta), tf.mul(klToPrior(mu, logVar, DEFAULT_VAE_OPS), beta), tf.mul(classifier, alpha)]) as tf.Tensor1D;
    return { mu, logVar, constant };
  });
  return { eps, labelled };
}

/** Checks the encoder's posterior outputs (by output layer name) against the batch before any forward pass. */
export function checkVaeOutputShapes(loss: LossSpec, count: number, shapes: ReadonlyArray<readonly number[]>, names: readonly string[]): void {
  const parts = vaePartsOf(loss);
  for (const name of [parts.muLayer, parts.logVarLayer]) {
    const at = names.indexOf(name);
    if (at < 0) throw new Error(`the vae loss needs the encoder output "${name}", but the encoder's outputs are ${names.map((n) => `"${n}"`).join(', ')}`);
    const shape = shapes[at]!;
    if (shape.length !== 2 || shape[0] !== count || shape[1] !== parts.latentDim) {
      throw new Error(`the encoder output "${name}" has shape [${shape.join(', ')}]; the vae loss needs [${count}, ${parts.latentDim}] (vae.latentDim)`);
    }
  }
}

/** Per-example VAE losses [B] from the encoder's outputs (named by their layers). */
export function vaeLossFromOutputs(loss: LossSpec, outputs: readonly tf.Tensor[], names: readonly string[], prepared: PreparedLoss, ops: VaeOps = DEFAULT_VAE_OPS): tf.Tensor1D {
  const parts = vaePartsOf(loss);
  const vae = prepared.vae;
  if (!vae || !prepared.target) throw new Error('the vae loss was not prepared (prepareLossInputs)');
  checkVaeOutputShapes(loss, prepared.target.shape[0]!, outputs.map((o) => o.shape), names);
  const mu = outputs[names.indexOf(parts.muLayer)]!;
  const logVar = outputs[names.indexOf(parts.logVarLayer)]!;
  const beta = loss.kind === 'vae' ? (loss.beta ?? 1) : 1;
  return tf.tidy(() => {
    if (vae.labelled) {
      return tf.add(vae.labelled.constant, tf.mul(klBetween(vae.labelled.mu, vae.labelled.logVar, mu, logVar, ops), 1 - beta)) as tf.Tensor1D;
    }
    const z = sample(mu, logVar, vae.eps, ops);
    const reconstruction = bernoulliReconstruction(prepared.target!, ops.decode(parts.decoder, z), ops);
    return tf.add(reconstruction, tf.mul(klToPrior(mu, logVar, ops), beta)) as tf.Tensor1D;
  });
}
