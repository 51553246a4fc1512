/**
 * Per-example gradients of the training loss with respect to the relevant
 * parameters, for a whole batch from one forward and one backward pass.
 *
 * The model's layers are run one by one. Each relevant layer is split into its
 * linear part and its activation with a zero probe added in between; the
 * gradient of the summed per-example losses with respect to the probes gives
 * every example's δ at that layer (examples are independent in inference
 * mode), and layerGradientRules turns (input a, δ) into per-example weight
 * gradients. No parameter gradient is ever formed by backpropagation, so the
 * backward pass needs only input gradients (no Conv2DBackpropFilter) as long
 * as the layers after the first relevant one are supported classes or
 * weightless.
 *
 * Models with parallel output heads (layerGraph: a trunk chain whose output
 * feeds several one-layer outputs, e.g. a VAE encoder's μ and log σ² Dense
 * layers) are run the same way: the trunk's layers one by one, then every
 * head on the trunk's output, each relevant head behind its own probe, and the
 * loss reads all outputs (the vae loss samples z, decodes it and compares).
 * A head's Dense kernel gradient is the outer product a ⊗ δ of the trunk's
 * output and that head's δ, kept factored like any Dense kernel. Ops the loss
 * runs after the heads (the decoder) are differentiated for δ only: their
 * layers run unfused, so no weight gradient of theirs is formed.
 *
 * Parameter order (the columns of the result): relevant layers in the order the
 * model applies them (the trunk's, then the heads' in the model's output order);
 * within a layer, `layer.trainableWeights` order (kernel, bias; gamma, beta);
 * each weight flattened row-major over its own shape.
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { LossSpec } from '../../protocol/manifest';
import { checkLossOutputShapes, lossFromOutputs, outputKind, outputNames, prepareLossInputs, type LossBatch } from '../losses/perExampleLoss';
import { toModelInput } from '../losses/modelShapes';
import { DEFAULT_VAE_OPS, type VaeOps } from '../losses/vaeLoss';
import { layerChain, layerGraph, selectRelevantLayers } from './layerChain';
import { disposeBlocks, materializeBlock, type GradientBlock } from './gradientBlocks';
import { gradientRule, hasGradientRule, type GradientRule } from './layerGradientRules';

type Layer = tfl.layers.Layer;

export interface ParameterBlock {
  /** The weight's name in the model, e.g. "enc_conv1/kernel". */
  name: string;
  layer: string;
  shape: number[];
  size: number;
  /** Column of the block's first entry in the gradient matrix. */
  offset: number;
}

export interface PerExampleGradients {
  /** [B, P]: row n is example n's flattened gradient. */
  gradients: tf.Tensor2D;
  parameters: ParameterBlock[];
}

export interface GradientOptions extends LossBatch {
  /** Names of the layers whose trainable weights count; all layers with trainable weights when absent. */
  relevantLayers?: readonly string[];
}

/** The columns of the gradient matrix, in order. */
export function parameterLayout(relevant: readonly Layer[]): ParameterBlock[] {
  const blocks: ParameterBlock[] = [];
  let offset = 0;
  for (const layer of relevant) {
    for (const w of layer.trainableWeights) {
      const shape = w.read().shape.slice();
      const size = tf.util.sizeFromShape(shape);
      blocks.push({ name: w.originalName, layer: layer.name, shape, size, offset });
      offset += size;
    }
  }
  if (blocks.length === 0) throw new Error('the relevant layers have no trainable weights');
  return blocks;
}

export interface RelevantLayers {
  /** The layer chain (for a model with output heads, the trunk before them). */
  chain: Layer[];
  /** Parallel output layers reading the chain's output (layerGraph); empty for a chain model. */
  heads: Layer[];
  /** The relevant layers with trainable weights, chain first, then heads. */
  relevant: Layer[];
}

/** The relevant layers of `model` (validated), its layer chain and its output heads. */
export function relevantLayersOf(model: tfl.LayersModel, relevantLayers?: readonly string[]): RelevantLayers {
  const { trunk, heads } = layerGraph(model);
  const relevant = selectRelevantLayers([...trunk, ...heads], relevantLayers).filter((layer) => layer.trainableWeights.length > 0);
  return { chain: trunk, heads, relevant };
}

/**
 * The loss ops for a forward pass that is differentiated for δ only: the
 * decoder's layers run unfused (tfjs-layers' fused Dense computes the weight
 * gradient with the input gradient) when it is a chain of supported layers.
 */
export const UNFUSED_VAE_OPS: VaeOps = {
  ...DEFAULT_VAE_OPS,
  decode(decoder, z) {
    let chain: Layer[];
    try {
      chain = layerChain(decoder);
    } catch {
      return DEFAULT_VAE_OPS.decode(decoder, z);
    }
    return chain.reduce((h, layer) => (hasGradientRule(layer) ? applyWithoutFusion(layer, h) : (layer.apply(h, { training: false }) as tf.Tensor)), z);
  },
};

/**
 * tfjs-layers runs Dense and Conv2D as fused ops whose gradient always includes
 * the weight gradient: wasted work behind a probe, and a missing kernel
 * (Conv2DBackpropFilter) on wasm. The rule's unfused ops give the same output.
 */
function applyWithoutFusion(layer: Layer, h: tf.Tensor): tf.Tensor {
  const rule = gradientRule(layer);
  return rule.activate(rule.linear(h));
}

interface Tap {
  rule: GradientRule;
  probe: tf.Tensor;
  /** The layer's input, kept alive past the gradient's forward pass. */
  input?: tf.Tensor;
}

function concreteShape(shape: ReturnType<Layer['computeOutputShape']>, layer: Layer): number[] {
  if (!Array.isArray(shape) || !shape.every((d): d is number => typeof d === 'number')) {
    throw new Error(`layer "${layer.name}" (${layer.getClassName()}): cannot infer a single concrete output shape`);
  }
  return shape;
}

export interface PerExampleGradientBlocks {
  /** One block per parameter block, in layout order. */
  blocks: GradientBlock[];
  parameters: ParameterBlock[];
}

/**
 * tfjs cannot differentiate through a dilated convolution, so one may only
 * come before the first relevant layer or be the first relevant layer itself.
 */
function checkDifferentiable(chain: readonly Layer[], relevant: readonly Layer[]): void {
  const first = chain.findIndex((layer) => relevant.includes(layer));
  if (first < 0) return;
  for (const layer of chain.slice(first + 1)) {
    const dilation = layer.getConfig().dilationRate;
    const rates = Array.isArray(dilation) ? dilation : [dilation];
    if (rates.some((rate) => typeof rate === 'number' && rate > 1)) {
      throw new Error(
        `layer "${layer.name}" (${layer.getClassName()}) is dilated and comes after the relevant layer "${chain[first]!.name}"; ` +
          'tfjs has no gradient through dilated convolutions, so only layers from the last dilated one onwards can be relevant',
      );
    }
  }
}

/** Per-example gradients of `loss` on x [B, ...], one block per weight; the caller disposes the blocks. */
export function perExampleGradientBlocks(model: tfl.LayersModel, loss: LossSpec, x: tf.Tensor, options: GradientOptions): PerExampleGradientBlocks {
  const { chain, heads, relevant } = relevantLayersOf(model, options.relevantLayers);
  const parameters = parameterLayout(relevant);
  checkDifferentiable([...chain, ...heads], relevant);
  const kind = outputKind(model);
  const names = heads.length > 0 ? heads.map((head) => head.name) : outputNames(model);
  const taps = new Map<Layer, Tap>();
  try {
    const blocks = tf.tidy(() => {
      const prepared = prepareLossInputs(loss, x, options);
      const input = toModelInput(model, prepared.input);
      const tapAt = (layer: Layer, inputShape: number[]): number[] => {
        const shape = concreteShape(layer.computeOutputShape(inputShape), layer);
        if (relevant.includes(layer)) taps.set(layer, { rule: gradientRule(layer), probe: tf.zeros(shape) });
        return shape;
      };
      let shape: number[] = input.shape.slice();
      for (const layer of chain) shape = tapAt(layer, shape);
      const trunkShape = shape;
      const outputShapes = heads.length > 0 ? heads.map((head) => tapAt(head, trunkShape)) : [trunkShape];
      checkLossOutputShapes(loss, prepared, outputShapes, names);
      /** One layer: behind its probe when relevant, unfused once the gradient path has started. */
      const step = (layer: Layer, h: tf.Tensor, onGradientPath: boolean): tf.Tensor => {
        const tap = taps.get(layer);
        if (!tap) return onGradientPath && hasGradientRule(layer) ? applyWithoutFusion(layer, h) : (layer.apply(h, { training: false }) as tf.Tensor);
        tap.input = h === x ? h : tf.keep(h);
        const z = tap.rule.linear(h);
        if (!tf.util.arraysEqual(z.shape, tap.probe.shape)) {
          throw new Error(`layer "${layer.name}" (${layer.getClassName()}): output shape [${z.shape.join(', ')}] differs from the inferred [${tap.probe.shape.join(', ')}]`);
        }
        return tap.rule.activate(tf.add(z, tap.probe));
      };
      const forward = (): tf.Scalar => {
        let h = input;
        let onGradientPath = false;
        for (const layer of chain) {
          onGradientPath ||= taps.has(layer);
          h = step(layer, h, onGradientPath);
        }
        const trunk = h;
        const outputs = heads.length > 0 ? heads.map((head) => step(head, trunk, onGradientPath || taps.has(head))) : [trunk];
        return tf.sum(lossFromOutputs(loss, outputs, names, prepared, kind, UNFUSED_VAE_OPS));
      };
      const tapList = [...taps.values()];
      const deltas = tf.grads(forward)(tapList.map((tap) => tap.probe));
      return tapList.flatMap((tap, i) => tap.rule.perExample(tap.input!, deltas[i]!));
    });
    return { blocks, parameters };
  } finally {
    for (const tap of taps.values()) {
      if (tap.input && tap.input !== x && !tap.input.isDisposed) tap.input.dispose();
    }
  }
}

/** Per-example gradients of `loss` on x [B, ...] with respect to the relevant parameters, as one [B, P] matrix. */
export function perExampleGradients(model: tfl.LayersModel, loss: LossSpec, x: tf.Tensor, options: GradientOptions): PerExampleGradients {
  const { blocks, parameters } = perExampleGradientBlocks(model, loss, x, options);
  try {
    const gradients = tf.tidy(() => tf.concat2d(blocks.map(materializeBlock), 1));
    return { gradients, parameters };
  } finally {
    disposeBlocks(blocks);
  }
}
