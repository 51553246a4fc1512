/**
 * What some methods need from the training set: its mean (the 'mean'
 * baseline, over every training example) and a small strided subset
 * (GradientSHAP's reference baselines).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { BaselineSpec } from '../attribution/requests';
import { resolveBaseline } from '../attribution/resolveSpecs';
import type { Dataset } from '../data/dataset';
import { examplesTensor } from '../run/batches';
import type { MethodSpec } from './methodSpecs';

export const REFERENCE_EXAMPLES = 128;

const means = new WeakMap<Dataset, Float32Array>();

/** The per-feature mean over every example, in float64 and computed once per loaded dataset. */
export function trainingMean(dataset: Dataset): Float32Array {
  const cached = means.get(dataset);
  if (cached) return cached;
  const size = dataset.values.length / Math.max(1, dataset.count);
  const sum = new Float64Array(size);
  for (let n = 0; n < dataset.count; n++) {
    const offset = n * size;
    for (let i = 0; i < size; i++) sum[i] += dataset.values[offset + i]!;
  }
  const mean = Float32Array.from(sum, (s) => s / Math.max(1, dataset.count));
  means.set(dataset, mean);
  return mean;
}

/** Up to REFERENCE_EXAMPLES training examples spread evenly over the set, as [N, ...exampleShape]; the caller disposes it. */
export function referenceSubset(dataset: Dataset, exampleShape: number[], max = REFERENCE_EXAMPLES): tf.Tensor {
  const count = Math.min(max, dataset.count);
  const indices = Array.from({ length: count }, (_, k) => Math.floor((k * dataset.count) / count));
  return examplesTensor(dataset, indices, exampleShape);
}

function materialise(spec: BaselineSpec | undefined, mean: () => BaselineSpec): BaselineSpec | undefined {
  return spec?.kind === 'mean' ? mean() : spec;
}

/** Replaces every 'mean' baseline by the exact training mean, so the registry need not see the whole set. */
export function withTrainingMean(spec: MethodSpec, dataset: Dataset, exampleShape: number[]): MethodSpec {
  const mean = (): BaselineSpec => ({ kind: 'file', values: trainingMean(dataset), shape: exampleShape, file: `the mean of ${dataset.file}` });
  switch (spec.method) {
    case 'integratedGradients':
    case 'occlusion':
    case 'featureAblation':
    case 'kernelShap':
    case 'lime':
      return spec.baseline ? { ...spec, baseline: materialise(spec.baseline, mean)! } : spec;
    case 'deepLift':
      return { ...spec, baseline: materialise(spec.baseline, mean)! };
    case 'gradientShap':
      return spec.baselines && spec.baselines !== 'reference' ? { ...spec, baselines: materialise(spec.baselines, mean)! } : spec;
    case 'smoothGrad':
      return { ...spec, base: withTrainingMean(spec.base, dataset, exampleShape) as typeof spec.base };
    default:
      return spec;
  }
}

/** Whether the method draws baselines from the training subset. */
export function needsReferenceSubset(spec: MethodSpec): boolean {
  if (spec.method === 'smoothGrad') return needsReferenceSubset(spec.base);
  return spec.method === 'gradientShap' && spec.baselines === 'reference';
}

/** A baseline spec as a tensor shaped like `input`, the 'mean' taken over the whole training set; the caller disposes it. */
export function baselineTensor(spec: BaselineSpec | undefined, input: tf.Tensor, dataset: Dataset, exampleShape: number[]): tf.Tensor {
  const resolved = spec?.kind === 'mean' ? ({ kind: 'file', values: trainingMean(dataset), shape: exampleShape, file: `the mean of ${dataset.file}` } as const) : spec;
  return resolveBaseline(resolved, input, undefined);
}
