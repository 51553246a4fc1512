/**
 * `vae/invariance`: the interpretations of a supervised VAE of Nguyen and
 * Rodríguez Martínez, "Learning Invariances for Interpretability using
 * Supervised VAE":
 *   - 'samples': invariant samples, z1 = μ1(x) kept and z2 ~ N(0, σ² I) decoded;
 *   - 'curve': the invariance test (their Fig. 2), and the same with z1 resampled as the control;
 *   - 'counterfactuals': z1 moved toward each other class's mean, z2 kept (their Fig. 7);
 *   - 'divergence': GradientSHAP of Eq. 9, d_k(x, x') = KL(q(z_k|x) ‖ q(z_k|x')), k = 1, 2.
 * A sample's class is always the classifier's on μ1 of the re-encoded image.
 * Progress is reported and cancellation honoured between batches.
 */
import * as tf from '@tensorflow/tfjs-core';
import type {
  InvarianceCounterfactual,
  InvarianceCounterfactualReply,
  InvarianceCurvePoint,
  InvarianceCurveReply,
  InvarianceDivergenceMap,
  InvarianceDivergenceReply,
  InvarianceExampleInfo,
  InvarianceReply,
  InvarianceRunInfo,
  InvarianceSamplesReply,
} from '../../../protocol/engineProtocol';
import type { Progress } from '../../../protocol/rpc';
import { gradientShap } from '../../attribution/gradientShap';
import { createRandom, type Random } from '../../attribution/random';
import { yieldOrAbort } from '../../examples/cancel';
import { examplesTensor } from '../../run/batches';
import type { RunStore } from '../../run/runStore';
import { secondsSince, throttledProgress } from '../attributionJobContext';
import { checkIndices } from '../explainedModel';
import { describeLabel } from '../labels';
import { seededSubsample } from '../unsupervised/neonModels';
import { readInvarianceParams, type InvarianceSettings } from './invarianceParams';
import { gaussianKl, openSupervisedVae, type SupervisedVae } from './supervisedVae';

export interface InvarianceJobContext {
  store: RunStore;
  signal: AbortSignal;
  progress(progress: Progress): void;
}

export const DEFAULT_INVARIANCE_BATCH = 256;
const WHAT = 'vae/invariance';

type Report = (message: string, fraction: number) => void;
type Settings<K extends InvarianceSettings['kind']> = Extract<InvarianceSettings, { kind: K }>;

function argmaxRows(values: ArrayLike<number>, rows: number, width: number): Int32Array {
  const out = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    let best = 0;
    for (let c = 1; c < width; c++) if (values[r * width + c]! > values[r * width + best]!) best = c;
    out[r] = best;
  }
  return out;
}

function batchOf(settings: { batchSize?: number }): number {
  return settings.batchSize ?? DEFAULT_INVARIANCE_BATCH;
}

/** μ (and log σ²) of test or training examples, in batches: Float32Arrays of rows × latentDim. */
async function posteriorsOf(vae: SupervisedVae, split: 'train' | 'test', indices: number[], batch: number, signal: AbortSignal): Promise<{ mu: Float32Array; logVar: Float32Array }> {
  const L = vae.latentDim;
  const mu = new Float32Array(indices.length * L);
  const logVar = new Float32Array(indices.length * L);
  for (let start = 0; start < indices.length; start += batch) {
    await yieldOrAbort(signal, WHAT);
    const chunk = indices.slice(start, start + batch);
    const [m, v] = tf.tidy(() => {
      const p = vae.posterior(examplesTensor(vae.run[split], chunk, vae.shape));
      return [p.mu, p.logVar];
    });
    try {
      mu.set(await m!.data(), start * L);
      logVar.set(await v!.data(), start * L);
    } finally {
      tf.dispose([m!, v!]);
    }
  }
  return { mu, logVar };
}

/** argmax p(y | z1) for rows of z (rows × latentDim; z1 = the first classDims of each row). */
function classesOfLatents(vae: SupervisedVae, z: Float32Array, rows: number): Int32Array {
  const probabilities = tf.tidy(() => vae.classify(tf.slice(tf.tensor2d(z, [rows, vae.latentDim]), [0, 0], [-1, vae.classDims])));
  try {
    return argmaxRows(probabilities.dataSync(), rows, vae.classes);
  } finally {
    probabilities.dispose();
  }
}

/** Decodes rows of z and classifies the re-encoded images: the images (when asked) and argmax p(y | μ1(decode(z))). */
async function decodeAndReclassify(vae: SupervisedVae, z: Float32Array, rows: number, keepImages: boolean): Promise<{ images?: Float32Array; classes: Int32Array }> {
  const [images, probabilities] = tf.tidy(() => {
    const decoded = vae.decode(tf.tensor2d(z, [rows, vae.latentDim]));
    const mu = vae.posterior(decoded).mu;
    return [keepImages ? decoded : tf.zeros([0]), vae.classify(tf.slice(mu, [0, 0], [-1, vae.classDims]))];
  });
  try {
    const classes = argmaxRows(await probabilities!.data(), rows, vae.classes);
    return keepImages ? { images: (await images!.data()) as Float32Array, classes } : { classes };
  } finally {
    tf.dispose([images!, probabilities!]);
  }
}

function runInfo(vae: SupervisedVae): Omit<InvarianceRunInfo, 'seconds'> {
  const info: Omit<InvarianceRunInfo, 'seconds'> = {
    checkpoint: vae.checkpoint,
    decoder: vae.decoder,
    classifier: vae.classifier,
    latentDim: vae.latentDim,
    classDims: vae.classDims,
    classes: vae.classes,
    shape: vae.shape,
  };
  if (vae.run.manifest.classNames) info.classNames = vae.run.manifest.classNames;
  return info;
}

function exampleInfo(vae: SupervisedVae, index: number, mu: ArrayLike<number>, predicted: number): InvarianceExampleInfo {
  return { index, ...describeLabel(vae.run.test, index, vae.run.manifest.classNames), predicted, mu: Array.from(mu) };
}

/** Row r of z: μ1(x) then σ·ε for the nuisance units ('nuisance'), or σ·ε for z1 then μ2(x) ('class'). */
function fillResampled(out: Float32Array, row: number, mu: ArrayLike<number>, vae: SupervisedVae, mode: 'nuisance' | 'class', sigma: number, random: Random): void {
  const L = vae.latentDim;
  for (let j = 0; j < L; j++) {
    const resampled = mode === 'nuisance' ? j >= vae.classDims : j < vae.classDims;
    out[row * L + j] = resampled ? sigma * random.normal() : mu[j]!;
  }
}

export async function invarianceJob(params: unknown, context: InvarianceJobContext): Promise<InvarianceReply> {
  const start = performance.now();
  const settings = readInvarianceParams(params);
  const vae = await openSupervisedVae(context.store, settings.manifestPath, settings.checkpoint, context.signal);
  const report = throttledProgress(context.progress);
  let reply: InvarianceReply;
  switch (settings.kind) {
    case 'samples':
      reply = await samplesJob(vae, settings, context.signal, report);
      break;
    case 'curve':
      reply = await curveJob(vae, settings, context.signal, report);
      break;
    case 'counterfactuals':
      reply = await counterfactualsJob(vae, settings, context.signal, report);
      break;
    case 'divergence':
      reply = await divergenceJob(vae, settings, context.signal, report);
      break;
  }
  reply.seconds = secondsSince(start);
  report(`${settings.kind} done`, 1);
  return reply;
}

async function samplesJob(vae: SupervisedVae, settings: Settings<'samples'>, signal: AbortSignal, report: Report): Promise<InvarianceSamplesReply> {
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
      await yieldOrAbort(signal, WHAT);
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

async function curveJob(vae: SupervisedVae, settings: Settings<'curve'>, signal: AbortSignal, report: Report): Promise<InvarianceCurveReply> {
  const indices = settings.testIndices ?? seededSubsample(vae.run.test.count, settings.examples, settings.seed);
  checkIndices(vae.run.test, indices, 'testIndices');
  const L = vae.latentDim;
  const batch = batchOf(settings);
  const E = indices.length;
  const { mu } = await posteriorsOf(vae, 'test', indices, batch, signal);
  const predicted = classesOfLatents(vae, mu, E);
  let reconstructionKept = 0;
  for (let from = 0; from < E; from += batch) {
    await yieldOrAbort(signal, WHAT);
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
        await yieldOrAbort(signal, WHAT);
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

async function counterfactualsJob(vae: SupervisedVae, settings: Settings<'counterfactuals'>, signal: AbortSignal, report: Report): Promise<InvarianceCounterfactualReply> {
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
    await yieldOrAbort(signal, WHAT);
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
            await yieldOrAbort(signal, WHAT);
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

async function divergenceJob(vae: SupervisedVae, settings: Settings<'divergence'>, signal: AbortSignal, report: Report): Promise<InvarianceDivergenceReply> {
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
    await yieldOrAbort(signal, WHAT);
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
        await yieldOrAbort(signal, WHAT);
      }
      examples.push({ ...exampleInfo(vae, index, muX, predicted[n]!), maps: [maps[0]!, maps[1]!], ...(baselineIndices ? { baselineIndices } : {}) });
    } finally {
      tf.dispose([x, fixed.mu, fixed.logVar]);
      baselines?.dispose();
    }
  }
  return { kind: 'divergence', ...runInfo(vae), baseline: settings.baseline, background: settings.background, samples: settings.samples, examples, seconds: 0 };
}
