/**
 * A VAE's latent space as a semantic representation: z(x) is the posterior
 * mean μ (the manifest's `vae.muLayer` of an encoder checkpoint) and x(z) the
 * decoder checkpoint the VAE run declares for that step
 * (`checkpoints[i].decoder`, or `vae.decoder` for the last checkpoint).
 * Every latent unit is one feature.
 */
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { ManifestError } from '../../../protocol/manifest';
import { encoderFromModel } from '../../attribution/targets';
import { modelJsonPath } from '../../model/checkpoint';
import { chooseCheckpoint, type LoadedRun, type RunStore } from '../../run/runStore';
import type { SemanticRepresentation } from '../../semantic';
import { invalidParam } from '../paramReader';

export interface VaeRepresentation extends SemanticRepresentation {
  featureNames: string[];
  latentDim: number;
  /** The VAE run's manifest, the encoder checkpoint as written there, and the decoder path as declared. */
  manifestPath: string;
  checkpoint: string;
  decoder: string;
}

function product(shape: readonly (number | null)[]): number {
  return shape.reduce<number>((a, b) => a * (b ?? NaN), 1);
}

/** The decoder declared for checkpoint `index`: its own, or the run-level one for the last checkpoint. */
export function declaredDecoder(run: LoadedRun, index: number): string | undefined {
  const own = run.manifest.checkpoints[index]?.decoder;
  if (own !== undefined) return own;
  return index === run.manifest.checkpoints.length - 1 ? run.manifest.vae?.decoder : undefined;
}

/**
 * Builds z(x) and x(z) from the VAE run at `manifestPath`; `exampleShape` is
 * what the explained model takes (the decoder's output is reshaped to it when
 * the sizes agree).
 */
export async function vaeRepresentation(
  store: RunStore,
  manifestPath: string,
  checkpoint: string | undefined,
  exampleShape: number[],
  signal: AbortSignal,
): Promise<VaeRepresentation> {
  const run = await store.open(manifestPath, undefined, signal);
  const vae = run.manifest.vae;
  if (!vae) {
    invalidParam('representation.kind', `'vae' needs a VAE run whose manifest declares a "vae" section with its decoder, and ${run.manifestPath} declares none (no decoder is declared); name the VAE run in representation.manifestPath, or use 'fourier'`);
  }
  const index = chooseCheckpoint(run, checkpoint);
  const written = run.manifest.checkpoints[index]!.path;
  const decoder = declaredDecoder(run, index);
  if (decoder === undefined) {
    invalidParam('representation.kind', `'vae': no decoder is declared for checkpoint "${written}" in ${run.manifestPath} (set "checkpoints[${index}].decoder"${index === run.manifest.checkpoints.length - 1 ? ' or "vae.decoder"' : ''})`);
  }
  const decoderFile = modelJsonPath(path.resolve(run.manifestDir, decoder));
  const relative = path.relative(run.root, decoderFile);
  if (relative.startsWith('..') || path.isAbsolute(relative)) throw new ManifestError(run.manifestPath, `decoder "${decoder}" is outside ${run.root}`);
  const [encoderModel, decoderModel] = await Promise.all([store.model(run.checkpointFiles[index]!), store.model(decoderFile)]);
  let toMu: (x: tf.Tensor) => tf.Tensor2D;
  try {
    toMu = encoderFromModel(encoderModel, vae.muLayer);
  } catch (error) {
    throw new ManifestError(run.manifestPath, `"vae.muLayer": ${(error as Error).message}`);
  }
  const encoderInput = encoderModel.inputs[0]!.shape.slice(1);
  const decoderOutput = decoderModel.outputs[0]!.shape.slice(1);
  const size = product(exampleShape);
  if (product(encoderInput) !== size) {
    invalidParam('representation.kind', `'vae': the encoder ${written} takes inputs [${encoderInput.join(', ')}], but the explained model takes [${exampleShape.join(', ')}]`);
  }
  if (product(decoderOutput) !== size) {
    invalidParam('representation.kind', `'vae': the decoder ${decoder} outputs [${decoderOutput.join(', ')}], but the explained model takes [${exampleShape.join(', ')}]`);
  }
  const latentDim = vae.latentDim;
  const classDims = vae.objective === 'supervised' ? (vae.classDims ?? 0) : 0;
  const featureNames = Array.from({ length: latentDim }, (_, j) => (classDims > 0 ? `z${j} (${j < classDims ? 'class' : 'nuisance'})` : `z${j}`));
  return {
    encode: (x) =>
      tf.tidy(() => {
        const z = toMu(tf.reshape(x, [x.shape[0]!, ...(encoderInput as number[])]));
        if (z.shape[1] !== latentDim) throw new ManifestError(run.manifestPath, `"vae.latentDim" is ${latentDim}, but "${vae.muLayer}" has ${z.shape[1]} units`);
        return z;
      }),
    decode: (z) => tf.tidy(() => tf.reshape(decoderModel.apply(z, { training: false }) as tf.Tensor, [z.shape[0]!, ...exampleShape])),
    featureNames,
    latentDim,
    manifestPath: run.manifestPath,
    checkpoint: written,
    decoder,
  };
}
