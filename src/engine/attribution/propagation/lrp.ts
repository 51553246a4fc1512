/**
 * Layer-wise relevance propagation through a LayersModel: relevance starts at
 * the explained output (the unit's value, or f(x) * f(x) for the label-free
 * score <f(x), f(x)>) and is redistributed layer by layer down to the input.
 * Elementwise activations pass relevance through unchanged; max pooling sends
 * it to the window's maximum; reshapes move it. Completeness reports the
 * conservation: sum of input relevance against the initial relevance.
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { Attribution, RunOptions } from '../types';
import type { PropagationChain } from './chain';
import { lrpLinear, resolveRule, type LrpRule, type ResolvedRule } from './lrpRules';
import { readScalars, withChain } from './run';
import { resolveUnit, unitMask, type PropagationTarget } from './target';

export type { LrpRule, LrpRuleName } from './lrpRules';

function initialRelevance(output: tf.Tensor, target: PropagationTarget): tf.Tensor {
  if (target.labelFree) return tf.mul(output, output);
  return tf.mul(output, unitMask(output, resolveUnit(target, output)));
}

function propagate(chain: PropagationChain, input: tf.Tensor, target: PropagationTarget, rule: ResolvedRule): { relevance: tf.Tensor; initialTotal: tf.Tensor } {
  return tf.tidy(() => {
    const acts = chain.activations(input);
    const initial = initialRelevance(acts[chain.steps.length]!, target);
    let relevance = initial;
    for (let i = chain.steps.length - 1; i >= 0; i--) {
      const step = chain.steps[i]!;
      const a = acts[i]!;
      if (step.kind === 'linear') relevance = lrpLinear(step, a, relevance, rule);
      else if (step.kind === 'route' || step.kind === 'max') relevance = tf.grad((x: tf.Tensor) => step.apply(x))(a, relevance);
      // Elementwise activations keep relevance unchanged.
    }
    return { relevance, initialTotal: tf.sum(initial) };
  });
}

/** LRP attribution of one input [1, ...]; attributions have the input's shape. */
export async function lrp(model: tfl.LayersModel, input: tf.Tensor, target: PropagationTarget, rule: LrpRule, options: RunOptions = {}): Promise<Attribution> {
  const resolved = resolveRule(rule);
  return withChain(model, input, target, options, async (chain) => {
    const { relevance, initialTotal } = propagate(chain, input, target, resolved);
    try {
      const [sum, expected] = await readScalars(tf.sum(relevance), initialTotal);
      return { attributions: relevance, completeness: { sum: sum!, expected: expected! } };
    } catch (error) {
      relevance.dispose();
      throw error;
    }
  });
}
