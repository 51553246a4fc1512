/** The model a request explains: a run, one of its checkpoints, and the per-example input shape. */
import type * as tfl from '@tensorflow/tfjs-layers';
import { modelExampleShape } from '../run/batches';
import { chooseCheckpoint, type LoadedRun, type RunStore } from '../run/runStore';
import type { Dataset } from '../data/dataset';
import type { ComparedEncoder } from '../../protocol/engineProtocol';
import { invalidParam, readObject, readOptionalString } from './paramReader';

export interface ExplainedModel {
  run: LoadedRun;
  /** As written in the manifest. */
  checkpoint: string;
  /** Absolute path of the checkpoint's model.json. */
  checkpointFile: string;
  model: tfl.LayersModel;
  /** The model's per-example input shape; `examples` holds inputs of this size. */
  exampleShape: number[];
}

/** Opens the run (cached by the store), picks the checkpoint and loads its model (cached too). */
export async function openExplainedModel(
  store: RunStore,
  manifestPath: string,
  checkpoint: string | undefined,
  signal: AbortSignal,
  examples?: (run: LoadedRun) => Dataset,
): Promise<ExplainedModel> {
  const run = await store.open(manifestPath, undefined, signal);
  const chosen = chooseCheckpoint(run, checkpoint);
  const checkpointFile = run.checkpointFiles[chosen]!;
  const model = await store.model(checkpointFile);
  return {
    run,
    checkpoint: run.manifest.checkpoints[chosen]!.path,
    checkpointFile,
    model,
    exampleShape: modelExampleShape(model, examples ? examples(run) : run.test),
  };
}

/** Test indices must exist in the dataset; the error names the field and the file. */
export function checkIndices(dataset: Dataset, indices: readonly number[], field: string, single = false): void {
  indices.forEach((index, i) => {
    if (index >= dataset.count) invalidParam(single ? field : `${field}[${i}]`, `is ${index}, outside 0..${dataset.count - 1} (${dataset.file})`);
  });
}

/** How a comparison result names one of its two encoders. */
export function describeEncoder(subject: ExplainedModel): ComparedEncoder {
  return { manifestPath: subject.run.manifestPath, checkpoint: subject.checkpoint, representationLayer: subject.run.manifest.representationLayer };
}

/** A comparison's `other` encoder: another manifest, another checkpoint, or both (at least one). */
export function readOtherEncoder(value: unknown): { manifestPath?: string; checkpoint?: string } {
  const other = readObject(value, 'other', ['manifestPath', 'checkpoint']);
  const manifestPath = readOptionalString(other.manifestPath, 'other.manifestPath');
  const checkpoint = readOptionalString(other.checkpoint, 'other.checkpoint');
  if (manifestPath === undefined && checkpoint === undefined) invalidParam('other', 'must name a manifestPath, a checkpoint or both');
  return { ...(manifestPath === undefined ? {} : { manifestPath }), ...(checkpoint === undefined ? {} : { checkpoint }) };
}
