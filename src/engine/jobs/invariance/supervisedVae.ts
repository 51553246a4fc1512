/**
 * The parts of a supervised VAE run (Nguyen and Rodríguez Martínez): the
 * encoder q(z|x) (the manifest's checkpoint, with the μ and log σ² layers the
 * `vae` section names), the decoder p(x|z) and the latent classifier p(y|z1)
 * the run declares for that checkpoint. Loaded through the RunStore, so a
 * second request on the same run reuses the parsed weights.
 */
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { InvarianceRunInfo } from '../../../protocol/engineProtocol';
import { ManifestError, type CheckpointSpec } from '../../../protocol/manifest';
import { modelJsonPath } from '../../model/checkpoint';
import { chooseCheckpoint, type LoadedRun, type RunStore } from '../../run/runStore';
import { invalidParam } from '../paramReader';

export interface Posterior {
  mu: tf.Tensor2D;
  logVar: tf.Tensor2D;
}

/**
 * The run as every invariance reply describes it (checkpoint, decoder and classifier as written in the
 * manifest; latent and class sizes; the test set's per-example shape, which the decoder's output is
 * reshaped to), plus the parts themselves.
 */
export interface SupervisedVae extends Pick<InvarianceRunInfo, 'checkpoint' | 'decoder' | 'classifier' | 'latentDim' | 'classDims' | 'classes' | 'shape'> {
  run: LoadedRun;
  /** q(z|x) of a batch [n, ...shape]: μ and log σ², each [n, latentDim]. */
  posterior(x: tf.Tensor): Posterior;
  /** p(x|z) of a batch [n, latentDim]: the decoder's output reshaped to [n, ...shape]. */
  decode(z: tf.Tensor2D): tf.Tensor;
  /** p(y|z1) of a batch [n, classDims]: [n, classes]. */
  classify(z1: tf.Tensor2D): tf.Tensor2D;
}

type Part = 'decoder' | 'classifier';

/** The part declared for checkpoint `index`: its own, or the run-level one for the last checkpoint. */
export function declaredPart(run: LoadedRun, index: number, part: Part): string | undefined {
  const own = (run.manifest.checkpoints[index] as CheckpointSpec | undefined)?.[part];
  if (own !== undefined) return own;
  return index === run.manifest.checkpoints.length - 1 ? run.manifest.vae?.[part] : undefined;
}

function product(shape: readonly (number | null)[]): number {
  return shape.reduce<number>((a, b) => a * (b ?? NaN), 1);
}

function flatten2d(t: tf.Tensor): tf.Tensor2D {
  return tf.reshape(t, [t.shape[0]!, -1]);
}

async function loadPart(store: RunStore, run: LoadedRun, index: number, part: Part): Promise<{ written: string; model: tfl.LayersModel }> {
  const written = declaredPart(run, index, part);
  if (written === undefined) {
    const last = index === run.manifest.checkpoints.length - 1;
    invalidParam('manifestPath', `names a supervised VAE run with no ${part} declared for checkpoint "${run.manifest.checkpoints[index]!.path}" (set "checkpoints[${index}].${part}"${last ? ` or "vae.${part}"` : ''} in ${run.manifestPath})`);
  }
  const file = modelJsonPath(path.resolve(run.manifestDir, written));
  const relative = path.relative(run.root, file);
  if (relative.startsWith('..') || path.isAbsolute(relative)) throw new ManifestError(run.manifestPath, `${part} "${written}" is outside ${run.root}`);
  return { written, model: await store.model(file) };
}

function layerOutput(model: tfl.LayersModel, name: string, field: string, manifestPath: string): tfl.SymbolicTensor {
  const names = model.layers.map((layer) => layer.name);
  if (!names.includes(name)) throw new ManifestError(manifestPath, `"${field}" is "${name}", but the encoder has no such layer; its layers are: ${names.join(', ')}`);
  const output = model.getLayer(name).output;
  if (Array.isArray(output)) throw new ManifestError(manifestPath, `"${field}": layer "${name}" has ${output.length} outputs; name a layer with a single output`);
  return output;
}

/** Opens the run and its parts; refuses a run that is not a supervised VAE with invalidParams naming vae.objective. */
export async function openSupervisedVae(store: RunStore, manifestPath: string, checkpoint: string | undefined, signal: AbortSignal): Promise<SupervisedVae> {
  const run = await store.open(manifestPath, undefined, signal);
  const vae = run.manifest.vae;
  if (!vae) invalidParam('manifestPath', `names ${run.manifestPath}, which has no "vae" section; vae/invariance needs a supervised VAE run ("vae.objective": "supervised")`);
  if (vae.objective !== 'supervised' || vae.classDims === undefined) {
    invalidParam('manifestPath', `names a VAE run whose "vae.objective" is "${vae.objective ?? 'betaVae'}"; vae/invariance needs "vae.objective": "supervised" (class units z1 and a latent classifier)`);
  }
  const index = chooseCheckpoint(run, checkpoint);
  const written = run.manifest.checkpoints[index]!.path;
  const [encoderModel, decoder, classifier] = await Promise.all([store.model(run.checkpointFiles[index]!), loadPart(store, run, index, 'decoder'), loadPart(store, run, index, 'classifier')]);
  const encoder = tfl.model({
    inputs: encoderModel.inputs,
    outputs: [layerOutput(encoderModel, vae.muLayer, 'vae.muLayer', run.manifestPath), layerOutput(encoderModel, vae.logVarLayer, 'vae.logVarLayer', run.manifestPath)],
    name: `${encoderModel.name}_posterior`,
  });
  const shape = run.test.exampleShape;
  const size = product(shape);
  const encoderInput = encoderModel.inputs[0]!.shape.slice(1);
  if (product(encoderInput) !== size) invalidParam('checkpoint', `the encoder ${written} takes inputs [${encoderInput.join(', ')}], but the test examples have shape [${shape.join(', ')}]`);
  const decoderInput = decoder.model.inputs[0]!.shape.slice(1);
  if (decoderInput.length !== 1 || decoderInput[0] !== vae.latentDim) {
    invalidParam('manifestPath', `the decoder ${decoder.written} takes inputs [${decoderInput.join(', ')}], but "vae.latentDim" is ${vae.latentDim}`);
  }
  const decoderOutput = decoder.model.outputs[0]!.shape.slice(1);
  if (product(decoderOutput) !== size) invalidParam('manifestPath', `the decoder ${decoder.written} outputs [${decoderOutput.join(', ')}], but the test examples have shape [${shape.join(', ')}]`);
  const classifierInput = classifier.model.inputs[0]!.shape.slice(1);
  if (classifierInput.length !== 1 || classifierInput[0] !== vae.classDims) {
    invalidParam('manifestPath', `the classifier ${classifier.written} takes inputs [${classifierInput.join(', ')}], but "vae.classDims" is ${vae.classDims}`);
  }
  const classifierOutput = classifier.model.outputs[0]!.shape.slice(1);
  const classes = classifierOutput.length === 1 ? classifierOutput[0] : null;
  if (typeof classes !== 'number' || classes < 2) invalidParam('manifestPath', `the classifier ${classifier.written} outputs [${classifierOutput.join(', ')}], not one score per class`);
  const latentDim = vae.latentDim;
  return {
    run,
    checkpoint: written,
    decoder: decoder.written,
    classifier: classifier.written,
    latentDim,
    classDims: vae.classDims,
    classes,
    shape,
    posterior: (x) =>
      tf.tidy(() => {
        const [mu, logVar] = (encoder.apply(tf.reshape(x, [x.shape[0]!, ...(encoderInput as number[])]), { training: false }) as tf.Tensor[]).map(flatten2d) as [tf.Tensor2D, tf.Tensor2D];
        if (mu.shape[1] !== latentDim) throw new ManifestError(run.manifestPath, `"vae.latentDim" is ${latentDim}, but "${vae.muLayer}" has ${mu.shape[1]} units`);
        if (logVar.shape[1] !== latentDim) throw new ManifestError(run.manifestPath, `"vae.latentDim" is ${latentDim}, but "${vae.logVarLayer}" has ${logVar.shape[1]} units`);
        return { mu, logVar };
      }),
    decode: (z) => tf.tidy(() => tf.reshape(decoder.model.apply(z, { training: false }) as tf.Tensor, [z.shape[0]!, ...shape])),
    classify: (z1) => tf.tidy(() => flatten2d(classifier.model.apply(z1, { training: false }) as tf.Tensor)),
  };
}

/**
 * KL(N(μa, diag e^{lva}) ‖ N(μb, diag e^{lvb})) per row, summed over the units
 * [from, to): ½ Σ (lvb − lva + (e^{lva} + (μa − μb)²) / e^{lvb} − 1).
 */
export function gaussianKl(a: Posterior, b: Posterior, from: number, to: number): tf.Tensor1D {
  return tf.tidy(() => {
    const width = to - from;
    const cut = (t: tf.Tensor2D) => tf.slice(t, [0, from], [-1, width]);
    const [mua, lva, mub, lvb] = [cut(a.mu), cut(a.logVar), cut(b.mu), cut(b.logVar)];
    const terms = tf.sub(tf.add(tf.sub(lvb, lva), tf.div(tf.add(tf.exp(lva), tf.square(tf.sub(mua, mub))), tf.exp(lvb))), 1);
    return tf.mul(0.5, tf.sum(terms, 1)) as tf.Tensor1D;
  });
}
