/**
 * The training loss of one checkpoint of a run, ready for the engine's loss
 * functions. For every loss but "vae" that is the manifest's loss as written.
 * A VAE run's checkpoints are its encoders q(z|x); its loss also needs the
 * decoder saved at the same step (and, for the supervised objective, the
 * classifier and the labelled encoder), named by `checkpoints[i].decoder` and
 * friends (the `vae` section's paths stand for the last checkpoint). They load
 * through the RunStore like any checkpoint: model.json size-capped and
 * validated, weight paths kept inside their folder, shard sizes checked, and
 * reloaded when their model.json changes.
 */
import * as path from 'node:path';
import { ManifestError, type LossSpec } from '../../protocol/manifest';
import { withVaeParts, type VaeParts } from '../losses/vaeLoss';
import { modelJsonPath } from '../model/checkpoint';
import type { LoadedRun, RunStore } from './runStore';

export interface VaePartFiles {
  decoder: string;
  classifier?: string;
  labelledEncoder?: string;
}

/** Absolute model.json paths of a VAE checkpoint's other parts; undefined when the run's loss is not "vae". */
export function vaePartFiles(run: LoadedRun, checkpoint: number): VaePartFiles | undefined {
  const { manifest } = run;
  if (manifest.loss.kind !== 'vae') return undefined;
  const vae = manifest.vae;
  if (!vae) throw new ManifestError(run.manifestPath, '"vae" is missing: the vae loss needs the encoder\'s output layers ("vae.muLayer", "vae.logVarLayer") and the decoder of each checkpoint');
  const entry = manifest.checkpoints[checkpoint];
  if (!entry) throw new Error(`checkpoint index ${checkpoint} is outside 0..${manifest.checkpoints.length - 1}`);
  const last = checkpoint === manifest.checkpoints.length - 1;
  const file = (part: 'decoder' | 'classifier' | 'labelledEncoder', required: boolean): string | undefined => {
    const named = entry[part] ?? (last ? vae[part] : undefined);
    if (named === undefined) {
      if (!required) return undefined;
      throw new ManifestError(run.manifestPath, `"checkpoints[${checkpoint}].${part}" is missing: the ${vae.objective ?? 'betaVae'} loss needs the ${part} saved with each encoder checkpoint`);
    }
    return modelJsonPath(path.resolve(run.manifestDir, named));
  };
  const supervised = vae.objective === 'supervised';
  const files: VaePartFiles = { decoder: file('decoder', true)! };
  if (supervised) {
    files.classifier = file('classifier', true)!;
    files.labelledEncoder = file('labelledEncoder', true)!;
  }
  return files;
}

/** The part files whose bytes a cached result of this checkpoint depends on, besides the checkpoint's own. */
export function lossPartFiles(run: LoadedRun, checkpoint: number): string[] {
  const files = vaePartFiles(run, checkpoint);
  return files ? [files.decoder, files.classifier, files.labelledEncoder].filter((f): f is string => f !== undefined) : [];
}

/** The loss of checkpoint `checkpoint` (an index into the manifest's list), with a VAE's parts loaded. */
export async function trainingLoss(store: RunStore, run: LoadedRun, checkpoint: number): Promise<LossSpec> {
  const files = vaePartFiles(run, checkpoint);
  if (!files) return run.manifest.loss;
  const vae = run.manifest.vae!;
  const [decoder, classifier, labelledEncoder] = await Promise.all([
    store.model(files.decoder),
    files.classifier ? store.model(files.classifier) : undefined,
    files.labelledEncoder ? store.model(files.labelledEncoder) : undefined,
  ]);
  const parts: VaeParts = { objective: vae.objective ?? 'betaVae', latentDim: vae.latentDim, muLayer: vae.muLayer, logVarLayer: vae.logVarLayer, decoder };
  if (vae.classDims !== undefined) parts.classDims = vae.classDims;
  if (vae.alpha !== undefined) parts.alpha = vae.alpha;
  if (classifier) parts.classifier = classifier;
  if (labelledEncoder) parts.labelledEncoder = labelledEncoder;
  return withVaeParts(run.manifest.loss, parts);
}

/** The index of the checkpoint whose model.json is `checkpointFile`. */
export function checkpointIndexOf(run: LoadedRun, checkpointFile: string): number {
  const index = run.checkpointFiles.indexOf(checkpointFile);
  if (index < 0) throw new Error(`${checkpointFile} is not a checkpoint of ${run.manifestPath}`);
  return index;
}
