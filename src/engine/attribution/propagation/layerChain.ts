/**
 * Reads a LayersModel as a single chain of layers from its input to its
 * output. Sequential models are chains by construction; functional models
 * are accepted when every layer on the path to the output has exactly one
 * input. Nested models are expanded in place.
 */
import * as tfl from '@tensorflow/tfjs-layers';

/** Far above any real model; stops a malformed graph from looping forever. */
const MAX_CHAIN_LENGTH = 100_000;

export function describeLayer(layer: tfl.layers.Layer): string {
  return `'${layer.name}' (${layer.getClassName()})`;
}

function isModel(layer: tfl.layers.Layer): layer is tfl.LayersModel {
  return layer instanceof tfl.LayersModel;
}

/** The model's layers from input to output, InputLayers and nested models removed. */
export function layerChain(model: tfl.LayersModel): tfl.layers.Layer[] {
  if (model.inputs.length !== 1) {
    throw new Error(`model '${model.name}' has ${model.inputs.length} inputs; propagation methods need exactly one`);
  }
  if (model.outputs.length !== 1) {
    throw new Error(`model '${model.name}' has ${model.outputs.length} outputs; propagation methods need exactly one`);
  }
  const inputLayer = model.inputs[0]!.sourceLayer;
  const reversed: tfl.layers.Layer[] = [];
  let tensor = model.outputs[0]!;
  for (;;) {
    const layer = tensor.sourceLayer;
    if (layer === inputLayer || layer.getClassName() === 'InputLayer') break;
    if (reversed.length >= MAX_CHAIN_LENGTH) throw new Error(`model '${model.name}' has a cycle or more than ${MAX_CHAIN_LENGTH} layers`);
    const node = layer.inboundNodes[tensor.nodeIndex];
    if (!node) throw new Error(`layer ${describeLayer(layer)} has no inbound node ${tensor.nodeIndex}; the model graph is malformed`);
    if (node.inputTensors.length !== 1) {
      throw new Error(
        `model '${model.name}' is not a single chain: layer ${describeLayer(layer)} has ${node.inputTensors.length} inputs; ` +
          'propagation methods support Sequential models and functional models without branches',
      );
    }
    if (node.outputTensors.length !== 1) {
      throw new Error(`layer ${describeLayer(layer)} has ${node.outputTensors.length} outputs; propagation methods need one output per layer`);
    }
    reversed.push(layer);
    tensor = node.inputTensors[0]!;
  }
  return reversed.reverse().flatMap((layer) => (isModel(layer) ? layerChain(layer) : [layer]));
}
