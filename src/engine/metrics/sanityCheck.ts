/**
 * Cascading parameter randomisation (Adebayo et al., "Sanity checks for
 * saliency maps"): re-initialise the trainable layers from the output down,
 * cumulatively, and compare each new map with the original by Spearman rank
 * correlation (signed and absolute). A method whose maps survive
 * randomisation is not explaining the model. The model's weights are put back
 * at the end, also when the attribution throws or the run is cancelled.
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { throwIfAborted, yieldToEventLoop } from '../attribution/chunking';
import { createRandom, type Random } from '../attribution/random';
import type { RunOptions } from '../attribution/types';
import { checkPair, pearsonOfVectors } from './pearson';
import { averageRanks } from './spearman';
import { toVector, type MapLike } from './vectors';

export type ExplainFunction = (model: tfl.LayersModel) => MapLike | Promise<MapLike>;

export interface RandomizationOptions extends RunOptions {
  seed?: number;
  /** Layers to randomise, in order (output side first). Default: every layer with trainable weights, from the output down. */
  layers?: string[];
}

export interface RandomizationStep {
  /** The layer randomised at this step; null for the first step, which randomises nothing. */
  layer: string | null;
  /** Every layer randomised so far. */
  randomizedLayers: string[];
  spearman: number;
  spearmanAbsolute: number;
}

export interface RandomizationResult {
  steps: RandomizationStep[];
}

/** Glorot-uniform limit sqrt(6 / (fanIn + fanOut)), fans as in Keras; vectors use fanIn = fanOut = length. */
function glorotLimit(shape: readonly number[]): number {
  if (shape.length < 2) return Math.sqrt(6 / (2 * Math.max(1, shape[0] ?? 1)));
  const receptive = shape.slice(0, -2).reduce((a, b) => a * b, 1);
  const fanIn = shape[shape.length - 2]! * receptive;
  const fanOut = shape[shape.length - 1]! * receptive;
  return Math.sqrt(6 / (fanIn + fanOut));
}

/** Fresh values for the layer's trainable weights; non-trainable ones (BatchNorm statistics) keep theirs. */
function randomizeLayer(layer: tfl.layers.Layer, random: Random): void {
  const current = layer.getWeights();
  const fresh = layer.weights.map((variable, i) => {
    const shape = current[i]!.shape;
    if (!variable.trainable) return tf.clone(current[i]!);
    const limit = glorotLimit(shape);
    const values = new Float32Array(current[i]!.size);
    for (let k = 0; k < values.length; k++) values[k] = (2 * random.next() - 1) * limit;
    return tf.tensor(values, shape, 'float32');
  });
  try {
    layer.setWeights(fresh);
  } finally {
    tf.dispose(fresh);
  }
}

function defaultLayers(model: tfl.LayersModel): tfl.layers.Layer[] {
  return model.layers.filter((layer) => layer.trainableWeights.length > 0).reverse();
}

function pickLayers(model: tfl.LayersModel, names: string[] | undefined): tfl.layers.Layer[] {
  if (names === undefined) return defaultLayers(model);
  if (!Array.isArray(names as unknown)) throw new Error('layers must be a list of layer names');
  return names.map((name, i) => {
    const layer = model.layers.find((l) => l.name === name);
    if (!layer) throw new Error(`layers[${i}] '${name}' is not a layer of model '${model.name}'`);
    if (layer.trainableWeights.length === 0) throw new Error(`layers[${i}] '${name}' has no trainable weights to randomise`);
    return layer;
  });
}

async function explainVector(explain: ExplainFunction, model: tfl.LayersModel, name: string): Promise<Float64Array> {
  const map = await explain(model);
  try {
    return toVector(map, name);
  } finally {
    if (map instanceof tf.Tensor) map.dispose();
  }
}

function correlations(original: Float64Array, originalAbsRanks: Float64Array, originalRanks: Float64Array, map: Float64Array): { spearman: number; spearmanAbsolute: number } {
  checkPair(original, map, 'the original map', 'the randomised map');
  return {
    spearman: pearsonOfVectors(originalRanks, averageRanks(map)),
    spearmanAbsolute: pearsonOfVectors(originalAbsRanks, averageRanks(Float64Array.from(map, Math.abs))),
  };
}

/**
 * Runs the cascade. `explain` receives the (progressively randomised) model
 * and returns a map; returned tensors are disposed here.
 */
export async function cascadingRandomization(model: tfl.LayersModel, explain: ExplainFunction, options: RandomizationOptions = {}): Promise<RandomizationResult> {
  if (typeof model !== 'object' || model === null || !Array.isArray(model.layers)) throw new Error('model must be a tfjs-layers LayersModel');
  if (typeof explain !== 'function') throw new Error('explain must be a function of the model');
  const seed = options.seed ?? 0;
  if (!Number.isInteger(seed)) throw new Error(`seed must be an integer, got ${seed}`);
  const layers = pickLayers(model, options.layers);
  throwIfAborted(options.signal);
  const saved = layers.map((layer) => layer.getWeights().map((w) => tf.clone(w)));
  try {
    const original = await explainVector(explain, model, 'the original map');
    const originalRanks = averageRanks(original);
    const originalAbsRanks = averageRanks(Float64Array.from(original, Math.abs));
    const steps: RandomizationStep[] = [];
    const total = layers.length + 1;
    // Step 0 explains the untouched model again: it shows the method's own run-to-run noise.
    const again = await explainVector(explain, model, 'the map before randomisation');
    steps.push({ layer: null, randomizedLayers: [], ...correlations(original, originalAbsRanks, originalRanks, again) });
    options.onProgress?.(1 / total);
    const random = createRandom(seed);
    for (const [k, layer] of layers.entries()) {
      await yieldToEventLoop();
      throwIfAborted(options.signal);
      randomizeLayer(layer, random);
      const map = await explainVector(explain, model, `the map after randomising '${layer.name}'`);
      steps.push({ layer: layer.name, randomizedLayers: layers.slice(0, k + 1).map((l) => l.name), ...correlations(original, originalAbsRanks, originalRanks, map) });
      options.onProgress?.((k + 2) / total);
    }
    return { steps };
  } finally {
    layers.forEach((layer, i) => layer.setWeights(saved[i]!));
    tf.dispose(saved.flat());
  }
}
