/**
 * The two demo models, as in the label-free explainability paper's MNIST
 * experiments: a denoising autoencoder whose encoder is Conv 8, Conv 16,
 * BatchNorm, Conv 32, Dense 128, Dense 4, with a mirrored decoder, and a
 * classifier made of the same encoder plus a linear softmax head.
 *
 * Both are flat Sequential models. Encoder layers are named `enc_*`, so a run
 * manifest can name the representation layer (`enc_latent`) and the relevant
 * parameters (the `enc_*` layers) without knowing anything else.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

export const IMAGE_SHAPE: [number, number, number] = [28, 28, 1];
export const LATENT_DIM = 4;
export const REPRESENTATION_LAYER = 'enc_latent';

function encoderLayers(latentDim: number): tfl.layers.Layer[] {
  return [
    tfl.layers.conv2d({ name: 'enc_conv1', inputShape: IMAGE_SHAPE, filters: 8, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' }),
    tfl.layers.conv2d({ name: 'enc_conv2', filters: 16, kernelSize: 3, strides: 2, padding: 'same' }),
    tfl.layers.batchNormalization({ name: 'enc_bn2' }),
    tfl.layers.activation({ name: 'enc_relu2', activation: 'relu' }),
    tfl.layers.conv2d({ name: 'enc_conv3', filters: 32, kernelSize: 3, strides: 2, padding: 'valid', activation: 'relu' }),
    tfl.layers.flatten({ name: 'enc_flatten' }),
    tfl.layers.dense({ name: 'enc_dense1', units: 128, activation: 'relu' }),
    tfl.layers.dense({ name: REPRESENTATION_LAYER, units: latentDim }),
  ];
}

function decoderLayers(): tfl.layers.Layer[] {
  return [
    tfl.layers.dense({ name: 'dec_dense1', units: 128, activation: 'relu' }),
    tfl.layers.dense({ name: 'dec_dense2', units: 3 * 3 * 32, activation: 'relu' }),
    tfl.layers.reshape({ name: 'dec_reshape', targetShape: [3, 3, 32] }),
    tfl.layers.conv2dTranspose({ name: 'dec_deconv1', filters: 16, kernelSize: 3, strides: 2, padding: 'valid' }),
    tfl.layers.batchNormalization({ name: 'dec_bn1' }),
    tfl.layers.activation({ name: 'dec_relu1', activation: 'relu' }),
    tfl.layers.conv2dTranspose({ name: 'dec_deconv2', filters: 8, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' }),
    tfl.layers.conv2dTranspose({ name: 'dec_output', filters: 1, kernelSize: 3, strides: 2, padding: 'same', activation: 'sigmoid' }),
  ];
}

/** 28x28x1 -> 4 -> 28x28x1. Seeded so that a rebuilt demo is the same demo. */
export function buildDenoisingAutoencoder(seed = 1, latentDim = LATENT_DIM): tfl.Sequential {
  checkArguments(seed, latentDim);
  return buildSeeded(() => tfl.sequential({ name: 'denoising_autoencoder', layers: [...encoderLayers(latentDim), ...decoderLayers()] }), seed);
}

/** 28x28x1 -> 10 class probabilities. */
export function buildClassifier(seed = 2, classes = 10, latentDim = LATENT_DIM): tfl.Sequential {
  checkArguments(seed, latentDim);
  if (!Number.isInteger(classes) || classes < 2) throw new Error(`classes must be an integer >= 2, got ${classes}`);
  return buildSeeded(
    () => tfl.sequential({ name: 'classifier', layers: [...encoderLayers(latentDim), tfl.layers.dense({ name: 'head', units: classes, activation: 'softmax' })] }),
    seed,
  );
}

function checkArguments(seed: number, latentDim: number): void {
  if (!Number.isInteger(seed)) throw new Error(`seed must be an integer, got ${seed}`);
  if (!Number.isInteger(latentDim) || latentDim < 1) throw new Error(`latentDim must be a positive integer, got ${latentDim}`);
}

/** Builds and reseeds inside one tidy so no initialiser temporaries survive; variables are kept. */
export function buildSeeded<M extends tfl.LayersModel>(build: () => M, seed: number): M {
  if (!Number.isInteger(seed)) throw new Error(`seed must be an integer, got ${seed}`);
  let model: M | undefined;
  tf.tidy(() => {
    model = build();
    reseedWeights(model, seed);
  });
  return model!;
}

/** The names of the encoder's layers: the relevant parameters for label-free example importance. */
export function encoderLayerNames(model: tfl.LayersModel): string[] {
  return model.layers.filter((layer) => layer.name.startsWith('enc_') && layer.trainableWeights.length > 0).map((layer) => layer.name);
}

/**
 * tfjs-layers initialisers draw from an unseeded generator; re-drawing every
 * kernel with a seeded Glorot-uniform makes training reproducible.
 */
function reseedWeights(model: tfl.LayersModel, seed: number): void {
  let next = seed;
  for (const layer of model.layers) {
    const weights = layer.getWeights();
    const fresh = weights.map((w, i) => {
      const name = layer.weights[i]?.originalName ?? '';
      if (!name.endsWith('kernel')) return w.clone();
      const shape = w.shape;
      const receptive = shape.length > 2 ? shape.slice(0, -2).reduce((a, b) => a * b, 1) : 1;
      const fanIn = shape[shape.length - 2]! * receptive;
      const fanOut = shape[shape.length - 1]! * receptive;
      const limit = Math.sqrt(6 / (fanIn + fanOut));
      return tf.randomUniform(shape, -limit, limit, 'float32', next++);
    });
    layer.setWeights(fresh);
  }
}
