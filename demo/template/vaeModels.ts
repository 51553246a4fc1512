/**
 * The variational autoencoders of the `--vae` demo, each part a plain tfjs-layers
 * model of standard layers, so every part saves as an ordinary checkpoint that
 * Model Debugger (or tf.loadLayersModel) loads without custom code:
 *
 *   - encoder q(z|x):            image -> [z_mean, z_log_var], two named Dense outputs;
 *   - labelled encoder q(z|x,y): [image, one-hot label] -> [z_mean, z_log_var] (supervised VAE only);
 *   - decoder p(x|z):            z -> 28x28x1 Bernoulli means (sigmoid);
 *   - latent classifier p(y|z1): the first `classDims` latent units -> class probabilities (supervised VAE only).
 *
 * The sampling step z = mu + exp(log_var / 2) * eps lives in the training loop
 * (vaeTrain.ts), not in a layer: a custom sampling layer would not load anywhere
 * else. The representation Model Debugger explains is `z_mean`, the posterior mean.
 *
 * The networks are small on purpose (two strided 3x3 convolutions, one hidden
 * Dense layer each way) so that seven VAEs train in a few minutes on two CPU cores.
 */
import * as tfl from '@tensorflow/tfjs-layers';
import { buildSeeded, IMAGE_SHAPE } from './models';

export const MU_LAYER = 'z_mean';
export const LOG_VAR_LAYER = 'z_log_var';
const HIDDEN_UNITS = 128;
/** The decoder starts from a 7x7x16 feature map, mirroring the encoder's second convolution. */
const DECODER_GRID: [number, number, number] = [7, 7, 16];

function checkPositiveInteger(value: number, name: string): void {
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer, got ${value}`);
}

/** Two strided convolutions and a flatten: 28x28x1 -> 7x7x16 -> 784 features. `prefix` keeps layer names unique per model. */
function convTrunk(input: tfl.SymbolicTensor, prefix: string): tfl.SymbolicTensor {
  const conv1 = tfl.layers.conv2d({ name: `${prefix}_conv1`, filters: 8, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' });
  const conv2 = tfl.layers.conv2d({ name: `${prefix}_conv2`, filters: 16, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' });
  const flatten = tfl.layers.flatten({ name: `${prefix}_flatten` });
  return flatten.apply(conv2.apply(conv1.apply(input))) as tfl.SymbolicTensor;
}

/** The Gaussian posterior's two heads. log_var is unconstrained: exp() keeps the variance positive. */
function gaussianHeads(features: tfl.SymbolicTensor, latentDim: number, prefix: string): tfl.SymbolicTensor[] {
  const hidden = tfl.layers.dense({ name: `${prefix}_dense`, units: HIDDEN_UNITS, activation: 'relu' }).apply(features) as tfl.SymbolicTensor;
  const headName = (name: string) => (prefix === 'enc' ? name : `${prefix}_${name}`);
  const mean = tfl.layers.dense({ name: headName(MU_LAYER), units: latentDim }).apply(hidden) as tfl.SymbolicTensor;
  const logVar = tfl.layers.dense({ name: headName(LOG_VAR_LAYER), units: latentDim }).apply(hidden) as tfl.SymbolicTensor;
  return [mean, logVar];
}

/** q(z|x): image -> [z_mean, z_log_var]. Its layers are named enc_*, z_mean and z_log_var. */
export function buildVaeEncoder(latentDim: number, seed: number): tfl.LayersModel {
  checkPositiveInteger(latentDim, 'latentDim');
  return buildSeeded(() => {
    const image = tfl.input({ shape: IMAGE_SHAPE, name: 'image' });
    return tfl.model({ name: 'vae_encoder', inputs: image, outputs: gaussianHeads(convTrunk(image, 'enc'), latentDim, 'enc') });
  }, seed);
}

/**
 * q(z|x,y): [image, one-hot label] -> [lenc_z_mean, lenc_z_log_var]. The label joins after the
 * convolutions, so the posterior can move each class to its own region of the latent space.
 */
export function buildLabelledEncoder(latentDim: number, classes: number, seed: number): tfl.LayersModel {
  checkPositiveInteger(latentDim, 'latentDim');
  if (!Number.isInteger(classes) || classes < 2) throw new Error(`classes must be an integer >= 2, got ${classes}`);
  return buildSeeded(() => {
    const image = tfl.input({ shape: IMAGE_SHAPE, name: 'image' });
    const label = tfl.input({ shape: [classes], name: 'label' });
    const joined = tfl.layers.concatenate({ name: 'lenc_join' }).apply([convTrunk(image, 'lenc'), label]) as tfl.SymbolicTensor;
    return tfl.model({ name: 'vae_labelled_encoder', inputs: [image, label], outputs: gaussianHeads(joined, latentDim, 'lenc') });
  }, seed);
}

/** p(x|z): z -> 28x28x1 pixel probabilities, the encoder mirrored. */
export function buildVaeDecoder(latentDim: number, seed: number): tfl.LayersModel {
  checkPositiveInteger(latentDim, 'latentDim');
  return buildSeeded(
    () =>
      tfl.sequential({
        name: 'vae_decoder',
        layers: [
          tfl.layers.dense({ name: 'dec_dense1', inputShape: [latentDim], units: HIDDEN_UNITS, activation: 'relu' }),
          tfl.layers.dense({ name: 'dec_dense2', units: DECODER_GRID.reduce((a, b) => a * b, 1), activation: 'relu' }),
          tfl.layers.reshape({ name: 'dec_reshape', targetShape: DECODER_GRID }),
          tfl.layers.conv2dTranspose({ name: 'dec_deconv1', filters: 8, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' }),
          tfl.layers.conv2dTranspose({ name: 'dec_output', filters: 1, kernelSize: 3, strides: 2, padding: 'same', activation: 'sigmoid' }),
        ],
      }),
    seed,
  );
}

/**
 * p(y|z1): a linear softmax on the class units z1 only. Linear on purpose: the class must be
 * readable from z1 itself, so moving a z1 unit moves the prediction and moving z2 cannot.
 */
export function buildLatentClassifier(classDims: number, classes: number, seed: number): tfl.LayersModel {
  checkPositiveInteger(classDims, 'classDims');
  if (!Number.isInteger(classes) || classes < 2) throw new Error(`classes must be an integer >= 2, got ${classes}`);
  return buildSeeded(
    () => tfl.sequential({ name: 'latent_classifier', layers: [tfl.layers.dense({ name: 'cls_output', inputShape: [classDims], units: classes, activation: 'softmax' })] }),
    seed,
  );
}

/** The encoder's layers with weights: the relevant parameters for example importance. */
export function vaeEncoderLayerNames(encoder: tfl.LayersModel): string[] {
  return encoder.layers.filter((layer) => layer.trainableWeights.length > 0).map((layer) => layer.name);
}
