/**
 * Converts one Keras layer into propagation steps. Weight tensors are the
 * layer's own variables (never disposed here); only folding creates tensors.
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { describeLayer } from './layerChain';
import type { ElementwiseStep, KernelParameters, LinearStep, PoolWindow, Step, WeightMap } from './steps';

/** Layers that are the identity at inference time. */
const IDENTITY_LAYERS = new Set(['InputLayer', 'Dropout', 'SpatialDropout1D', 'GaussianNoise', 'GaussianDropout', 'AlphaDropout']);
/** Layers that only move values around. */
const ROUTE_LAYERS = new Set(['Flatten', 'Reshape', 'ZeroPadding2D', 'Cropping2D', 'Permute']);
const ELEMENTWISE_LAYERS = new Set(['ReLU', 'LeakyReLU', 'ELU', 'ThresholdedReLU']);
const AVERAGE_POOLING = new Set(['AveragePooling2D', 'GlobalAveragePooling2D']);
const MAX_POOLING = new Set(['MaxPooling2D', 'GlobalMaxPooling2D']);
/** Activations that act on each unit separately; softmax is handled apart (final layer only). */
const ELEMENTWISE_ACTIVATIONS = new Set(['linear', 'relu', 'relu6', 'elu', 'selu', 'sigmoid', 'hardSigmoid', 'tanh', 'softplus', 'softsign', 'swish', 'mish', 'gelu', 'gelu_new']);
export const SOFTMAX_ACTIVATIONS = new Set(['softmax', 'logSoftmax']);

export const SUPPORTED_LAYERS = [
  'Dense',
  'Conv2D',
  'Conv2DTranspose',
  'BatchNormalization',
  'Activation',
  'Softmax',
  ...ELEMENTWISE_LAYERS,
  ...AVERAGE_POOLING,
  ...MAX_POOLING,
  ...ROUTE_LAYERS,
  ...IDENTITY_LAYERS,
];

interface ActivationObject {
  apply(x: tf.Tensor): tf.Tensor;
  getClassName(): string;
}

interface LayerWithInternals {
  activation?: ActivationObject;
}

type Config = Record<string, unknown>;

export function unsupportedLayerError(layer: tfl.layers.Layer, why?: string): Error {
  return new Error(
    `unsupported layer ${describeLayer(layer)} for propagation methods${why ? `: ${why}` : ''}. Supported layers: ${SUPPORTED_LAYERS.join(', ')}`,
  );
}

function applyLayer(layer: tfl.layers.Layer, x: tf.Tensor): tf.Tensor {
  return layer.apply(x, { training: false }) as tf.Tensor;
}

/** A layer weight by its Keras name suffix (kernel, bias, gamma, ...). */
function namedWeight(layer: tfl.layers.Layer, suffix: string): tf.Tensor | null {
  const index = layer.weights.findIndex((w) => w.originalName.endsWith(`/${suffix}`) || w.originalName === suffix);
  return index < 0 ? null : layer.getWeights()[index]!;
}

function requireWeight(layer: tfl.layers.Layer, suffix: string): tf.Tensor {
  const weight = namedWeight(layer, suffix);
  if (!weight) throw new Error(`layer ${describeLayer(layer)} has no '${suffix}' weight; is the model built?`);
  return weight;
}

function channelsLast(layer: tfl.layers.Layer, config: Config): void {
  if (config.dataFormat !== undefined && config.dataFormat !== 'channelsLast') {
    throw unsupportedLayerError(layer, `dataFormat '${String(config.dataFormat)}' (only channelsLast is supported)`);
  }
}

function pair(value: unknown, name: string, layer: tfl.layers.Layer): [number, number] {
  const list = Array.isArray(value) ? value : [value, value];
  if (list.length !== 2 || !list.every((v) => Number.isInteger(v) && (v as number) > 0)) {
    throw new Error(`layer ${describeLayer(layer)} has an invalid ${name}: ${JSON.stringify(value)}`);
  }
  return [list[0] as number, list[1] as number];
}

function poolWindow(layer: tfl.layers.Layer, config: Config): PoolWindow {
  if (layer.getClassName().startsWith('Global')) return 'global';
  const padding = config.padding;
  if (padding !== 'same' && padding !== 'valid') throw unsupportedLayerError(layer, `padding '${String(padding)}'`);
  const size = pair(config.poolSize, 'poolSize', layer);
  return { size, strides: pair(config.strides ?? size, 'strides', layer), padding };
}

function biasAdd(z: tf.Tensor, bias: tf.Tensor | null, rho: WeightMap, withBias: boolean): tf.Tensor {
  return withBias && bias ? tf.add(z, rho(bias)) : z;
}

export function kernelStep(layerName: string, className: string, params: KernelParameters): LinearStep {
  return {
    kind: 'linear',
    layerName,
    className,
    kernel: params,
    apply: (x, rho, withBias) => biasAdd(params.multiply(x, rho(params.kernel)), params.bias, rho, withBias),
  };
}

function denseMultiply(x: tf.Tensor, kernel: tf.Tensor): tf.Tensor {
  if (x.rank === 2) return tf.matMul(x as tf.Tensor2D, kernel as tf.Tensor2D);
  // Keras applies Dense to the last axis of higher-rank inputs.
  const inner = x.shape[x.rank - 1]!;
  const flat = tf.matMul(tf.reshape(x, [-1, inner]) as tf.Tensor2D, kernel as tf.Tensor2D);
  return tf.reshape(flat, [...x.shape.slice(0, -1), kernel.shape[1]!]);
}

function denseParameters(layer: tfl.layers.Layer): KernelParameters {
  return { kernel: requireWeight(layer, 'kernel'), bias: namedWeight(layer, 'bias'), outputAxis: 1, multiply: denseMultiply };
}

function conv2dParameters(layer: tfl.layers.Layer, config: Config): KernelParameters {
  channelsLast(layer, config);
  const strides = pair(config.strides, 'strides', layer);
  const dilations = pair(config.dilationRate ?? 1, 'dilationRate', layer);
  const padding = config.padding;
  if (padding !== 'same' && padding !== 'valid') throw unsupportedLayerError(layer, `padding '${String(padding)}'`);
  return {
    kernel: requireWeight(layer, 'kernel'),
    bias: namedWeight(layer, 'bias'),
    outputAxis: 3,
    multiply: (x, kernel) => tf.conv2d(x as tf.Tensor4D, kernel as tf.Tensor4D, strides, padding, 'NHWC', dilations),
  };
}

function conv2dTransposeParameters(layer: tfl.layers.Layer, config: Config): KernelParameters {
  channelsLast(layer, config);
  const strides = pair(config.strides, 'strides', layer);
  const padding = config.padding;
  if (padding !== 'same' && padding !== 'valid') throw unsupportedLayerError(layer, `padding '${String(padding)}'`);
  return {
    kernel: requireWeight(layer, 'kernel'),
    bias: namedWeight(layer, 'bias'),
    // Transposed kernels are [height, width, outputChannels, inputChannels].
    outputAxis: 2,
    multiply: (x, kernel) => {
      const outShape = layer.computeOutputShape(x.shape) as number[];
      return tf.conv2dTranspose(x as tf.Tensor4D, kernel as tf.Tensor4D, outShape as [number, number, number, number], strides, padding);
    },
  };
}

/** The activation a Dense/Conv layer applies after its linear map, as a separate step. */
function activationSteps(layer: tfl.layers.Layer): Step[] {
  const activation = (layer as unknown as LayerWithInternals).activation;
  if (!activation) return [];
  return activationObjectSteps(layer, activation);
}

function activationObjectSteps(layer: tfl.layers.Layer, activation: ActivationObject): Step[] {
  const name = activation.getClassName();
  if (name === 'linear') return [];
  if (!ELEMENTWISE_ACTIVATIONS.has(name) && !SOFTMAX_ACTIVATIONS.has(name)) throw unsupportedLayerError(layer, `activation '${name}'`);
  const step: ElementwiseStep = { kind: 'elementwise', layerName: layer.name, className: layer.getClassName(), activation: name, apply: (x) => activation.apply(x) };
  return [step];
}

/** BatchNormalization at inference: y = x * scale + shift along the last axis. */
export function batchNormAffine(layer: tfl.layers.Layer, rank: number): { scale: tf.Tensor1D; shift: tf.Tensor1D } {
  const config = layer.getConfig();
  const axis = config.axis as number;
  if (!(axis === -1 || axis === rank - 1)) throw unsupportedLayerError(layer, `axis ${axis} (only the last, channel axis is supported)`);
  const epsilon = config.epsilon as number;
  return tf.tidy(() => {
    const mean = requireWeight(layer, 'moving_mean');
    const variance = requireWeight(layer, 'moving_variance');
    const gamma = namedWeight(layer, 'gamma');
    const beta = namedWeight(layer, 'beta');
    let scale = tf.rsqrt(tf.add(variance, epsilon));
    if (gamma) scale = tf.mul(scale, gamma);
    let shift = tf.neg(tf.mul(mean, scale));
    if (beta) shift = tf.add(shift, beta);
    return { scale: scale as tf.Tensor1D, shift: shift as tf.Tensor1D };
  });
}

/** An unfolded BatchNormalization as a diagonal linear step; owns its scale and shift. */
function affineStep(layer: tfl.layers.Layer, scale: tf.Tensor, shift: tf.Tensor): LinearStep {
  return {
    kind: 'linear',
    layerName: layer.name,
    className: layer.getClassName(),
    apply: (x, rho, withBias) => biasAdd(tf.mul(x, rho(scale)), shift, rho, withBias),
  };
}

/** Folds y = scale * (x W + b) + shift into one kernel step. The returned tensors are new and owned by the caller. */
export function foldBatchNorm(step: LinearStep & { kernel: KernelParameters }, bn: tfl.layers.Layer, scale: tf.Tensor1D, shift: tf.Tensor1D): { step: LinearStep; owned: tf.Tensor[] } {
  const params = step.kernel;
  const { kernel, bias } = tf.tidy(() => {
    const shape = params.kernel.shape.map((_, axis) => (axis === params.outputAxis ? -1 : 1));
    const foldedKernel = tf.mul(params.kernel, tf.reshape(scale, shape));
    const foldedBias = params.bias ? tf.add(tf.mul(params.bias, scale), shift) : tf.clone(shift);
    return { kernel: foldedKernel, bias: foldedBias };
  });
  const folded = kernelStep(`${step.layerName}+${bn.name}`, `${step.className}+${bn.getClassName()}`, { ...params, kernel, bias });
  return { step: folded, owned: [kernel, bias] };
}

export interface LayerConversion {
  steps: Step[];
  /** Tensors created for these steps, to dispose with the chain. */
  owned: tf.Tensor[];
}

/**
 * Converts `layer` given the steps built so far (a BatchNormalization right
 * after a kernel layer without activation replaces that step by a folded one).
 */
export function convertLayer(layer: tfl.layers.Layer, previous: Step[], inputRank: number): LayerConversion {
  const className = layer.getClassName();
  const config = layer.getConfig();
  if (IDENTITY_LAYERS.has(className)) return { steps: [], owned: [] };
  switch (className) {
    case 'Dense':
      return { steps: [kernelStep(layer.name, className, denseParameters(layer)), ...activationSteps(layer)], owned: [] };
    case 'Conv2D':
      return { steps: [kernelStep(layer.name, className, conv2dParameters(layer, config)), ...activationSteps(layer)], owned: [] };
    case 'Conv2DTranspose':
      return { steps: [kernelStep(layer.name, className, conv2dTransposeParameters(layer, config)), ...activationSteps(layer)], owned: [] };
    case 'BatchNormalization': {
      const { scale, shift } = batchNormAffine(layer, inputRank);
      const last = previous[previous.length - 1];
      if (last?.kind === 'linear' && last.kernel) {
        const folded = foldBatchNorm(last as LinearStep & { kernel: KernelParameters }, layer, scale, shift);
        previous.pop();
        scale.dispose();
        shift.dispose();
        return { steps: [folded.step], owned: folded.owned };
      }
      return { steps: [affineStep(layer, scale, shift)], owned: [scale, shift] };
    }
    case 'Activation':
      return { steps: activationSteps(layer), owned: [] };
    case 'Softmax': {
      const axis = config.axis;
      if (!(axis === undefined || axis === -1 || axis === inputRank - 1 || (Array.isArray(axis) && axis.length === 1 && (axis[0] === -1 || axis[0] === inputRank - 1)))) {
        throw unsupportedLayerError(layer, `softmax over axis ${JSON.stringify(axis)} (only the last axis is supported)`);
      }
      return { steps: [{ kind: 'elementwise', layerName: layer.name, className, activation: 'softmax', apply: (x) => applyLayer(layer, x) }], owned: [] };
    }
    default:
      break;
  }
  if (ELEMENTWISE_LAYERS.has(className)) {
    return { steps: [{ kind: 'elementwise', layerName: layer.name, className, activation: className, apply: (x) => applyLayer(layer, x) }], owned: [] };
  }
  if (ROUTE_LAYERS.has(className)) {
    return { steps: [{ kind: 'route', layerName: layer.name, className, apply: (x) => applyLayer(layer, x) }], owned: [] };
  }
  if (MAX_POOLING.has(className)) {
    channelsLast(layer, config);
    if (inputRank !== 4) throw unsupportedLayerError(layer, `input rank ${inputRank} (expected [batch, height, width, channels])`);
    return { steps: [{ kind: 'max', layerName: layer.name, className, window: poolWindow(layer, config), apply: (x) => applyLayer(layer, x) }], owned: [] };
  }
  if (AVERAGE_POOLING.has(className)) {
    // Average pooling is linear with implicit positive weights; positive homogeneity of rho lets rules act on them as rho(1).
    const step: LinearStep = {
      kind: 'linear',
      layerName: layer.name,
      className,
      apply: (x, rho) => tf.mul(applyLayer(layer, x), rho(tf.scalar(1))),
    };
    return { steps: [step], owned: [] };
  }
  throw unsupportedLayerError(layer);
}
