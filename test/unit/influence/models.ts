/** Small test models with every weight (BatchNorm statistics included) drawn from a seeded generator. */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

/**
 * Redraws all weights: kernels N(0, 1/fan-in) so activations stay O(1) through
 * deep stacks, other vectors N(0, 0.3²), BatchNorm variances in [0.5, 2] and
 * gammas in [0.5, 1.5].
 */
export function randomizeWeights(model: tfl.LayersModel, seed: number): void {
  let next = seed;
  for (const layer of model.layers) {
    if (layer instanceof tfl.LayersModel) {
      randomizeWeights(layer, next++ * 1000);
      continue;
    }
    const fresh = layer.weights.map((w) =>
      tf.tidy(() => {
        const shape = w.read().shape;
        if (w.originalName.endsWith('variance')) return tf.randomUniform(shape, 0.5, 2, 'float32', next++);
        if (w.originalName.endsWith('gamma')) return tf.randomUniform(shape, 0.5, 1.5, 'float32', next++);
        if (w.originalName.endsWith('kernel')) return tf.randomNormal(shape, 0, 1 / Math.sqrt(tf.util.sizeFromShape(shape.slice(0, -1))), 'float32', next++);
        return tf.randomNormal(shape, 0, 0.3, 'float32', next++);
      }),
    );
    layer.setWeights(fresh);
    tf.dispose(fresh);
  }
}

/** 6x6x2 -> conv s2 same -> BN -> conv valid -> dense -> 6x6x2. */
export function convAutoencoder(seed = 1): tfl.Sequential {
  const model = tfl.sequential({
    layers: [
      tfl.layers.conv2d({ name: 'c1', inputShape: [6, 6, 2], filters: 4, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' }),
      tfl.layers.batchNormalization({ name: 'bn' }),
      tfl.layers.activation({ name: 'act', activation: 'tanh' }),
      tfl.layers.conv2d({ name: 'c2', filters: 3, kernelSize: 2, strides: 1, padding: 'valid', activation: 'tanh' }),
      tfl.layers.conv2d({ name: 'c3', filters: 3, kernelSize: 2, strides: 2, padding: 'valid', activation: 'linear' }),
      tfl.layers.flatten({ name: 'flat' }),
      tfl.layers.dense({ name: 'd1', units: 72, activation: 'sigmoid' }),
      tfl.layers.reshape({ name: 'out', targetShape: [6, 6, 2] }),
    ],
  });
  randomizeWeights(model, seed);
  return model;
}

/** The same trunk with a 5-class softmax head. */
export function convClassifier(seed = 2): tfl.Sequential {
  const model = tfl.sequential({
    layers: [
      tfl.layers.conv2d({ name: 'c1', inputShape: [6, 6, 2], filters: 4, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' }),
      tfl.layers.batchNormalization({ name: 'bn' }),
      tfl.layers.conv2d({ name: 'c2', filters: 3, kernelSize: 3, strides: 1, padding: 'same', activation: 'tanh' }),
      tfl.layers.flatten({ name: 'flat' }),
      tfl.layers.dense({ name: 'head', units: 5, activation: 'softmax' }),
    ],
  });
  randomizeWeights(model, seed);
  return model;
}

/**
 * [4, 3] sequences: Dense applied per position, BatchNorm over axis 1 (the
 * positions), then back to [4, 3]. With `permuted`, the same function built
 * from a last-axis BatchNorm between two Permutes: tfjs cannot differentiate
 * a middle-axis BatchNorm itself, so this twin serves as the oracle.
 */
export function sequenceAutoencoder(seed = 3, permuted = false): tfl.Sequential {
  const normalise = permuted
    ? [tfl.layers.permute({ dims: [2, 1] }), tfl.layers.batchNormalization({ name: 'bn_axis1', axis: -1 }), tfl.layers.permute({ dims: [2, 1] })]
    : [tfl.layers.batchNormalization({ name: 'bn_axis1', axis: 1 })];
  const model = tfl.sequential({
    layers: [
      tfl.layers.dense({ name: 'per_position', inputShape: [4, 3], units: 5, activation: 'tanh' }),
      ...normalise,
      tfl.layers.flatten({ name: 'flat' }),
      tfl.layers.dense({ name: 'dec', units: 12, useBias: false }),
      tfl.layers.reshape({ name: 'out', targetShape: [4, 3] }),
    ],
  });
  randomizeWeights(model, seed);
  return model;
}

/**
 * A dilated 3x3 convolution first, then a softmax head. With `expanded`, the
 * twin whose first layer is the equivalent undilated 5x5 convolution (taps at
 * even offsets, zeros between): tfjs has no gradient for dilated convolutions,
 * so the twin's gradient at the even taps serves as the oracle.
 */
export function dilatedClassifier(seed = 4, expanded = false): tfl.Sequential {
  const model = tfl.sequential({
    layers: [
      expanded
        ? tfl.layers.conv2d({ name: 'dil', inputShape: [6, 6, 2], filters: 3, kernelSize: 5, padding: 'same', activation: 'tanh' })
        : tfl.layers.conv2d({ name: 'dil', inputShape: [6, 6, 2], filters: 3, kernelSize: 3, dilationRate: 2, padding: 'same', activation: 'tanh' }),
      tfl.layers.flatten(),
      tfl.layers.dense({ name: 'head', units: 5, activation: 'softmax' }),
    ],
  });
  const source = expanded ? dilatedClassifier(seed) : model;
  if (!expanded) {
    randomizeWeights(model, seed);
    return model;
  }
  const [kernel, ...rest] = source.getWeights();
  const wide = tf.tidy(() => {
    const values = kernel!.arraySync() as number[][][][];
    const grid = Array.from({ length: 5 }, (_, i) => Array.from({ length: 5 }, (_, j) => (i % 2 === 0 && j % 2 === 0 ? values[i / 2]![j / 2]! : values[0]![0]!.map((row) => row.map(() => 0)))));
    return tf.tensor4d(grid);
  });
  model.setWeights([wide, ...rest]);
  wide.dispose();
  source.dispose();
  return model;
}
