/**
 * Every attribution method behind one entry point: a validated request and a
 * context (target, input, reference data) in, one attribution out.
 */
import type * as tf from '@tensorflow/tfjs-core';
import { featureAblation } from './featureAblation';
import { gradientShap } from './gradientShap';
import { integratedGradients } from './integratedGradients';
import { kernelShap } from './kernelShap';
import { lime } from './lime';
import type { AttributionMethod, BatchedMethod } from './method';
import { occlusion } from './occlusion';
import { parseAttributionRequest, type AttributionRequest, type SmoothableRequest } from './requests';
import { resolveBaseline, resolveFeatures } from './resolveSpecs';
import { gradientTimesInputMethod, runBatchedMethod, saliencyMethod } from './saliency';
import { smoothGrad } from './smoothGrad';
import type { Attribution, RunOptions, ScalarFunction } from './types';
import { assertSingleExample } from './validate';

export interface AttributionContext extends RunOptions {
  target: ScalarFunction;
  /** The example to explain, [1, ...exampleShape]. */
  input: tf.Tensor;
  /** Examples [N, ...exampleShape] for the "mean" baseline and GradientSHAP's baseline set. */
  referenceData?: tf.Tensor;
}

export interface AttributionResult extends Attribution {
  method: AttributionRequest['method'];
  /** Perturbation methods over interpretable features: one value per feature group. */
  featureValues?: Float64Array;
  featureIds?: Int32Array;
}

function runOptions(context: AttributionContext): RunOptions {
  return { batchSize: context.batchSize, signal: context.signal, onProgress: context.onProgress };
}

/** Binds a gradient-family request to its target; baselines are resolved from the original input. */
function gradientMethod(request: SmoothableRequest, context: AttributionContext): { method: AttributionMethod | BatchedMethod; dispose(): void } {
  const fn = context.target;
  switch (request.method) {
    case 'saliency':
      return { method: saliencyMethod(fn, request.absolute ?? false), dispose: () => undefined };
    case 'gradientXInput':
      return { method: gradientTimesInputMethod(fn), dispose: () => undefined };
    case 'integratedGradients': {
      const baseline = resolveBaseline(request.baseline, context.input, context.referenceData);
      return {
        method: (input, options) => integratedGradients(fn, input, baseline, { ...options, steps: request.steps, rule: request.rule }),
        dispose: () => baseline.dispose(),
      };
    }
    case 'gradientShap': {
      const useReference = request.baselines === 'reference' || (request.baselines === undefined && context.referenceData !== undefined);
      if (useReference && !context.referenceData) throw new Error('GradientSHAP with baselines "reference" needs reference data, and none was given');
      const spec = request.baselines === 'reference' ? undefined : request.baselines;
      const baselineSet = useReference ? context.referenceData! : resolveBaseline(spec, context.input, context.referenceData);
      return {
        method: (input, options) => gradientShap(fn, input, baselineSet, { ...options, samples: request.samples, sigma: request.sigma, seed: request.seed }),
        dispose: () => {
          if (!useReference) baselineSet.dispose();
        },
      };
    }
  }
}

async function runGradientFamily(method: AttributionMethod | BatchedMethod, input: tf.Tensor, options: RunOptions): Promise<Attribution> {
  return typeof method === 'function' ? method(input, options) : runBatchedMethod(method, input, options);
}

export async function runAttribution(request: AttributionRequest, context: AttributionContext): Promise<AttributionResult> {
  const parsed = parseAttributionRequest(request);
  assertSingleExample(context.input, 'context.input');
  const { target: fn, input } = context;
  const options = runOptions(context);
  switch (parsed.method) {
    case 'saliency':
    case 'gradientXInput':
    case 'integratedGradients':
    case 'gradientShap': {
      const bound = gradientMethod(parsed, context);
      try {
        return { method: parsed.method, ...(await runGradientFamily(bound.method, input, options)) };
      } finally {
        bound.dispose();
      }
    }
    case 'smoothGrad': {
      const bound = gradientMethod(parsed.base, context);
      try {
        const result = await smoothGrad(bound.method, input, { ...options, mode: parsed.mode, samples: parsed.samples, sigma: parsed.sigma, seed: parsed.seed });
        return { method: parsed.method, ...result };
      } finally {
        bound.dispose();
      }
    }
    case 'occlusion': {
      const baseline = resolveBaseline(parsed.baseline, input, context.referenceData);
      try {
        return { method: parsed.method, ...(await occlusion(fn, input, { ...options, window: parsed.window, strides: parsed.strides, baseline })) };
      } finally {
        baseline.dispose();
      }
    }
    case 'featureAblation':
    case 'kernelShap':
    case 'lime': {
      const featureMask = await resolveFeatures(parsed.features, input);
      const baseline = resolveBaseline(parsed.baseline, input, context.referenceData);
      try {
        const shared = { ...options, featureMask, baseline };
        if (parsed.method === 'featureAblation') return { method: parsed.method, ...(await featureAblation(fn, input, shared)) };
        if (parsed.method === 'kernelShap') return { method: parsed.method, ...(await kernelShap(fn, input, { ...shared, samples: parsed.samples, seed: parsed.seed })) };
        const { distance, kernelWidth, surrogate, alpha, samples, seed } = parsed;
        return { method: parsed.method, ...(await lime(fn, input, { ...shared, samples, seed, distance, kernelWidth, surrogate, alpha })) };
      } finally {
        baseline.dispose();
      }
    }
  }
}
