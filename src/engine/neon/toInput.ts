/**
 * Continues relevance from a representation layer h = encoder(x) down to the
 * input with the engine's LRP rules (NEON paper, Sec. 5.2: NEON on the layer,
 * "standard LRP rules" below it).
 *
 * This is an adapter over attribution/propagation: its `lrp` starts from the
 * explained unit's own value (or f(x)², label-free) and its propagation loop is
 * private, so it cannot take an arbitrary starting relevance. Here the same
 * chain (buildPropagationChain) and the same per-step rules (lrpLinear, and the
 * transposed map for route and max steps) run from the relevance given on the
 * layer; the loop mirrors lrp.ts step for step.
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { buildPropagationChain, type PropagationChain } from '../attribution/propagation/chain';
import { lrpLinear, resolveRule, type LrpRule, type ResolvedRule } from '../attribution/propagation/lrpRules';
import { assertInputMatches, assertModel } from '../attribution/propagation/run';
import { assertAllFinite, assertSingleExample, shapeText } from '../attribution/validate';
import type { GroundedRelevance } from './grounded';

export interface ToInputOptions {
  /** Name of the representation layer that carries the starting relevance. */
  layer: string;
  /** LRP rule below the layer; the panel's default, LRP-ε (ε = 0.01), when absent. */
  rule?: LrpRule;
}

export interface InputRelevance {
  /** Relevance of every input value, shaped like the input [1, ...]. The caller disposes it. */
  relevance: tf.Tensor;
  /** Σ of `relevance`. */
  inputSum: number;
  /** Σ of the starting relevance on the layer; equals inputSum for LRP-0 on a bias-free network. */
  layerSum: number;
}

export interface EncoderExplanation extends InputRelevance {
  /** The first-layer (Appendix A) relevance on the representation, with its residual. */
  grounded: GroundedRelevance;
}

const DEFAULT_RULE: LrpRule = { rule: 'epsilon' };

function checkLayerName(layer: unknown): asserts layer is string {
  if (typeof layer !== 'string' || layer.length === 0) throw new Error(`options.layer must be a non-empty layer name, got ${String(layer)}`);
}

/** Builds the chain up to `layer`, validates, runs `body`, always disposes the chain. */
async function withLayerChain<T>(model: tfl.LayersModel, input: tf.Tensor, layer: string, body: (chain: PropagationChain) => T | Promise<T>): Promise<T> {
  assertModel(model);
  assertSingleExample(input);
  checkLayerName(layer);
  const chain = buildPropagationChain(model, { outputLayer: layer });
  try {
    // A dropped softmax would make the chain end at the logits, not at the layer the relevance lives on.
    if (chain.droppedSoftmax !== null) throw new Error(`layer '${layer}' ends in softmax ('${chain.droppedSoftmax}'); name a representation layer without softmax`);
    assertInputMatches(chain, input, 'input');
    return await body(chain);
  } finally {
    chain.dispose();
  }
}

/** The LRP backward loop of lrp.ts, from a given relevance on the chain's output. */
function propagateFrom(chain: PropagationChain, input: tf.Tensor, start: ArrayLike<number>, rule: ResolvedRule): tf.Tensor {
  return tf.tidy(() => {
    const acts = chain.activations(input);
    const top = acts[chain.steps.length]!;
    if (start.length !== top.size) {
      throw new Error(`layerRelevance has ${start.length} values but layer '${chain.outputLayer}' has output shape ${shapeText(top.shape)} (${top.size} values)`);
    }
    let relevance: tf.Tensor = tf.tensor(Float32Array.from(start), top.shape);
    for (let i = chain.steps.length - 1; i >= 0; i--) {
      const step = chain.steps[i]!;
      const a = acts[i]!;
      if (step.kind === 'linear') relevance = lrpLinear(step, a, relevance, rule);
      else if (step.kind === 'route' || step.kind === 'max') relevance = tf.grad((x: tf.Tensor) => step.apply(x))(a, relevance);
      // Elementwise activations keep relevance unchanged.
    }
    return relevance;
  });
}

async function finish(relevance: tf.Tensor, start: ArrayLike<number>): Promise<InputRelevance> {
  try {
    const values = await relevance.data();
    let inputSum = 0;
    for (const v of values) inputSum += v;
    let layerSum = 0;
    for (let i = 0; i < start.length; i++) layerSum += start[i]!;
    return { relevance, inputSum, layerSum };
  } catch (error) {
    relevance.dispose();
    throw error;
  }
}

/** The representation h = encoder(x) at `layer`, flattened (without the batch dimension). */
export async function representationAt(model: tfl.LayersModel, input: tf.Tensor, layer: string): Promise<Float32Array> {
  return withLayerChain(model, input, layer, async (chain) => {
    const h = chain.forward(input);
    try {
      return (await h.data()) as Float32Array;
    } finally {
      h.dispose();
    }
  });
}

/** LRP from `layerRelevance` (one value per unit of `layer`'s output, flat) down to the input. */
export async function relevanceToInput(model: tfl.LayersModel, input: tf.Tensor, layerRelevance: ArrayLike<number>, options: ToInputOptions): Promise<InputRelevance> {
  const rule = resolveRule(options.rule ?? DEFAULT_RULE);
  assertAllFinite(layerRelevance, 'layerRelevance');
  return withLayerChain(model, input, options.layer, (chain) => finish(propagateFrom(chain, input, layerRelevance, rule), layerRelevance));
}

/**
 * The whole NEON-on-a-hidden-layer pipeline: computes a = encoder(x) at
 * `layer`, applies an Appendix A rule to it (e.g. `(a) => groundedOutlierRelevance(kde, a)`),
 * and continues the grounded relevance to the input with LRP.
 */
export async function explainThroughEncoder(
  model: tfl.LayersModel,
  input: tf.Tensor,
  groundedRule: (a: Float32Array) => GroundedRelevance,
  options: ToInputOptions,
): Promise<EncoderExplanation> {
  const rule = resolveRule(options.rule ?? DEFAULT_RULE);
  return withLayerChain(model, input, options.layer, async (chain) => {
    const h = chain.forward(input);
    let a: Float32Array;
    try {
      a = (await h.data()) as Float32Array;
    } finally {
      h.dispose();
    }
    const grounded = groundedRule(a);
    assertAllFinite(grounded.relevance, 'grounded relevance');
    const result = await finish(propagateFrom(chain, input, grounded.relevance, rule), grounded.relevance);
    return { ...result, grounded };
  });
}
