/** 'curve': the invariance test (the paper's Fig. 2), and the same with z1 resampled as the control. */
import type { InvarianceCurvePoint, InvarianceCurveReply } from '../../../protocol/engineProtocol';
import { createRandom } from '../../attribution/random';
import { yieldOrAbort } from '../../examples/cancel';
import { checkIndices } from '../explainedModel';
import { seededSubsample } from '../unsupervised/neonModels';
import { batchOf, INVARIANCE_WHAT, runInfo, type Report, type Settings } from './invarianceCommon';
import { classesOfLatents, decodeAndReclassify, fillResampled, posteriorsOf } from './latentPasses';
import type { SupervisedVae } from './supervisedVae';

export async function curveJob(vae: SupervisedVae, settings: Settings<'curve'>, signal: AbortSignal, report: Report): Promise<InvarianceCurveReply> {
  const indices = settings.testIndices ?? seededSubsample(vae.run.test.count, settings.examples, settings.seed);
  checkIndices(vae.run.test, indices, 'testIndices');
  const L = vae.latentDim;
  const batch = batchOf(settings);
  const E = indices.length;
  const { mu } = await posteriorsOf(vae, 'test', indices, batch, signal);
  const predicted = classesOfLatents(vae, mu, E);
  let reconstructionKept = 0;
  for (let from = 0; from < E; from += batch) {
    await yieldOrAbort(signal, INVARIANCE_WHAT);
    const to = Math.min(E, from + batch);
    const { classes } = await decodeAndReclassify(vae, mu.subarray(from * L, to * L), to - from, false);
    for (let r = 0; r < to - from; r++) if (classes[r] === predicted[from + r]) reconstructionKept++;
  }
  const total = E * settings.count;
  const batchesPerCurve = Math.ceil(total / batch);
  const allBatches = settings.sigmas.length * 2 * batchesPerCurve;
  let done = 0;
  const points: InvarianceCurvePoint[] = [];
  for (const sigma of settings.sigmas) {
    const fractions = { nuisance: 0, class: 0 };
    for (const mode of ['nuisance', 'class'] as const) {
      // The same ε for every σ (common random numbers): the curve moves with σ alone.
      const random = createRandom(mode === 'nuisance' ? settings.seed : (settings.seed ^ 0x5bd1e995) >>> 0);
      let kept = 0;
      for (let from = 0; from < total; from += batch) {
        await yieldOrAbort(signal, INVARIANCE_WHAT);
        const to = Math.min(total, from + batch);
        const z = new Float32Array((to - from) * L);
        for (let row = from; row < to; row++) {
          const e = Math.floor(row / settings.count);
          fillResampled(z, row - from, mu.subarray(e * L, (e + 1) * L), vae, mode, sigma, random);
        }
        const { classes } = await decodeAndReclassify(vae, z, to - from, false);
        for (let row = from; row < to; row++) if (classes[row - from] === predicted[Math.floor(row / settings.count)]) kept++;
        done++;
        report(`invariance test σ = ${sigma}, resampling ${mode === 'nuisance' ? 'z2' : 'z1'}`, done / allBatches);
      }
      fractions[mode] = kept / total;
    }
    points.push({ sigma, nuisance: fractions.nuisance, classUnits: fractions.class, total });
  }
  return { kind: 'curve', ...runInfo(vae), testIndices: indices, count: settings.count, points, reconstruction: reconstructionKept / E, seconds: 0 };
}
