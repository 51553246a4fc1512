/**
 * A model as a plain list of layers applied one after the other, so the
 * per-example gradient code can step through it and tap every layer.
 * Sequential models (nested ones flattened) and functional models that are a
 * single chain qualify; anything with branches does not, except parallel
 * output heads (`layerGraph`): a chain (the trunk) whose last output feeds
 * several single-layer outputs, like a VAE encoder's μ and log σ² layers.
 */
import * as tfl from '@tensorflow/tfjs-layers';

type Layer = tfl.layers.Layer;

function isModel(layer: Layer): boolean {
  return layer instanceof tfl.LayersModel;
}

/** Checks that each layer is called once, on the previous layer's output (the first on the input); returns the last. */
function walkChain(model: tfl.LayersModel, layers: readonly Layer[], unsupported: (why: string) => never): Layer | undefined {
  let previous: Layer | undefined = model.inputs[0]!.sourceLayer;
  for (const layer of layers) {
    if (layer.inboundNodes.length !== 1) unsupported(`layer "${layer.name}" is called ${layer.inboundNodes.length} times`);
    const input = layer.input;
    if (Array.isArray(input)) unsupported(`layer "${layer.name}" takes ${input.length} inputs`);
    if ((input as tfl.SymbolicTensor).sourceLayer !== previous) unsupported(`layer "${layer.name}" does not take the previous layer's output`);
    previous = layer;
  }
  return previous;
}

function functionalChain(model: tfl.LayersModel): Layer[] {
  const unsupported = (why: string): never => {
    throw new Error(`model "${model.name}" is not a chain of layers (${why}); per-example gradients support Sequential models and single-path functional models`);
  };
  if (model.inputs.length !== 1 || model.outputs.length !== 1) unsupported(`${model.inputs.length} inputs and ${model.outputs.length} outputs`);
  const layers = model.layers.filter((layer) => layer.getClassName() !== 'InputLayer');
  const previous = walkChain(model, layers, unsupported);
  if (model.outputs[0]!.sourceLayer !== previous) unsupported('the output is not the last layer');
  return layers;
}

/** A trunk chain and the parallel single-layer heads that read its output (none for a plain chain). */
export interface LayerGraph {
  trunk: Layer[];
  /** The output layers, in the model's output order; empty when the trunk's last layer is the only output. */
  heads: Layer[];
}

/**
 * The model as a trunk chain plus parallel output heads: a chain model has no
 * heads; a functional model with one input and several outputs qualifies when
 * every output is a layer called once on the trunk's last output (or on the
 * input) and the other layers form a chain.
 */
export function layerGraph(model: tfl.LayersModel): LayerGraph {
  if (model instanceof tfl.Sequential || model.outputs.length === 1) return { trunk: layerChain(model), heads: [] };
  const unsupported = (why: string): never => {
    throw new Error(`model "${model.name}" is neither a chain of layers nor a chain with parallel output layers (${why}); per-example gradients support Sequential models, single-path functional models and single-path trunks with one-layer output heads`);
  };
  if (model.inputs.length !== 1) unsupported(`${model.inputs.length} inputs`);
  const heads = model.outputs.map((o) => o.sourceLayer as Layer);
  if (new Set(heads).size !== heads.length) unsupported('a layer gives two outputs');
  const layers = model.layers.filter((layer) => layer.getClassName() !== 'InputLayer' && !heads.includes(layer));
  const previous = walkChain(model, layers, unsupported);
  for (const head of heads) {
    if (isModel(head)) unsupported(`output "${head.name}" is a nested model`);
    if (head.inboundNodes.length !== 1) unsupported(`output layer "${head.name}" is called ${head.inboundNodes.length} times`);
    const input = head.input;
    if (Array.isArray(input) || (input as tfl.SymbolicTensor).sourceLayer !== previous) unsupported(`output layer "${head.name}" does not take the trunk's last output`);
  }
  return { trunk: layers.flatMap((layer) => (isModel(layer) ? layerChain(layer as unknown as tfl.LayersModel) : [layer])), heads };
}

/** The model's layers in application order, nested models expanded; InputLayers dropped. */
export function layerChain(model: tfl.LayersModel): Layer[] {
  const top = model instanceof tfl.Sequential ? model.layers : functionalChain(model);
  return top.flatMap((layer) => (isModel(layer) ? layerChain(layer as unknown as tfl.LayersModel) : [layer]));
}

/**
 * The layers whose weights count, in chain order: the named ones, or every
 * layer with trainable weights when no names are given. Unknown names throw,
 * listing the names that exist.
 */
export function selectRelevantLayers(chain: readonly Layer[], names?: readonly string[]): Layer[] {
  if (names === undefined) return chain.filter((layer) => layer.trainableWeights.length > 0);
  if (!Array.isArray(names)) throw new Error('relevantLayers must be a list of layer names');
  const known = new Set(chain.map((layer) => layer.name));
  const missing = names.filter((name) => !known.has(name));
  if (missing.length > 0) {
    throw new Error(`relevant layer${missing.length > 1 ? 's' : ''} ${missing.map((n) => `"${n}"`).join(', ')} not found in the model; its layers are ${[...known].join(', ')}`);
  }
  const wanted = new Set(names);
  return chain.filter((layer) => wanted.has(layer.name));
}
