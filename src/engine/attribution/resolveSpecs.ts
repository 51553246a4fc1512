/** Turns the baseline and feature specs of a request into tensors and masks for one input. */
import * as tf from '@tensorflow/tfjs-core';
import { blurredBaseline, fileBaseline, meanBaseline, uniformNoiseBaseline, zerosBaseline } from './baselines';
import { broadcastOverChannels, gridMask } from './featureMask';
import type { BaselineSpec, FeatureSpec } from './requests';
import { superpixels } from './superpixels';

/** A new tensor shaped like the input; the caller disposes it. */
export function resolveBaseline(spec: BaselineSpec | undefined, input: tf.Tensor, referenceData: tf.Tensor | undefined): tf.Tensor {
  if (!spec) return zerosBaseline(input);
  switch (spec.kind) {
    case 'zeros':
      return zerosBaseline(input);
    case 'constant':
      return tf.fill(input.shape, spec.value, 'float32');
    case 'mean':
      if (!referenceData) throw new Error('the "mean" baseline needs reference data (a dataset), and none was given');
      return meanBaseline(referenceData, input);
    case 'blur':
      return blurredBaseline(input, spec.sigma);
    case 'uniform':
      return uniformNoiseBaseline(input, spec);
    case 'file':
      return fileBaseline(spec.values, spec.shape, input, spec.file);
  }
}

/** Integer group ids over one example, flat. */
export async function resolveFeatures(spec: FeatureSpec, input: tf.Tensor): Promise<Int32Array> {
  const exampleShape = input.shape.slice(1);
  switch (spec.kind) {
    case 'grid':
      return gridMask(exampleShape, spec.cellHeight, spec.cellWidth);
    case 'superpixels':
      return broadcastOverChannels(superpixels((await input.data()) as Float32Array, exampleShape, spec), exampleShape);
    case 'mask':
      return spec.values;
  }
}
