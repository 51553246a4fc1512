/**
 * Throughput of the feature-attribution methods on the demo encoder with the
 * label-free target, on whatever tfjs backend is active. Inputs are seeded
 * uniform images: the cost of these methods does not depend on the pixel values.
 */
import * as tf from '@tensorflow/tfjs-core';
import { buildDenoisingAutoencoder, IMAGE_SHAPE, REPRESENTATION_LAYER } from '../demo/template/models';
import { gridMask } from '../src/engine/attribution/featureMask';
import { gradientShap } from '../src/engine/attribution/gradientShap';
import { integratedGradients } from '../src/engine/attribution/integratedGradients';
import { kernelShap } from '../src/engine/attribution/kernelShap';
import { saliency, saliencyMethod } from '../src/engine/attribution/saliency';
import { smoothGrad } from '../src/engine/attribution/smoothGrad';
import { encoderFromModel, labelFreeTarget } from '../src/engine/attribution/targets';
import type { Attribution, ScalarFunction } from '../src/engine/attribution/types';

export interface AttributionBenchOptions {
  /** Examples explained per method; KernelSHAP uses at most `kernelShapExamples`. */
  examples?: number;
  kernelShapExamples?: number;
  batchSize?: number;
}

type Explain = (fn: ScalarFunction, input: tf.Tensor) => Promise<Attribution>;

export async function benchAttribution(options: AttributionBenchOptions = {}): Promise<Array<{ method: string; examplesPerSecond: number }>> {
  const examples = options.examples ?? 64;
  const kernelShapExamples = Math.min(examples, options.kernelShapExamples ?? 8);
  const batchSize = options.batchSize ?? 32;
  const model = buildDenoisingAutoencoder(1);
  const encoder = encoderFromModel(model, REPRESENTATION_LAYER);
  const images = tf.randomUniform([examples, ...IMAGE_SHAPE], 0, 1, 'float32', 7);
  const zeros = tf.zeros([1, ...IMAGE_SHAPE]);
  const baselineSet = tf.randomUniform([16, ...IMAGE_SHAPE], 0, 1, 'float32', 8);
  const grid = gridMask(IMAGE_SHAPE, 4, 4);
  const methods: Array<{ method: string; count: number; explain: Explain }> = [
    { method: 'integrated gradients (50 steps)', count: examples, explain: (fn, x) => integratedGradients(fn, x, zeros, { steps: 50, batchSize }) },
    { method: 'GradientSHAP (50 samples)', count: examples, explain: (fn, x) => gradientShap(fn, x, baselineSet, { samples: 50, sigma: 0.1, batchSize }) },
    { method: 'saliency', count: examples, explain: (fn, x) => saliency(fn, x) },
    { method: 'SmoothGrad of saliency (50 samples)', count: examples, explain: (fn, x) => smoothGrad(saliencyMethod(fn), x, { samples: 50, sigma: 0.15, batchSize }) },
    {
      method: 'KernelSHAP (2000 samples, 4x4 grid)',
      count: kernelShapExamples,
      explain: (fn, x) => kernelShap(fn, x, { featureMask: grid, samples: 2000, batchSize: Math.max(batchSize, 128) }),
    },
  ];
  const rows: Array<{ method: string; examplesPerSecond: number }> = [];
  try {
    for (const { method, count, explain } of methods) {
      const start = performance.now();
      for (let i = 0; i < count; i++) {
        const x = tf.slice(images, i, 1);
        const target = labelFreeTarget(encoder, x);
        try {
          const result = await explain(target.fn, x);
          await result.attributions.data();
          result.attributions.dispose();
        } finally {
          target.dispose();
          x.dispose();
        }
      }
      rows.push({ method, examplesPerSecond: count / ((performance.now() - start) / 1000) });
    }
  } finally {
    tf.dispose([images, zeros, baselineSet]);
    model.dispose();
  }
  return rows;
}
