/**
 * The model, truncated at the explained layer, as a chain of propagation
 * steps. A softmax at the end is dropped: propagation rules explain the
 * pre-softmax score (the logit), since softmax couples all outputs.
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { describeLayer, layerChain } from './layerChain';
import { convertLayer, SOFTMAX_ACTIVATIONS } from './layerSteps';
import { forwardStep, type Step } from './steps';

export interface PropagationChain {
  readonly steps: readonly Step[];
  /** Name of the last layer kept. */
  readonly outputLayer: string;
  /** The softmax layer dropped from the end, if any: the chain's output is then its input (the logits). */
  readonly droppedSoftmax: string | null;
  /** Per-example input shape, without the batch dimension. */
  readonly inputShape: readonly number[];
  /** Runs the chain; returns every step's input plus the final output (length steps + 1). */
  activations(x: tf.Tensor): tf.Tensor[];
  forward(x: tf.Tensor): tf.Tensor;
  dispose(): void;
}

export interface ChainOptions {
  /** Stop after this layer; the model's last layer when absent. */
  outputLayer?: string;
}

function truncate(layers: tfl.layers.Layer[], outputLayer: string | undefined, modelName: string): tfl.layers.Layer[] {
  if (outputLayer === undefined) return layers;
  const index = layers.findIndex((layer) => layer.name === outputLayer);
  if (index < 0) {
    throw new Error(`outputLayer '${outputLayer}' is not a layer of model '${modelName}'; layers: ${layers.map((l) => l.name).join(', ')}`);
  }
  return layers.slice(0, index + 1);
}

function isSoftmax(step: Step): boolean {
  return step.kind === 'elementwise' && SOFTMAX_ACTIVATIONS.has(step.activation);
}

export function buildPropagationChain(model: tfl.LayersModel, options: ChainOptions = {}): PropagationChain {
  if (!Array.isArray(model.inputs as unknown) || model.inputs.length === 0) {
    throw new Error(`model '${model.name}' has no defined input; build it (give the first layer an inputShape) before explaining it`);
  }
  const inputShape = model.inputs[0]?.shape.slice(1);
  if (!inputShape || inputShape.some((d) => d === null)) {
    throw new Error(`model '${model.name}' needs a fully defined input shape for propagation methods, got [${model.inputs[0]?.shape.join(', ')}]`);
  }
  const layers = truncate(layerChain(model), options.outputLayer, model.name);
  if (layers.length === 0) throw new Error(`model '${model.name}' has no layers to propagate through`);
  const steps: Step[] = [];
  const owned: tf.Tensor[] = [];
  try {
    let rank = inputShape.length + 1;
    for (const layer of layers) {
      const converted = convertLayer(layer, steps, rank);
      steps.push(...converted.steps);
      owned.push(...converted.owned);
      const outShape = layer.outputShape;
      if (Array.isArray(outShape[0])) throw new Error(`layer ${describeLayer(layer)} has several outputs; propagation methods need one`);
      rank = (outShape as (number | null)[]).length;
    }
  } catch (error) {
    tf.dispose(owned);
    throw error;
  }
  let droppedSoftmax: string | null = null;
  const last = steps[steps.length - 1];
  if (last && isSoftmax(last)) {
    droppedSoftmax = last.layerName;
    steps.pop();
  }
  if (steps.length === 0) {
    tf.dispose(owned);
    throw new Error(`model '${model.name}' has nothing to propagate through up to layer '${layers[layers.length - 1]!.name}'`);
  }
  const inner = steps.find(isSoftmax);
  if (inner) {
    tf.dispose(owned);
    throw new Error(`softmax in layer '${inner.layerName}' (${inner.className}) is supported only as the final layer of the explained chain`);
  }
  const activations = (x: tf.Tensor): tf.Tensor[] => {
    const out = [x];
    for (const step of steps) out.push(forwardStep(step, out[out.length - 1]!));
    return out;
  };
  return {
    steps,
    outputLayer: layers[layers.length - 1]!.name,
    droppedSoftmax,
    inputShape: inputShape as number[],
    activations,
    forward: (x) => tf.tidy(() => activations(x)[steps.length]!),
    dispose: () => tf.dispose(owned),
  };
}
