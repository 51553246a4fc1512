/** Tiny VAEs for the vae-loss tests: a Dense (or conv) trunk with two Dense heads μ and log σ², and their other parts. */
import * as tfl from '@tensorflow/tfjs-layers';
import type { VaeObjective } from '../../../src/protocol/manifest';
import type { VaeParts } from '../../../src/engine/losses/vaeLoss';
import { randomizeWeights } from './models';

export interface TinyVae {
  encoder: tfl.LayersModel;
  decoder: tfl.LayersModel;
  classifier: tfl.LayersModel;
  labelledEncoder: tfl.LayersModel;
  parts(objective: VaeObjective): VaeParts;
  dispose(): void;
}

const LATENT = 2;
const CLASSES = 3;

function heads(features: tfl.SymbolicTensor, prefix = ''): tfl.SymbolicTensor[] {
  return [
    tfl.layers.dense({ name: `${prefix}mu`, units: LATENT }).apply(features) as tfl.SymbolicTensor,
    tfl.layers.dense({ name: `${prefix}lv`, units: LATENT }).apply(features) as tfl.SymbolicTensor,
  ];
}

/**
 * 4 inputs -> Dense h (3, tanh) -> [mu (2), lv (2)]; decoder Dense 2 -> 4 sigmoid;
 * with `conv`, 4x4x1 images -> Conv2D s2 relu -> Flatten -> Dense h (5, tanh) -> heads,
 * and a decoder Dense relu -> Reshape -> Conv2DTranspose s2 sigmoid.
 */
export function tinyVae(seed = 3, conv = false): TinyVae {
  const inputShape = conv ? [4, 4, 1] : [4];
  const x = tfl.input({ shape: inputShape, name: 'x' });
  let features: tfl.SymbolicTensor = x;
  if (conv) {
    features = tfl.layers.conv2d({ name: 'c1', filters: 2, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' }).apply(features) as tfl.SymbolicTensor;
    features = tfl.layers.flatten({ name: 'flat' }).apply(features) as tfl.SymbolicTensor;
  }
  features = tfl.layers.dense({ name: 'h', units: conv ? 5 : 3, activation: 'tanh' }).apply(features) as tfl.SymbolicTensor;
  const encoder = tfl.model({ name: 'tiny_encoder', inputs: x, outputs: heads(features) });
  const decoder = conv
    ? tfl.sequential({
        name: 'tiny_decoder',
        layers: [
          tfl.layers.dense({ name: 'd1', inputShape: [LATENT], units: 8, activation: 'relu' }),
          tfl.layers.reshape({ name: 'dr', targetShape: [2, 2, 2] }),
          tfl.layers.conv2dTranspose({ name: 'dt', filters: 1, kernelSize: 3, strides: 2, padding: 'same', activation: 'sigmoid' }),
        ],
      })
    : tfl.sequential({ name: 'tiny_decoder', layers: [tfl.layers.dense({ name: 'd1', inputShape: [LATENT], units: 4, activation: 'sigmoid' })] });
  const classifier = tfl.sequential({ name: 'tiny_classifier', layers: [tfl.layers.dense({ name: 'cls', inputShape: [1], units: CLASSES, activation: 'softmax' })] });
  const image = tfl.input({ shape: inputShape, name: 'image' });
  const label = tfl.input({ shape: [CLASSES], name: 'label' });
  const flatImage = conv ? (tfl.layers.flatten({ name: 'l_flat' }).apply(image) as tfl.SymbolicTensor) : image;
  const joined = tfl.layers.concatenate({ name: 'l_join' }).apply([flatImage, label]) as tfl.SymbolicTensor;
  const labelledEncoder = tfl.model({ name: 'tiny_labelled', inputs: [image, label], outputs: heads(joined, 'l_') });
  randomizeWeights(encoder, seed);
  randomizeWeights(decoder, seed + 100);
  randomizeWeights(classifier, seed + 200);
  randomizeWeights(labelledEncoder, seed + 300);
  return {
    encoder,
    decoder,
    classifier,
    labelledEncoder,
    parts(objective) {
      const parts: VaeParts = { objective, latentDim: LATENT, muLayer: 'mu', logVarLayer: 'lv', decoder };
      return objective === 'supervised' ? { ...parts, classDims: 1, alpha: 3, classifier, labelledEncoder } : parts;
    },
    dispose() {
      for (const m of [encoder, decoder, classifier, labelledEncoder]) m.dispose();
    },
  };
}
