/**
 * Per-layer rules for batched per-example gradients. Each supported layer is
 * re-expressed as linear part -> activation, so a zero "probe" can be added
 * between the two: the gradient of the summed losses with respect to the probe
 * is δ, the per-example gradient at the layer's pre-activation output, and
 * every trainable weight's per-example gradient follows from δ and the layer's
 * input a in closed form:
 *   Dense            kernel a ⊗ δ (kept factored; summed over positions for rank > 2), bias Σ δ
 *   Conv2D           kernel patches(a)ᵀ δ, bias Σ_positions δ
 *   Conv2DTranspose  kernel patches(δ)ᵀ a (it is the adjoint of a convolution), bias Σ δ
 *   BatchNorm        gamma Σ δ ⊙ x̂, beta Σ δ, x̂ from the moving statistics
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { GradientBlock } from './gradientBlocks';
import { extractPatches, type ConvGeometry } from './patches';
import { twiceDifferentiableConv2d, twiceDifferentiableConv2dTranspose } from './secondOrderOps';

type Layer = tfl.layers.Layer;

export const SUPPORTED_LAYER_CLASSES = ['Dense', 'Conv2D', 'Conv2DTranspose', 'BatchNormalization'] as const;

/** Weight tensors by role ("kernel", "bias", "gamma", ...) that replace the layer's own. */
export type WeightOverrides = ReadonlyMap<string, tf.Tensor>;

export interface GradientRule {
  /** The layer's output before its activation, computed from its current weights (or `weights`, by role). */
  linear(a: tf.Tensor, weights?: WeightOverrides): tf.Tensor;
  /**
   * The same output built only from ops whose gradients tfjs can differentiate
   * again (see secondOrderOps): convolutions get gradients written as patches
   * and matrix products, because tfjs has no gradient of Conv2DBackpropFilter.
   */
  twiceDifferentiableLinear(a: tf.Tensor, weights?: WeightOverrides): tf.Tensor;
  /** The layer's own activation. */
  activate(z: tf.Tensor): tf.Tensor;
  /** Per-example gradients, one block per entry of `layer.trainableWeights`, in that order. */
  perExample(a: tf.Tensor, delta: tf.Tensor): GradientBlock[];
}

/** A weight's role is the last part of its name: "enc_conv1/kernel" -> "kernel". */
export function weightRole(weight: tfl.LayerVariable): string {
  const parts = weight.originalName.split('/');
  return parts[parts.length - 1]!.replace(/:\d+$/, '');
}

function weight(layer: Layer, role: string, overrides?: WeightOverrides): tf.Tensor | undefined {
  return overrides?.get(role) ?? layer.weights.find((w) => weightRole(w) === role)?.read();
}

function requiredWeight(layer: Layer, role: string, overrides?: WeightOverrides): tf.Tensor {
  const found = weight(layer, role, overrides);
  if (!found) throw new Error(`layer "${layer.name}" (${layer.getClassName()}) has no "${role}" weight`);
  return found;
}

function pair(value: unknown, name: string, layer: Layer, fallback?: number): [number, number] {
  const v = value ?? fallback;
  const list = typeof v === 'number' ? [v, v] : Array.isArray(v) ? v : [];
  if (list.length !== 2 || !list.every((n) => Number.isInteger(n) && (n as number) > 0)) {
    throw new Error(`layer "${layer.name}" (${layer.getClassName()}) has an unsupported ${name} ${JSON.stringify(value)}`);
  }
  return [list[0] as number, list[1] as number];
}

function convGeometry(layer: Layer): ConvGeometry {
  const config = layer.getConfig();
  if ((config.dataFormat ?? 'channelsLast') !== 'channelsLast') {
    throw new Error(`layer "${layer.name}" (${layer.getClassName()}) uses dataFormat "${String(config.dataFormat)}"; per-example gradients support channelsLast only`);
  }
  const padding = config.padding ?? 'valid';
  if (padding !== 'valid' && padding !== 'same') {
    throw new Error(`layer "${layer.name}" (${layer.getClassName()}) uses padding "${String(padding)}"; per-example gradients support "valid" and "same"`);
  }
  return {
    kernelSize: pair(config.kernelSize, 'kernelSize', layer),
    strides: pair(config.strides, 'strides', layer, 1),
    padding,
    dilations: pair(config.dilationRate, 'dilationRate', layer, 1),
  };
}

function activation(layer: Layer): (z: tf.Tensor) => tf.Tensor {
  const name = layer.getConfig().activation;
  if (name === undefined || name === null || name === 'linear') return (z) => z;
  // A stand-alone Activation layer runs tfjs-layers' own implementation of the same activation.
  const standAlone = tfl.layers.activation({ activation: name as Parameters<typeof tfl.layers.activation>[0]['activation'] });
  return (z) => standAlone.apply(z) as tf.Tensor;
}

function addBias(layer: Layer, z: tf.Tensor, overrides?: WeightOverrides): tf.Tensor {
  const bias = weight(layer, 'bias', overrides);
  return bias ? tf.add(z, bias) : z;
}

/** [B, ..., C] -> [B, M, C]: every position of an example as a row. */
function rows(t: tf.Tensor): tf.Tensor3D {
  const channels = t.shape[t.rank - 1]!;
  return tf.reshape(t, [t.shape[0]!, -1, channels]);
}

function flat(t: tf.Tensor): tf.Tensor2D {
  return tf.reshape(t, [t.shape[0]!, -1]);
}

/**
 * Maps each trainable weight to its gradient by role, failing loudly on a
 * weight the rule does not know. A tensor result is flattened to a full block.
 */
function byRole(layer: Layer, gradients: Record<string, () => tf.Tensor | GradientBlock>): GradientBlock[] {
  return layer.trainableWeights.map((w) => {
    const compute = gradients[weightRole(w)];
    if (!compute) throw new Error(`layer "${layer.name}" (${layer.getClassName()}) has a trainable weight "${w.originalName}" that per-example gradients do not handle`);
    const gradient = compute();
    return gradient instanceof tf.Tensor ? { kind: 'full', values: flat(gradient) } : gradient;
  });
}

function denseRule(layer: Layer): GradientRule {
  const linear = (a: tf.Tensor, weights?: WeightOverrides): tf.Tensor => {
    const kernel = requiredWeight(layer, 'kernel', weights) as tf.Tensor2D;
    const z = a.rank === 2 ? tf.matMul(a as tf.Tensor2D, kernel) : tf.reshape(tf.matMul(tf.reshape(a, [-1, kernel.shape[0]]), kernel), [...a.shape.slice(0, -1), kernel.shape[1]]);
    return addBias(layer, z, weights);
  };
  return {
    linear,
    twiceDifferentiableLinear: linear,
    activate: activation(layer),
    perExample(a, delta) {
      const d = rows(delta);
      return byRole(layer, {
        // The block outlives the caller's `a`, hence the clone (which shares its data).
        kernel: () => (a.rank === 2 ? { kind: 'outer', input: tf.clone(a) as tf.Tensor2D, delta: delta as tf.Tensor2D } : tf.matMul(rows(a), d, true, false)),
        bias: () => tf.sum(d, 1),
      });
    },
  };
}

function checkSpatial(layer: Layer, patches: tf.Tensor4D, other: tf.Tensor): void {
  if (patches.shape[1] !== other.shape[1] || patches.shape[2] !== other.shape[2]) {
    throw new Error(`layer "${layer.name}" (${layer.getClassName()}): patch grid ${patches.shape[1]}x${patches.shape[2]} does not match ${other.shape[1]}x${other.shape[2]}`);
  }
}

function conv2dRule(layer: Layer): GradientRule {
  const geometry = convGeometry(layer);
  return {
    linear(a, weights) {
      const kernel = requiredWeight(layer, 'kernel', weights) as tf.Tensor4D;
      return addBias(layer, tf.conv2d(a as tf.Tensor4D, kernel, geometry.strides, geometry.padding, 'NHWC', geometry.dilations), weights);
    },
    twiceDifferentiableLinear(a, weights) {
      const kernel = requiredWeight(layer, 'kernel', weights) as tf.Tensor4D;
      return addBias(layer, twiceDifferentiableConv2d(a as tf.Tensor4D, kernel, geometry), weights);
    },
    activate: activation(layer),
    perExample(a, delta) {
      const d = rows(delta);
      return byRole(layer, {
        kernel: () => {
          const patches = extractPatches(a as tf.Tensor4D, geometry);
          checkSpatial(layer, patches, delta);
          return tf.matMul(rows(patches), d, true, false);
        },
        bias: () => tf.sum(d, 1),
      });
    },
  };
}

function conv2dTransposeRule(layer: Layer): GradientRule {
  const geometry = convGeometry(layer);
  if (geometry.dilations[0] !== 1 || geometry.dilations[1] !== 1) {
    throw new Error(`layer "${layer.name}" (Conv2DTranspose) uses dilation; per-example gradients do not support dilated transposed convolutions`);
  }
  return {
    linear(a, weights) {
      const kernel = requiredWeight(layer, 'kernel', weights) as tf.Tensor4D;
      const outShape = layer.computeOutputShape(a.shape) as number[];
      const z = tf.conv2dTranspose(a as tf.Tensor4D, kernel, outShape as [number, number, number, number], geometry.strides, geometry.padding);
      return addBias(layer, z, weights);
    },
    twiceDifferentiableLinear(a, weights) {
      const kernel = requiredWeight(layer, 'kernel', weights) as tf.Tensor4D;
      const outShape = layer.computeOutputShape(a.shape) as [number, number, number, number];
      return addBias(layer, twiceDifferentiableConv2dTranspose(a as tf.Tensor4D, kernel, outShape, geometry), weights);
    },
    activate: activation(layer),
    perExample(a, delta) {
      const d = rows(delta);
      return byRole(layer, {
        kernel: () => {
          // The transposed convolution is the adjoint of conv2d(·, kernel) on an input shaped like δ.
          const patches = extractPatches(delta as tf.Tensor4D, geometry);
          checkSpatial(layer, patches, a);
          return tf.matMul(rows(patches), rows(a), true, false);
        },
        bias: () => tf.sum(d, 1),
      });
    },
  };
}

function batchNormRule(layer: Layer): GradientRule {
  const config = layer.getConfig();
  const epsilon = Number(config.epsilon ?? 1e-3);
  const rawAxis = Array.isArray(config.axis) && config.axis.length === 1 ? config.axis[0] : config.axis ?? -1;
  if (typeof rawAxis !== 'number' || !Number.isInteger(rawAxis)) {
    throw new Error(`layer "${layer.name}" (BatchNormalization) normalises over axis ${JSON.stringify(config.axis)}; per-example gradients support a single axis`);
  }
  const axisOf = (t: tf.Tensor): number => {
    const axis = rawAxis < 0 ? t.rank + rawAxis : rawAxis;
    if (axis <= 0 || axis >= t.rank) throw new Error(`layer "${layer.name}" (BatchNormalization): axis ${rawAxis} is not a feature axis of an input of rank ${t.rank}`);
    return axis;
  };
  const broadcast = (v: tf.Tensor, t: tf.Tensor): tf.Tensor => {
    const shape = new Array<number>(t.rank).fill(1);
    shape[axisOf(t)] = v.size;
    return tf.reshape(v, shape);
  };
  const normalised = (a: tf.Tensor, weights?: WeightOverrides): tf.Tensor => {
    const mean = broadcast(requiredWeight(layer, 'moving_mean', weights), a);
    const variance = broadcast(requiredWeight(layer, 'moving_variance', weights), a);
    return tf.mul(tf.sub(a, mean), tf.rsqrt(tf.add(variance, epsilon)));
  };
  /** Sums [B, ..., C, ...] over everything but the batch and the feature axis -> [B, C]. */
  const perFeature = (t: tf.Tensor): tf.Tensor => {
    const axis = axisOf(t);
    const axes = Array.from({ length: t.rank }, (_, i) => i).filter((i) => i !== 0 && i !== axis);
    return axes.length > 0 ? tf.sum(t, axes) : t;
  };
  const linear = (a: tf.Tensor, weights?: WeightOverrides): tf.Tensor => {
    let z = normalised(a, weights);
    const gamma = weight(layer, 'gamma', weights);
    if (gamma) z = tf.mul(z, broadcast(gamma, a));
    const beta = weight(layer, 'beta', weights);
    if (beta) z = tf.add(z, broadcast(beta, a));
    return z;
  };
  return {
    linear,
    twiceDifferentiableLinear: linear,
    activate: (z) => z,
    perExample(a, delta) {
      return byRole(layer, {
        gamma: () => perFeature(tf.mul(delta, normalised(a))),
        beta: () => perFeature(delta),
      });
    },
  };
}

const rules = new WeakMap<Layer, GradientRule>();

export function hasGradientRule(layer: Layer): boolean {
  return (SUPPORTED_LAYER_CLASSES as readonly string[]).includes(layer.getClassName());
}

/** The rule for a relevant layer; throws, naming the layer and its class, when there is none. */
export function gradientRule(layer: Layer): GradientRule {
  const cached = rules.get(layer);
  if (cached) return cached;
  const className = layer.getClassName();
  let rule: GradientRule;
  switch (className) {
    case 'Dense':
      rule = denseRule(layer);
      break;
    case 'Conv2D':
      rule = conv2dRule(layer);
      break;
    case 'Conv2DTranspose':
      rule = conv2dTransposeRule(layer);
      break;
    case 'BatchNormalization':
      rule = batchNormRule(layer);
      break;
    default:
      throw new Error(
        `layer "${layer.name}" (${className}) has trainable weights, but per-example gradients support only ${SUPPORTED_LAYER_CLASSES.join(', ')}; ` +
          'leave it out of the relevant parameters',
      );
  }
  rules.set(layer, rule);
  return rule;
}
