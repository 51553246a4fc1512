/**
 * DeepLIFT with the Rescale rule (Shrikumar et al. 2017) through a
 * LayersModel. Multipliers m = d(contribution)/d(difference-from-reference)
 * flow backwards: linear steps and reshapes use their transpose (exact for
 * linear maps), elementwise activations use Delta y / Delta x, and max pooling
 * hands each output difference to the window maxima at the input and at the
 * baseline (maxPoolRule.ts). Attributions m * (x - baseline) then sum to
 * g(x) - g(baseline) (summation-to-delta), reported as completeness.
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { Attribution, RunOptions } from '../types';
import { assertAllFinite, assertSameShape } from '../validate';
import type { PropagationChain } from './chain';
import { readScalars, withChain } from './run';
import { maxPoolMultipliers } from './maxPoolRule';
import type { ElementwiseStep, Step } from './steps';
import { resolveUnit, unitMask, type PropagationTarget } from './target';

/** Below this input difference the Rescale ratio is replaced by its limit, the derivative. */
const RESCALE_TOLERANCE = 1e-6;

/** Delta y / Delta x, or f'(x) where Delta x vanishes. */
function rescaleMultiplier(step: ElementwiseStep, a: tf.Tensor, a0: tf.Tensor, out: tf.Tensor, out0: tf.Tensor): tf.Tensor {
  const dx = tf.sub(a, a0);
  const derivative = tf.grad((x: tf.Tensor) => step.apply(x))(a);
  const ratio = tf.divNoNan(tf.sub(out, out0), dx);
  return tf.where(tf.greater(tf.abs(dx), RESCALE_TOLERANCE), ratio, derivative);
}

function backwardStep(step: Step, a: tf.Tensor, a0: tf.Tensor, out: tf.Tensor, out0: tf.Tensor, m: tf.Tensor): tf.Tensor {
  switch (step.kind) {
    case 'linear':
      return tf.grad((x: tf.Tensor) => step.apply(x, (w) => w, false))(a, m);
    case 'route':
      return tf.grad((x: tf.Tensor) => step.apply(x))(a, m);
    case 'elementwise':
      return tf.mul(m, rescaleMultiplier(step, a, a0, out, out0));
    case 'max':
      return maxPoolMultipliers(step.window, a, a0, m, RESCALE_TOLERANCE);
  }
}

interface DeepLiftTensors {
  attributions: tf.Tensor;
  sum: tf.Tensor;
  expected: tf.Tensor;
}

function propagate(chain: PropagationChain, input: tf.Tensor, baseline: tf.Tensor, target: PropagationTarget): DeepLiftTensors {
  return tf.tidy(() => {
    const acts = chain.activations(input);
    const refs = chain.activations(baseline);
    const n = chain.steps.length;
    const output = acts[n]!;
    const delta = tf.sub(output, refs[n]!);
    // g(x~) = <w, out(x~)> with w a one-hot unit or, label-free, the fixed f(x); the multiplier at the output is w.
    let m = target.labelFree ? output : unitMask(output, resolveUnit(target, output));
    const expected = tf.sum(tf.mul(m, delta));
    for (let i = n - 1; i >= 0; i--) m = backwardStep(chain.steps[i]!, acts[i]!, refs[i]!, acts[i + 1]!, refs[i + 1]!, m);
    const attributions = tf.mul(m, tf.sub(input, baseline));
    return { attributions, sum: tf.sum(attributions), expected };
  });
}

/** The baseline as a tensor shaped like the input: a number fills it. */
function resolveBaseline(input: tf.Tensor, baseline: tf.Tensor | number): tf.Tensor {
  if (typeof baseline === 'number') {
    if (!Number.isFinite(baseline)) throw new Error(`baseline must be a finite number or a tensor, got ${baseline}`);
    return tf.fill(input.shape, baseline);
  }
  if (!(baseline instanceof tf.Tensor)) throw new Error('baseline must be a number or a tensor shaped like the input');
  assertSameShape(baseline, input, 'baseline');
  if (baseline.dtype !== 'float32') throw new Error(`baseline must be float32, got ${baseline.dtype}`);
  assertAllFinite(baseline.dataSync(), 'baseline');
  return baseline.clone();
}

/** DeepLIFT-Rescale attribution of one input [1, ...] against a baseline (default all zeros). */
export async function deepLift(
  model: tfl.LayersModel,
  input: tf.Tensor,
  baseline: tf.Tensor | number = 0,
  target: PropagationTarget = {},
  options: RunOptions = {},
): Promise<Attribution> {
  return withChain(model, input, target, options, async (chain) => {
    const reference = resolveBaseline(input, baseline);
    let result: DeepLiftTensors;
    try {
      result = propagate(chain, input, reference, target);
    } finally {
      reference.dispose();
    }
    try {
      const [sum, expected] = await readScalars(result.sum, result.expected);
      return { attributions: result.attributions, completeness: { sum: sum!, expected: expected! } };
    } catch (error) {
      result.attributions.dispose();
      throw error;
    }
  });
}
