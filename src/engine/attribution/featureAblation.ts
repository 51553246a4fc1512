/** Feature ablation: each group of features is replaced by the baseline, one group at a time; every feature of the group is credited with the output drop. */
import * as tf from '@tensorflow/tfjs-core';
import { throwIfAborted } from './chunking';
import { featureGroups, spreadOverFeatures, type FeatureMaskInput, type GroupAttribution } from './featureMask';
import { baselineValues, evaluateEndpoints, evaluatePerturbations, type BaselineValue } from './perturb';
import type { RunOptions, ScalarFunction } from './types';
import { assertSingleExample } from './validate';

export interface FeatureAblationOptions extends RunOptions {
  /** Integer group ids, shaped like the input or like one example. */
  featureMask: FeatureMaskInput;
  /** 0 when absent. */
  baseline?: BaselineValue;
}

export async function featureAblation(fn: ScalarFunction, input: tf.Tensor, options: FeatureAblationOptions): Promise<GroupAttribution> {
  assertSingleExample(input);
  throwIfAborted(options.signal);
  const groups = await featureGroups(options.featureMask, input);
  const baseline = await baselineValues(options.baseline ?? 0, input);
  const values = Float32Array.from(await input.data());
  const ablated = await evaluatePerturbations(
    fn,
    input,
    groups.count,
    (g, out) => {
      out.set(values);
      for (const i of groups.members[g]!) out[i] = baseline[i]!;
    },
    options,
  );
  const { atInput } = await evaluateEndpoints(fn, input, values, baseline);
  const featureValues = ablated.map((value) => atInput - value);
  return { attributions: tf.tensor(spreadOverFeatures(groups, featureValues), input.shape), featureValues, featureIds: groups.ids };
}
