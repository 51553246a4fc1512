/**
 * The training losses of a run manifest, one value per example, evaluated in
 * inference mode (BatchNorm uses its moving statistics, dropout is off) so
 * examples in a batch do not influence each other.
 *
 * The work is split in two halves, `prepareLossInputs` (what goes into the
 * model and what it should give back) and `lossFromOutput`, so code that runs
 * the model's layers itself (per-example gradients) computes exactly the same
 * loss as `perExampleLoss`.
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { LossSpec } from '../../protocol/manifest';
import { exampleGaussianNoise, exampleInpaintingMask, type DataSplit } from './exampleRandom';
import { toModelInput } from './modelShapes';
import { checkVaeOutputShapes, lossNeedsLabels, prepareVae, vaeLossFromOutputs, type PreparedVae, type VaeOps } from './vaeLoss';

export type { DataSplit } from './exampleRandom';

/** Probabilities are clipped to [CLIP_EPSILON, 1] before the logarithm, as Keras does. */
export const CLIP_EPSILON = 1e-7;

export interface LossBatch {
  /** Global example ids (dataset indices), one per example: they key the per-example noise and masks. */
  ids: readonly number[];
  split: DataSplit;
  /** Class indices, one per example; required by supervised losses. */
  labels?: ArrayLike<number>;
}

export interface PreparedLoss {
  /** What the model is fed. */
  input: tf.Tensor;
  /** Reconstruction losses: the clean input the output is compared with. */
  target?: tf.Tensor;
  /** Supervised losses: the class index of each example. */
  labels?: Int32Array;
  /** The vae loss: its noise ε and, for the supervised objective, its terms that do not depend on the encoder. */
  vae?: PreparedVae;
}

/** Whether a classifier's output is probabilities (softmax/sigmoid last) or raw logits. */
export type OutputKind = 'probabilities' | 'logits';

function lastLayer(model: tfl.LayersModel): tfl.layers.Layer {
  const layer = model.layers[model.layers.length - 1];
  if (!layer) throw new Error(`model "${model.name}" has no layers`);
  const nested = layer as unknown as Partial<tfl.LayersModel>;
  return Array.isArray(nested.layers) && nested.layers.length > 0 ? lastLayer(layer as unknown as tfl.LayersModel) : layer;
}

export function outputKind(model: tfl.LayersModel): OutputKind {
  const layer = lastLayer(model);
  if (layer.getClassName() === 'Softmax') return 'probabilities';
  const activation = layer.getConfig().activation;
  return activation === 'softmax' || activation === 'sigmoid' ? 'probabilities' : 'logits';
}

function checkBatch(loss: LossSpec, x: tf.Tensor, batch: LossBatch): void {
  if (!(x instanceof tf.Tensor)) throw new Error('x must be a tensor');
  if (x.rank < 2) throw new Error(`x must have a batch dimension and at least one feature dimension, got shape [${x.shape.join(', ')}]`);
  if (x.dtype !== 'float32') throw new Error(`x must be float32, got ${x.dtype}`);
  const count = x.shape[0]!;
  if (!Array.isArray(batch.ids) && !ArrayBuffer.isView(batch.ids)) throw new Error('batch.ids must be a list of example ids');
  if (batch.ids.length !== count) throw new Error(`batch.ids has ${batch.ids.length} ids but x holds ${count} examples`);
  batch.ids.forEach((id, n) => {
    if (!Number.isSafeInteger(id) || id < 0) throw new Error(`batch.ids[${n}] must be a non-negative integer example id, got ${id}`);
  });
  if (lossNeedsLabels(loss)) {
    if (!batch.labels) throw new Error(`the ${loss.kind === 'vae' ? 'supervised VAE' : loss.kind} loss needs batch.labels`);
    if (batch.labels.length !== count) throw new Error(`batch.labels has ${batch.labels.length} labels but x holds ${count} examples`);
  }
}

function perExampleValues(x: tf.Tensor, batch: LossBatch, make: (id: number, size: number) => Float32Array): tf.Tensor {
  const count = x.shape[0]!;
  const size = x.size / Math.max(count, 1);
  const values = new Float32Array(x.size);
  for (let n = 0; n < count; n++) values.set(make(batch.ids[n]!, size), n * size);
  return tf.tensor(values, x.shape, 'float32');
}

function checkedLabels(labels: ArrayLike<number>): Int32Array {
  return Int32Array.from(labels, (label, n) => {
    if (!Number.isInteger(label) || label < 0) throw new Error(`batch.labels[${n}] must be a non-negative integer class index, got ${label}`);
    return label;
  });
}

/**
 * Denoising feeds x + N(0, noiseStd²) (not clipped) and expects the clean x;
 * inpainting feeds x with maskFraction of its features zeroed and expects the
 * clean x; reconstruction feeds and expects x; crossEntropy feeds x; vae feeds
 * and expects x, with the per-example ε of its reparameterisation (vaeLoss.ts).
 */
export function prepareLossInputs(loss: LossSpec, x: tf.Tensor, batch: LossBatch): PreparedLoss {
  checkBatch(loss, x, batch);
  switch (loss.kind) {
    case 'reconstruction':
      return { input: x, target: x };
    case 'denoising': {
      if (!(Number.isFinite(loss.noiseStd) && loss.noiseStd >= 0)) throw new Error(`loss.noiseStd must be a finite number >= 0, got ${loss.noiseStd}`);
      const seed = loss.seed ?? 0;
      const noise = perExampleValues(x, batch, (id, size) => exampleGaussianNoise(seed, batch.split, id, size, loss.noiseStd));
      return { input: tf.add(x, noise), target: x };
    }
    case 'inpainting': {
      if (!(loss.maskFraction >= 0 && loss.maskFraction <= 1)) throw new Error(`loss.maskFraction must be in [0, 1], got ${loss.maskFraction}`);
      const seed = loss.seed ?? 0;
      const keep = perExampleValues(x, batch, (id, size) => exampleInpaintingMask(seed, batch.split, id, size, loss.maskFraction));
      return { input: tf.mul(x, keep), target: x };
    }
    case 'crossEntropy':
      return { input: x, labels: checkedLabels(batch.labels!) };
    case 'vae': {
      const labels = lossNeedsLabels(loss) ? checkedLabels(batch.labels!) : undefined;
      return { input: x, target: x, ...(labels ? { labels } : {}), vae: prepareVae(loss, x, batch, labels) };
    }
    default:
      throw new Error(`unknown loss kind "${(loss as { kind: unknown }).kind as string}"`);
  }
}

function sumOverFeatures(t: tf.Tensor): tf.Tensor1D {
  const axes = Array.from({ length: t.rank - 1 }, (_, i) => i + 1);
  return tf.sum(t, axes) as tf.Tensor1D;
}

/**
 * Checks that a model output of `outputShape` fits the loss and the batch.
 * Callers that differentiate the loss run it before the forward pass: an
 * error thrown inside tf.grads leaks the tensors the tape saved.
 */
export function checkLossOutputShape(loss: LossSpec, prepared: PreparedLoss, outputShape: readonly number[]): void {
  if (loss.kind === 'vae') throw new Error('the vae loss reads the encoder\'s two outputs, the mean and the log-variance; a single output does not fit it');
  if (loss.kind === 'crossEntropy') {
    if (outputShape.length !== 2) throw new Error(`the crossEntropy loss needs a [batch, classes] output, got shape [${outputShape.join(', ')}]`);
    const depth = Math.max(outputShape[1]!, 2);
    prepared.labels!.forEach((label, n) => {
      if (label >= depth) throw new Error(`labels[${n}] = ${label} is not a class index of a model with ${depth} classes`);
    });
    return;
  }
  const target = prepared.target;
  if (!target) throw new Error(`the "${loss.kind}" loss has no reconstruction target`);
  if (tf.util.sizeFromShape(outputShape.slice()) !== target.size || outputShape[0] !== target.shape[0]) {
    throw new Error(`the "${loss.kind}" loss compares the model's output with its input, but the output has shape [${outputShape.join(', ')}] and the input [${target.shape.join(', ')}]`);
  }
}

function crossEntropy(output: tf.Tensor, labels: Int32Array, kind: OutputKind): tf.Tensor1D {
  const binary = output.shape[1] === 1;
  const depth = binary ? 2 : output.shape[1]!;
  const oneHot = tf.cast(tf.oneHot(tf.tensor1d(labels, 'int32'), depth), 'float32');
  if (kind === 'logits') {
    const logits = binary ? tf.concat([tf.zerosLike(output), output], 1) : output;
    return tf.neg(tf.sum(tf.mul(oneHot, tf.logSoftmax(logits)), 1)) as tf.Tensor1D;
  }
  const probabilities = binary ? tf.concat([tf.sub(1, output), output], 1) : output;
  const picked = tf.sum(tf.mul(oneHot, probabilities), 1);
  return tf.neg(tf.log(tf.clipByValue(picked, CLIP_EPSILON, 1))) as tf.Tensor1D;
}

/** Per-example losses [B] from the model's output for `prepared`. */
export function lossFromOutput(loss: LossSpec, output: tf.Tensor, prepared: PreparedLoss, kind: OutputKind): tf.Tensor1D {
  checkLossOutputShape(loss, prepared, output.shape);
  return tf.tidy(() => {
    if (loss.kind === 'crossEntropy') return crossEntropy(output, prepared.labels!, kind);
    return sumOverFeatures(tf.squaredDifference(output, tf.reshape(prepared.target!, output.shape)));
  });
}

/**
 * checkLossOutputShape for a model with one or more outputs, named by their
 * layers: the vae loss reads its two posterior outputs, the others exactly one.
 */
export function checkLossOutputShapes(loss: LossSpec, prepared: PreparedLoss, shapes: ReadonlyArray<readonly number[]>, names: readonly string[]): void {
  if (loss.kind === 'vae') return checkVaeOutputShapes(loss, prepared.input.shape[0]!, shapes, names);
  if (shapes.length !== 1) throw new Error(`the model has ${shapes.length} outputs; the ${loss.kind} loss needs exactly one`);
  checkLossOutputShape(loss, prepared, shapes[0]!);
}

/** Per-example losses [B] from a model's outputs (named by their layers); `vaeOps` swaps the ops the vae loss runs. */
export function lossFromOutputs(loss: LossSpec, outputs: readonly tf.Tensor[], names: readonly string[], prepared: PreparedLoss, kind: OutputKind, vaeOps?: VaeOps): tf.Tensor1D {
  if (loss.kind === 'vae') return vaeLossFromOutputs(loss, outputs, names, prepared, vaeOps);
  if (outputs.length !== 1) throw new Error(`the model has ${outputs.length} outputs; the ${loss.kind} loss needs exactly one`);
  return lossFromOutput(loss, outputs[0]!, prepared, kind);
}

/** The names of a model's output layers, in output order. */
export function outputNames(model: tfl.LayersModel): string[] {
  return model.outputs.map((o) => o.sourceLayer.name);
}

/** Per-example training losses [B] of `model` on the batch x [B, ...] (inference mode). */
export function perExampleLoss(model: tfl.LayersModel, loss: LossSpec, x: tf.Tensor, batch: LossBatch): tf.Tensor1D {
  return tf.tidy(() => {
    const prepared = prepareLossInputs(loss, x, batch);
    const output = model.apply(toModelInput(model, prepared.input), { training: false });
    const outputs = Array.isArray(output) ? (output as tf.Tensor[]) : [output as tf.Tensor];
    if (loss.kind !== 'vae' && outputs.length !== 1) throw new Error(`model "${model.name}" has ${outputs.length} outputs; the ${loss.kind} loss needs exactly one`);
    return lossFromOutputs(loss, outputs, outputNames(model), prepared, outputKind(model));
  });
}
