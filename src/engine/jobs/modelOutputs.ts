/**
 * The two views of a model that targets are built on: its class
 * probabilities (for class targets) and its representation layer (for the
 * label-free and per-unit targets). Both are checked against what the model
 * really has, with errors that say what to pick instead.
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { AttributeTargetSpec } from '../../protocol/engineProtocol';
import { ManifestError } from '../../protocol/manifest';
import { encoderFromModel, type VectorModel } from '../attribution/targets';
import type { ExplainedModel } from './explainedModel';
import { invalidParam } from './paramReader';

const RECONSTRUCTION_LOSSES = new Set(['reconstruction', 'denoising', 'inpainting', 'vae']);

export interface ClassOutput {
  /** Class probabilities [B, C]: the model's own output when it ends in a softmax, else softmax of it. */
  probabilities: VectorModel;
  classes: number;
  /** The model's output was logits and the engine applied the softmax. */
  softmaxAdded: boolean;
  /** Name of the final softmax layer, which propagation methods explain through to the logits. */
  softmaxLayer: string | null;
}

function endsInSoftmax(model: tfl.LayersModel): string | null {
  const last = model.layers[model.layers.length - 1];
  if (!last) return null;
  const activation = (last.getConfig() as { activation?: unknown }).activation;
  return last.getClassName() === 'Softmax' || activation === 'softmax' ? last.name : null;
}

export function classOutput(subject: ExplainedModel, kind: AttributeTargetSpec['kind']): ClassOutput {
  const { model, run } = subject;
  const shape = model.outputs.length === 1 ? model.outputs[0]!.shape : [];
  const lossKind = run.manifest.loss.kind;
  if (shape.length !== 2 || !((shape[1] ?? 0) >= 2) || RECONSTRUCTION_LOSSES.has(lossKind)) {
    const outputs = model.outputs.map((o) => `[${o.shape.map((d) => d ?? 'batch').join(', ')}]`).join(', ');
    invalidParam(
      'target.kind',
      `"${kind}" needs a model with a class output [batch, classes], but ${subject.checkpoint} outputs ${outputs} and its run's loss is "${lossKind}"; ` +
        'explain it with target labelFree, latentUnit or allUnits instead',
    );
  }
  const softmaxLayer = endsInSoftmax(model);
  const probabilities: VectorModel = (x) =>
    tf.tidy(() => {
      const out = model.apply(x, { training: false }) as tf.Tensor;
      const flat = tf.reshape(out, [out.shape[0]!, -1]) as tf.Tensor2D;
      return softmaxLayer ? flat : tf.softmax(flat);
    });
  return { probabilities, classes: shape[1]!, softmaxAdded: softmaxLayer === null, softmaxLayer };
}

export interface Representation {
  encoder: (x: tf.Tensor) => tf.Tensor2D;
  layer: string;
  units: number;
}

const encoders = new WeakMap<tfl.LayersModel, Map<string, (x: tf.Tensor) => tf.Tensor2D>>();

/** The manifest's representation layer as an encoder [B, ...] -> [B, d]; built once per model. */
export function representation(subject: ExplainedModel): Representation {
  const { model, run } = subject;
  const layer = run.manifest.representationLayer;
  let perModel = encoders.get(model);
  if (!perModel) encoders.set(model, (perModel = new Map()));
  let encoder = perModel.get(layer);
  if (!encoder) {
    try {
      encoder = encoderFromModel(model, layer);
    } catch (error) {
      throw new ManifestError(run.manifestPath, `"representationLayer": ${(error as Error).message}`);
    }
    perModel.set(layer, encoder);
  }
  const outputShape = model.getLayer(layer).outputShape;
  const dims = (Array.isArray(outputShape[0]) ? [] : outputShape.slice(1)) as (number | null)[];
  if (dims.length === 0 || dims.some((d) => d === null)) {
    throw new ManifestError(run.manifestPath, `"representationLayer": layer "${layer}" has output shape [${String(outputShape)}]; it needs one fully defined output`);
  }
  return { encoder, layer, units: (dims as number[]).reduce((a, b) => a * b, 1) };
}
