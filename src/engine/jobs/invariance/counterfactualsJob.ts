/** 'counterfactuals': z1 moved toward each other class's mean, z2 kept (the paper's Fig. 7). */
import * as tf from '@tensorflow/tfjs-core';
import type { InvarianceCounterfactual, InvarianceCounterfactualReply } from '../../../protocol/engineProtocol';
import { yieldOrAbort } from '../../examples/cancel';
import { checkIndices } from '../explainedModel';
import { seededSubsample } from '../unsupervised/neonModels';
import { batchOf, exampleInfo, INVARIANCE_WHAT, runInfo, type Report, type Settings } from './invarianceCommon';
import { classesOfLatents, decodeAndReclassify, posteriorsOf } from './latentPasses';
import type { SupervisedVae } from './supervisedVae';

export async function counterfactualsJob(vae: SupervisedVae, settings: Settings<'counterfactuals'>, signal: AbortSignal, report: Report): Promise<InvarianceCounterfactualReply> {
  checkIndices(vae.run.test, settings.testIndices, 'testIndices');
  const { latentDim: L, classDims: D, classes: C } = vae;
  const batch = batchOf(settings);
  const backgroundIndices = seededSubsample(vae.run.train.count, settings.background, settings.seed);
  const train = await posteriorsOf(vae, 'train', backgroundIndices, batch, signal);
  const trainClasses = classesOfLatents(vae, train.mu, backgroundIndices.length);
  const sums = Array.from({ length: C }, () => new Float64Array(D));
  const classCounts = new Array<number>(C).fill(0);
  trainClasses.forEach((c, r) => {
    classCounts[c]!++;
    for (let j = 0; j < D; j++) sums[c]![j] += train.mu[r * L + j]!;
  });
  const classMeans = sums.map((s, c) => (classCounts[c]! > 0 ? Array.from(s, (v) => v / classCounts[c]!) : []));
  const { mu } = await posteriorsOf(vae, 'test', settings.testIndices, batch, signal);
  const predicted = classesOfLatents(vae, mu, settings.testIndices.length);
  const steps = Math.floor(settings.maxStep / settings.stepSize + 1e-9);
  const size = vae.shape.reduce((a, b) => a * b, 1);
  const examples: InvarianceCounterfactualReply['examples'] = [];
  for (const [n, index] of settings.testIndices.entries()) {
    await yieldOrAbort(signal, INVARIANCE_WHAT);
    const muX = mu.subarray(n * L, (n + 1) * L);
    const p = predicted[n]!;
    const counterfactuals: InvarianceCounterfactual[] = [];
    const chosen = new Float32Array(C * L);
    for (let c = 0; c < C; c++) {
      const className = vae.run.manifest.classNames?.[c];
      const entry: InvarianceCounterfactual = { classIndex: c, ...(className !== undefined ? { className } : {}), available: true, step: 0, reached: c === p, distance: 0, probability: 0 };
      let t = 0;
      if (c !== p && classCounts[c] === 0) {
        entry.available = false;
      } else if (c !== p) {
        // z(t_j) = (μ1 + t_j (m_c − μ1), μ2), t_j = j · stepSize: the whole line classified at once, and decoded in batches.
        const line = new Float32Array(steps * L);
        for (let j = 0; j < steps; j++) {
          for (let u = 0; u < L; u++) line[j * L + u] = u < D ? muX[u]! + (j + 1) * settings.stepSize * (classMeans[c]![u]! - muX[u]!) : muX[u]!;
        }
        const along = classesOfLatents(vae, line, steps);
        const ok = Array.from(along, (k) => k === c);
        if (settings.criterion === 'decoded') {
          for (let from = 0; from < steps; from += batch) {
            await yieldOrAbort(signal, INVARIANCE_WHAT);
            const to = Math.min(steps, from + batch);
            const { classes } = await decodeAndReclassify(vae, line.subarray(from * L, to * L), to - from, false);
            for (let j = from; j < to; j++) ok[j] = ok[j]! && classes[j - from] === c;
          }
        }
        const first = ok.indexOf(true);
        entry.reached = first >= 0;
        t = Math.round(((first >= 0 ? first : steps - 1) + 1) * settings.stepSize * 1e9) / 1e9;
      }
      entry.step = t;
      for (let u = 0; u < L; u++) chosen[c * L + u] = u < D && entry.available && c !== p ? muX[u]! + t * (classMeans[c]![u]! - muX[u]!) : muX[u]!;
      let squared = 0;
      for (let u = 0; u < D; u++) squared += (chosen[c * L + u]! - muX[u]!) ** 2;
      entry.distance = Math.sqrt(squared);
      counterfactuals.push(entry);
    }
    const probabilities = tf.tidy(() => vae.classify(tf.slice(tf.tensor2d(chosen, [C, L]), [0, 0], [-1, D])));
    const pz = await probabilities.data();
    probabilities.dispose();
    const decoded = await decodeAndReclassify(vae, chosen, C, true);
    for (const entry of counterfactuals) {
      const c = entry.classIndex;
      entry.probability = pz[c * C + c]!;
      if (!entry.available) continue;
      entry.values = decoded.images!.slice(c * size, (c + 1) * size);
      entry.decodedPredicted = decoded.classes[c]!;
    }
    examples.push({ ...exampleInfo(vae, index, muX, p), counterfactuals });
    report(`counterfactuals of test example ${index} (${n + 1}/${settings.testIndices.length})`, (n + 1) / settings.testIndices.length);
  }
  return { kind: 'counterfactuals', ...runInfo(vae), criterion: settings.criterion, stepSize: settings.stepSize, maxStep: Math.round(steps * settings.stepSize * 1e9) / 1e9, classMeans, classCounts, backgroundCount: backgroundIndices.length, examples, seconds: 0 };
}
