/** Reference inputs for integrated gradients and the perturbation methods; each returns a new tensor shaped like the input [1, ...]. */
import * as tf from '@tensorflow/tfjs-core';
import { createRandom } from './random';
import { assertAllFinite, assertFiniteNumber, assertInteger, assertSingleExample, sameShape, shapeText } from './validate';

/** All zeros: a black image. */
export function zerosBaseline(input: tf.Tensor): tf.Tensor {
  assertSingleExample(input);
  return tf.zerosLike(input);
}

/** The mean of a dataset [N, ...exampleShape] over its examples. */
export function meanBaseline(dataset: tf.Tensor, input: tf.Tensor): tf.Tensor {
  assertSingleExample(input);
  if (dataset.rank !== input.rank || dataset.shape[0]! < 1 || !sameShape(dataset.shape.slice(1), input.shape.slice(1))) {
    throw new Error(`dataset must have shape [N, ${input.shape.slice(1).join(', ')}] with N >= 1, got ${shapeText(dataset.shape)}`);
  }
  return tf.tidy(() => tf.mean(tf.cast(dataset, 'float32'), 0, true));
}

function gaussianKernel(sigma: number): Float32Array {
  const radius = Math.max(1, Math.ceil(3 * sigma));
  const kernel = new Float32Array(2 * radius + 1);
  let total = 0;
  for (let i = -radius; i <= radius; i++) total += kernel[i + radius] = Math.exp(-(i * i) / (2 * sigma * sigma));
  return kernel.map((v) => v / total);
}

/**
 * The input blurred by a Gaussian of standard deviation `sigma` pixels over H and W,
 * each channel separately. Dividing by the blurred all-ones image keeps the
 * borders unbiased by the zero padding (normalised convolution).
 */
export function blurredBaseline(input: tf.Tensor, sigma: number): tf.Tensor {
  assertSingleExample(input);
  if (input.rank !== 4) throw new Error(`blurredBaseline needs an image input [1, H, W, C], got ${shapeText(input.shape)}`);
  assertFiniteNumber(sigma, 'sigma', 0);
  if (sigma === 0) return input.clone();
  const kernel = gaussianKernel(sigma);
  const channels = input.shape[3]!;
  return tf.tidy(() => {
    const k = tf.tensor1d(kernel);
    const vertical = tf.tile(tf.reshape(k, [kernel.length, 1, 1, 1]), [1, 1, channels, 1]) as tf.Tensor4D;
    const horizontal = tf.tile(tf.reshape(k, [1, kernel.length, 1, 1]), [1, 1, channels, 1]) as tf.Tensor4D;
    const blur = (t: tf.Tensor4D) => tf.depthwiseConv2d(tf.depthwiseConv2d(t, vertical, 1, 'same'), horizontal, 1, 'same');
    return tf.div(blur(input as tf.Tensor4D), blur(tf.onesLike(input) as tf.Tensor4D));
  });
}

/** Independent uniform values in [low, high), reproducible from the seed. */
export function uniformNoiseBaseline(input: tf.Tensor, options: { low?: number; high?: number; seed?: number } = {}): tf.Tensor {
  assertSingleExample(input);
  const low = options.low ?? 0;
  const high = options.high ?? 1;
  assertFiniteNumber(low, 'low');
  assertFiniteNumber(high, 'high');
  if (!(high >= low)) throw new Error(`high must be >= low, got low=${low}, high=${high}`);
  const seed = options.seed ?? 0;
  assertInteger(seed, 'seed', -(2 ** 31), 2 ** 32 - 1);
  const random = createRandom(seed);
  const values = new Float32Array(input.size);
  for (let i = 0; i < values.length; i++) values[i] = low + (high - low) * random.next();
  return tf.tensor(values, input.shape);
}

/**
 * A baseline read from a user's file. `shape` may be the input's shape or one
 * example's shape; `file` names the file in error messages.
 */
export function fileBaseline(values: Float32Array, shape: readonly number[], input: tf.Tensor, file = 'baseline file'): tf.Tensor {
  assertSingleExample(input);
  const exampleShape = input.shape.slice(1);
  if (!sameShape(shape, input.shape) && !sameShape(shape, exampleShape)) {
    throw new Error(`${file}: baseline shape ${shapeText(shape)} does not match the input shape ${shapeText(input.shape)} (or ${shapeText(exampleShape)})`);
  }
  if (values.length !== input.size) {
    throw new Error(`${file}: holds ${values.length} values but shape ${shapeText(shape)} needs ${input.size}`);
  }
  try {
    assertAllFinite(values, 'the baseline');
  } catch (error) {
    throw new Error(`${file}: ${(error as Error).message}`);
  }
  return tf.tensor(values, input.shape);
}
