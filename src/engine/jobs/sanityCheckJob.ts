/**
 * `checks/sanity`: cascading parameter randomisation (Adebayo et al.). It runs
 * on a private copy of the checkpoint, never on the shared cached model,
 * because other requests may run between its batches; and it bypasses the
 * result cache, whose keys cannot tell randomised weights apart.
 */
import type * as tfl from '@tensorflow/tfjs-layers';
import type { AttributeTargetSpec, SanityCheckResult } from '../../protocol/engineProtocol';
import { cascadingRandomization } from '../metrics/sanityCheck';
import { loadCheckpoint } from '../model/checkpoint';
import { COMMON_FIELDS, readCommon, secondsSince, throttledProgress, type AttributionJobContext } from './attributionJobContext';
import { computeAttribution } from './computeAttribution';
import { checkIndices, openExplainedModel } from './explainedModel';
import { parseBaseline, parseTarget, readMethodName, resolveMethodSpec, toSettings } from './methodSpecs';
import { invalidParam, readInteger, readObject, readOptionalInteger, readString } from './paramReader';

const MAX_LAYERS = 1000;

function readLayers(value: unknown, model: tfl.LayersModel): string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.length === 0 || value.length > MAX_LAYERS) invalidParam('layers', `must be a list of 1 to ${MAX_LAYERS} layer names`);
  return value.map((v, i) => {
    const name = readString(v, `layers[${i}]`);
    const layer = model.layers.find((l) => l.name === name);
    if (!layer) invalidParam(`layers[${i}]`, `"${name}" is not a layer of the model; its layers are ${model.layers.map((l) => l.name).join(', ')}`);
    if (layer.trainableWeights.length === 0) invalidParam(`layers[${i}]`, `"${name}" has no trainable weights to randomise`);
    return name;
  });
}

/** Top-down trainable layers; for representation targets only those the representation depends on. */
function defaultLayers(model: tfl.LayersModel, target: AttributeTargetSpec, representationLayer: string): string[] {
  const layers = model.layers;
  const stop = target.kind === 'class' || target.kind === 'probabilityWeighted' ? layers.length - 1 : layers.findIndex((l) => l.name === representationLayer);
  return layers
    .slice(0, stop + 1)
    .filter((l) => l.trainableWeights.length > 0)
    .map((l) => l.name)
    .reverse();
}

export async function sanityCheck(params: unknown, context: AttributionJobContext): Promise<SanityCheckResult> {
  const start = performance.now();
  const o = readObject(params, 'params', [...COMMON_FIELDS, 'testIndex', 'method', 'target', 'baseline', 'seed', 'layers']);
  const common = readCommon(o);
  const testIndex = readInteger(o.testIndex, 'testIndex', 0);
  const name = readMethodName(o.method);
  const target = parseTarget(o.target, 'target', { allowAllUnits: false });
  const baseline = parseBaseline(o.baseline);
  const seed = readOptionalInteger(o.seed, 'seed', 0, 2 ** 32 - 1) ?? 0;

  const subject = await openExplainedModel(context.store, common.manifestPath, common.checkpoint, context.signal);
  checkIndices(subject.run.test, [testIndex], 'testIndex', true);
  const spec = resolveMethodSpec(o.method, baseline, subject.exampleShape);
  const chosenLayers = readLayers(o.layers, subject.model) ?? defaultLayers(subject.model, target, subject.run.manifest.representationLayer);
  if (chosenLayers.length === 0) invalidParam('layers', 'is empty: the model has no trainable layer under the explained output');
  const report = throttledProgress(context.progress);
  const message = `sanity check of ${name} on test example ${testIndex}`;
  report(message, 0);

  // The class is fixed by the trained model, so every step explains the same output.
  const original = await computeAttribution({ subject, examples: subject.run.test, index: testIndex, spec, target }, { cache: context.cache, signal: context.signal, batchSize: common.batchSize });
  const fixedTarget: AttributeTargetSpec = original.target.kind === 'class' ? { kind: 'class', classIndex: original.target.classIndex } : target;
  const copy = await loadCheckpoint(subject.checkpointFile);
  try {
    const privateSubject = { ...subject, model: copy };
    const result = await cascadingRandomization(
      copy,
      async () => {
        const map = await computeAttribution(
          { subject: privateSubject, examples: subject.run.test, index: testIndex, spec, target: fixedTarget },
          { signal: context.signal, batchSize: common.batchSize },
        );
        return map.maps[0]!.values;
      },
      { seed, layers: chosenLayers, signal: context.signal, onProgress: (f) => report(message, f) },
    );
    return { method: spec.method, settings: toSettings(spec), target: original.target, steps: result.steps, seconds: secondsSince(start) };
  } finally {
    copy.dispose();
  }
}
