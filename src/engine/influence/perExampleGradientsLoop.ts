/**
 * The slow reference for per-example gradients: one batch-1 backward pass per
 * example through the whole model with tf.variableGrads. It shares nothing
 * with the batched path but the loss and the parameter layout, so tests use it
 * as the oracle. Not for production: it is B times slower and needs every
 * weight-gradient kernel (e.g. Conv2DBackpropFilter) on the backend.
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { LossSpec } from '../../protocol/manifest';
import { perExampleLoss } from '../losses/perExampleLoss';
import { parameterLayout, relevantLayersOf, type GradientOptions, type PerExampleGradients } from './perExampleGradients';

export function perExampleGradientsLoop(model: tfl.LayersModel, loss: LossSpec, x: tf.Tensor, options: GradientOptions): PerExampleGradients {
  const { relevant } = relevantLayersOf(model, options.relevantLayers);
  const parameters = parameterLayout(relevant);
  const variables = relevant.flatMap((layer) => layer.trainableWeights.map((w) => w.read() as tf.Variable));
  const count = x.shape[0]!;
  if (options.ids.length !== count) throw new Error(`options.ids has ${options.ids.length} ids but x holds ${count} examples`);
  const gradients = tf.tidy(() => {
    const rows: tf.Tensor1D[] = [];
    for (let n = 0; n < count; n++) {
      const xn = tf.slice(x, n, 1);
      const batch = { ids: [options.ids[n]!], split: options.split, ...(options.labels ? { labels: [options.labels[n]!] } : {}) };
      const { grads } = tf.variableGrads(() => tf.sum(perExampleLoss(model, loss, xn, batch)), variables);
      rows.push(tf.concat(variables.map((v) => tf.reshape(grads[v.name]!, [-1]))) as tf.Tensor1D);
    }
    return tf.stack(rows) as tf.Tensor2D;
  });
  return { gradients, parameters };
}
