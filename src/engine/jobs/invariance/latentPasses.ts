/** The supervised VAE's passes over latents that every invariance request kind builds on, in batches where they may be large. */
import * as tf from '@tensorflow/tfjs-core';
import type { Random } from '../../attribution/random';
import { yieldOrAbort } from '../../examples/cancel';
import { examplesTensor } from '../../run/batches';
import { INVARIANCE_WHAT } from './invarianceCommon';
import type { SupervisedVae } from './supervisedVae';

function argmaxRows(values: ArrayLike<number>, rows: number, width: number): Int32Array {
  const out = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    let best = 0;
    for (let c = 1; c < width; c++) if (values[r * width + c]! > values[r * width + best]!) best = c;
    out[r] = best;
  }
  return out;
}

/** μ (and log σ²) of test or training examples, in batches: Float32Arrays of rows × latentDim. */
export async function posteriorsOf(vae: SupervisedVae, split: 'train' | 'test', indices: number[], batch: number, signal: AbortSignal): Promise<{ mu: Float32Array; logVar: Float32Array }> {
  const L = vae.latentDim;
  const mu = new Float32Array(indices.length * L);
  const logVar = new Float32Array(indices.length * L);
  for (let start = 0; start < indices.length; start += batch) {
    await yieldOrAbort(signal, INVARIANCE_WHAT);
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
export function classesOfLatents(vae: SupervisedVae, z: Float32Array, rows: number): Int32Array {
  const probabilities = tf.tidy(() => vae.classify(tf.slice(tf.tensor2d(z, [rows, vae.latentDim]), [0, 0], [-1, vae.classDims])));
  try {
    return argmaxRows(probabilities.dataSync(), rows, vae.classes);
  } finally {
    probabilities.dispose();
  }
}

/** Decodes rows of z and classifies the re-encoded images: the images (when asked) and argmax p(y | μ1(decode(z))). */
export async function decodeAndReclassify(vae: SupervisedVae, z: Float32Array, rows: number, keepImages: boolean): Promise<{ images?: Float32Array; classes: Int32Array }> {
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

/** Row r of z: μ1(x) then σ·ε for the nuisance units ('nuisance'), or σ·ε for z1 then μ2(x) ('class'). */
export function fillResampled(out: Float32Array, row: number, mu: ArrayLike<number>, vae: SupervisedVae, mode: 'nuisance' | 'class', sigma: number, random: Random): void {
  const L = vae.latentDim;
  for (let j = 0; j < L; j++) {
    const resampled = mode === 'nuisance' ? j >= vae.classDims : j < vae.classDims;
    out[row * L + j] = resampled ? sigma * random.normal() : mu[j]!;
  }
}
