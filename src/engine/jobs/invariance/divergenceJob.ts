/** 'divergence': GradientSHAP of Eq. 9, d_k(x, x') = KL(q(z_k|x) ‖ q(z_k|x')), k = 1, 2. */
import * as tf from '@tensorflow/tfjs-core';
import type { InvarianceDivergenceMap, InvarianceDivergenceReply } from '../../../protocol/engineProtocol';
import { gradientShap } from '../../attribution/gradientShap';
import { createRandom } from '../../attribution/random';
import { yieldOrAbort } from '../../examples/cancel';
import { examplesTensor } from '../../run/batches';
import { checkIndices } from '../explainedModel';
import { seededSubsample } from '../unsupervised/neonModels';
import { batchOf, exampleInfo, INVARIANCE_WHAT, runInfo, type Report, type Settings } from './invarianceCommon';
import { classesOfLatents, fillResampled, posteriorsOf } from './latentPasses';
import { gaussianKl, type SupervisedVae } from './supervisedVae';

export async function divergenceJob(vae: SupervisedVae, settings: Settings<'divergence'>, signal: AbortSignal, report: Report): Promise<InvarianceDivergenceReply> {
  checkIndices(vae.run.test, settings.testIndices, 'testIndices');
  const L = vae.latentDim;
  const batch = batchOf(settings);
  const { mu } = await posteriorsOf(vae, 'test', settings.testIndices, batch, signal);
  const predicted = classesOfLatents(vae, mu, settings.testIndices.length);
  const baselineIndices = settings.baseline === 'train' ? seededSubsample(vae.run.train.count, settings.background, settings.seed) : undefined;
  const random = createRandom(settings.seed);
  const total = settings.testIndices.length;
  const examples: InvarianceDivergenceReply['examples'] = [];
  for (const [n, index] of settings.testIndices.entries()) {
    await yieldOrAbort(signal, INVARIANCE_WHAT);
    const muX = mu.subarray(n * L, (n + 1) * L);
    const x = examplesTensor(vae.run.test, [index], vae.shape);
    const fixed = vae.posterior(x);
    let baselines: tf.Tensor | undefined;
    try {
      if (baselineIndices) {
        baselines = examplesTensor(vae.run.train, baselineIndices, vae.shape);
      } else {
        const z = new Float32Array(settings.background * L);
        for (let s = 0; s < settings.background; s++) fillResampled(z, s, muX, vae, 'nuisance', settings.sigma, random);
        baselines = tf.tidy(() => vae.decode(tf.tensor2d(z, [settings.background, L])));
      }
      const maps: InvarianceDivergenceMap[] = [];
      for (const k of [1, 2] as const) {
        const [from, to] = k === 1 ? [0, vae.classDims] : [vae.classDims, L];
        // g(x') = −d_k(x, x'): GradientSHAP at x sums to g(x) − mean g(x') = mean d_k(x, x').
        const fn = (points: tf.Tensor): tf.Tensor1D =>
          tf.tidy(() => {
            const rows = points.shape[0]!;
            const anchor = { mu: tf.tile(fixed.mu, [rows, 1]) as tf.Tensor2D, logVar: tf.tile(fixed.logVar, [rows, 1]) as tf.Tensor2D };
            return tf.neg(gaussianKl(anchor, vae.posterior(points), from, to));
          });
        const attribution = await gradientShap(fn, x, baselines, {
          samples: settings.samples,
          sigma: settings.noise,
          seed: settings.seed,
          batchSize: batch,
          signal,
          onProgress: (fraction) => report(`Eq. 9 divergence, z${k}, test example ${index} (${n + 1}/${total})`, (n + (k - 1 + fraction) / 2) / total),
        });
        try {
          const values = (await attribution.attributions.data()) as Float32Array;
          let absoluteSum = 0;
          for (let i = 0; i < values.length; i++) absoluteSum += Math.abs(values[i]!);
          maps.push({ k, values: Float32Array.from(values), completeness: attribution.completeness ?? { sum: NaN, expected: NaN }, absoluteSum });
        } finally {
          attribution.attributions.dispose();
        }
        await yieldOrAbort(signal, INVARIANCE_WHAT);
      }
      examples.push({ ...exampleInfo(vae, index, muX, predicted[n]!), maps: [maps[0]!, maps[1]!], ...(baselineIndices ? { baselineIndices } : {}) });
    } finally {
      tf.dispose([x, fixed.mu, fixed.logVar]);
      baselines?.dispose();
    }
  }
  return { kind: 'divergence', ...runInfo(vae), baseline: settings.baseline, background: settings.background, samples: settings.samples, examples, seconds: 0 };
}
