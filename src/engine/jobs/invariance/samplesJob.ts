/** 'samples': invariant samples, z1 = μ1(x) kept and z2 ~ N(0, σ² I) decoded, and how often they keep x's class. */
import type { InvarianceSamplesReply } from '../../../protocol/engineProtocol';
import { createRandom } from '../../attribution/random';
import { yieldOrAbort } from '../../examples/cancel';
import { checkIndices } from '../explainedModel';
import { batchOf, exampleInfo, INVARIANCE_WHAT, runInfo, type Report, type Settings } from './invarianceCommon';
import { classesOfLatents, decodeAndReclassify, fillResampled, posteriorsOf } from './latentPasses';
import type { SupervisedVae } from './supervisedVae';

export async function samplesJob(vae: SupervisedVae, settings: Settings<'samples'>, signal: AbortSignal, report: Report): Promise<InvarianceSamplesReply> {
  checkIndices(vae.run.test, settings.testIndices, 'testIndices');
  const L = vae.latentDim;
  const batch = batchOf(settings);
  const { mu } = await posteriorsOf(vae, 'test', settings.testIndices, batch, signal);
  const predicted = classesOfLatents(vae, mu, settings.testIndices.length);
  const random = createRandom(settings.seed);
  const size = vae.shape.reduce((a, b) => a * b, 1);
  const examples: InvarianceSamplesReply['examples'] = [];
  let matched = 0;
  for (const [n, index] of settings.testIndices.entries()) {
    const muX = mu.subarray(n * L, (n + 1) * L);
    // Row 0 is the reconstruction decode(μ(x)); rows 1.. are the invariant samples.
    const rows = settings.count + 1;
    const z = new Float32Array(rows * L);
    z.set(muX, 0);
    for (let s = 1; s < rows; s++) fillResampled(z, s, muX, vae, 'nuisance', settings.sigma, random);
    const images = new Float32Array(rows * size);
    const classes = new Int32Array(rows);
    for (let from = 0; from < rows; from += batch) {
      await yieldOrAbort(signal, INVARIANCE_WHAT);
      const to = Math.min(rows, from + batch);
      const out = await decodeAndReclassify(vae, z.subarray(from * L, to * L), to - from, true);
      images.set(out.images!, from * size);
      classes.set(out.classes, from);
      report(`invariant samples of test example ${index} (${n + 1}/${settings.testIndices.length})`, (n + to / rows) / settings.testIndices.length);
    }
    const p = predicted[n]!;
    const samples = Array.from({ length: settings.count }, (_, s) => ({
      values: images.slice((s + 1) * size, (s + 2) * size),
      z2: Array.from(z.subarray((s + 1) * L + vae.classDims, (s + 2) * L)),
      predicted: classes[s + 1]!,
      matches: classes[s + 1] === p,
    }));
    const kept = samples.filter((s) => s.matches).length;
    matched += kept;
    examples.push({
      ...exampleInfo(vae, index, muX, p),
      reconstruction: images.slice(0, size),
      reconstructionPredicted: classes[0]!,
      samples,
      matchRate: kept / settings.count,
    });
  }
  return { kind: 'samples', ...runInfo(vae), sigma: settings.sigma, count: settings.count, examples, matchRate: matched / (settings.count * settings.testIndices.length), seconds: 0 };
}
