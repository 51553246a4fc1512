/**
 * Scalar targets to explain. Supervised: one class, or the probability-weighted
 * sum of classes. Label-free (Crabbé & van der Schaar 2022): g_x(x~) = <f(x), f(x~)>,
 * with f(x) computed once and held, or a single latent unit f_j.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { DisposableTarget, ScalarFunction } from './types';
import { assertInteger, assertSingleExample, shapeText } from './validate';

/** A classifier or any vector-valued model: [B, ...] -> [B, C]. */
export type VectorModel = (x: tf.Tensor) => tf.Tensor2D;
/** An encoder: [B, ...] -> [B, d] or [B, ...], flattened to [B, d] by the targets. */
export type Encoder = (x: tf.Tensor) => tf.Tensor;

function flattenBatch(t: tf.Tensor): tf.Tensor2D {
  if (t.rank < 1) throw new Error(`the model's output must have a batch dimension, got shape ${shapeText(t.shape)}`);
  return tf.reshape(t, [t.shape[0]!, -1]);
}

function checkedOutputs(model: VectorModel | Encoder, x: tf.Tensor, name: string): tf.Tensor2D {
  const out = flattenBatch(model(x));
  if (out.shape[0] !== x.shape[0]) throw new Error(`${name} returned ${out.shape[0]} rows for a batch of ${x.shape[0]}`);
  return out;
}

export function classTarget(model: VectorModel, classIndex: number): ScalarFunction {
  assertInteger(classIndex, 'classIndex', 0);
  return (x) =>
    tf.tidy(() => {
      const out = checkedOutputs(model, x, 'model');
      if (classIndex >= out.shape[1]) throw new Error(`classIndex ${classIndex} is out of range: the model has ${out.shape[1]} outputs`);
      return tf.reshape(tf.slice(out, [0, classIndex], [-1, 1]), [-1]) as tf.Tensor1D;
    });
}

/** The class the model scores highest for a single example [1, ...]. */
export function argmaxClass(model: VectorModel, input: tf.Tensor): number {
  assertSingleExample(input);
  const index = tf.tidy(() => tf.argMax(checkedOutputs(model, input, 'model'), 1));
  try {
    return index.dataSync()[0]!;
  } finally {
    index.dispose();
  }
}

/** x~ -> <w, h(x~)> for a held row vector w [1, d]; dispose releases w. */
function innerProductTarget(model: VectorModel | Encoder, weights: tf.Tensor2D, name: string): DisposableTarget {
  let disposed = false;
  return {
    fn: (x) =>
      tf.tidy(() => {
        if (disposed) throw new Error(`this ${name} target was disposed`);
        const out = checkedOutputs(model, x, name);
        if (out.shape[1] !== weights.shape[1]) throw new Error(`${name} returned ${out.shape[1]} values per example, expected ${weights.shape[1]}`);
        return tf.sum(tf.mul(out, weights), 1) as tf.Tensor1D;
      }),
    dispose() {
      if (!disposed) weights.dispose();
      disposed = true;
    },
  };
}

/**
 * b_i = a_i(sum_j p_j(x) f_j, x): the class scores weighted by the class
 * probabilities at x, which are computed once. `model` should output probabilities.
 * For methods linear in the target this equals sum_j p_j(x) a_i(f_j, x) in one run.
 */
export function probabilityWeightedTarget(model: VectorModel, x: tf.Tensor): DisposableTarget {
  assertSingleExample(x, 'x');
  const probabilities = tf.tidy(() => checkedOutputs(model, x, 'model'));
  return innerProductTarget(model, probabilities, 'model');
}

/** Label-free target g_x(x~) = <f(x), f(x~)>; f(x) is computed here and held until dispose. */
export function labelFreeTarget(encoder: Encoder, x: tf.Tensor): DisposableTarget {
  assertSingleExample(x, 'x');
  const representation = tf.tidy(() => checkedOutputs(encoder, x, 'encoder'));
  return innerProductTarget(encoder, representation, 'encoder');
}

/** The j-th latent unit f_j(x~), e.g. for per-unit saliency of a disentangled VAE. */
export function latentUnitTarget(encoder: Encoder, unit: number): ScalarFunction {
  assertInteger(unit, 'unit', 0);
  return (x) =>
    tf.tidy(() => {
      const out = checkedOutputs(encoder, x, 'encoder');
      if (unit >= out.shape[1]) throw new Error(`unit ${unit} is out of range: the encoder has ${out.shape[1]} latent units`);
      return tf.reshape(tf.slice(out, [0, unit], [-1, 1]), [-1]) as tf.Tensor1D;
    });
}

/**
 * The part of `model` up to and including `layerName`, as a function with its
 * output flattened to [B, d]. It shares the model's weights and runs in inference mode.
 */
export function encoderFromModel(model: tfl.LayersModel, layerName: string): (x: tf.Tensor) => tf.Tensor2D {
  const names = model.layers.map((layer) => layer.name);
  if (!names.includes(layerName)) {
    throw new Error(`model "${model.name}" has no layer named "${layerName}"; its layers are: ${names.join(', ')}`);
  }
  const output = model.getLayer(layerName).output;
  if (Array.isArray(output)) {
    throw new Error(`layer "${layerName}" of model "${model.name}" has ${output.length} outputs; name a layer with a single output`);
  }
  const encoder = tfl.model({ inputs: model.inputs, outputs: output, name: `${model.name}_to_${layerName}` });
  return (x) => tf.tidy(() => flattenBatch(encoder.apply(x, { training: false }) as tf.Tensor));
}
