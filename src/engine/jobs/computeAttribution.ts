/**
 * One attribution of one example: the method bound to its target on the
 * explained model, every map read back to plain arrays, through the result
 * cache. All the request handlers go through here, so a map computed for the
 * consistency check is the one the panel shows.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { AttributeTargetSpec, AttributionMap, Completeness, ResolvedAttributeTarget } from '../../protocol/engineProtocol';
import { throwIfAborted } from '../attribution/chunking';
import { deepLift, lrp, type PropagationTarget } from '../attribution/propagation';
import { runAttribution } from '../attribution/registry';
import type { AttributionRequest } from '../attribution/requests';
import { resolveBaseline } from '../attribution/resolveSpecs';
import { argmaxClass, classTarget, labelFreeTarget, latentUnitTarget, probabilityWeightedTarget } from '../attribution/targets';
import type { Attribution, RunOptions, ScalarFunction } from '../attribution/types';
import { attributionKey, type AttributionCache, type CachedAttribution } from '../cache/attributionCache';
import { fileStamp } from '../cache/fileStamp';
import type { Dataset } from '../data/dataset';
import { examplesTensor } from '../run/batches';
import type { ExplainedModel } from './explainedModel';
import { isPropagation, toSettings, type MethodSpec, type PropagationSpec } from './methodSpecs';
import { classOutput, representation } from './modelOutputs';
import { invalidParam } from './paramReader';
import { needsReferenceSubset, referenceSubset, withTrainingMean } from './trainingReference';

export interface AttributionTask {
  subject: ExplainedModel;
  /** The dataset the example is taken from (usually the subject's test set). */
  examples: Dataset;
  index: number;
  spec: MethodSpec;
  target: AttributeTargetSpec;
}

export interface AttributionRunContext {
  /** Absent for runs that must not be cached, e.g. on a model whose weights were randomised. */
  cache?: AttributionCache;
  signal: AbortSignal;
  batchSize?: number;
  onProgress?: (fraction: number) => void;
}

export interface ComputedAttribution extends CachedAttribution {
  cached: boolean;
}

/** One attribution to run; a map is the weighted sum of its parts (several for probability-weighted propagation). */
interface Part {
  weight: number;
  run(options: RunOptions): Promise<Attribution>;
}

interface MapPlan {
  unit?: number;
  parts: Part[];
}

interface Plan {
  target: ResolvedAttributeTarget;
  maps: MapPlan[];
  notes: string[];
  dispose(): void;
}

const LABEL_FREE_KINDS = new Set<AttributeTargetSpec['kind']>(['labelFree', 'latentUnit', 'allUnits']);

function copyMaps(maps: AttributionMap[]): AttributionMap[] {
  return maps.map((m) => ({ ...m, values: m.values.slice(), ...(m.completeness ? { completeness: { ...m.completeness } } : {}) }));
}

export async function computeAttribution(task: AttributionTask, context: AttributionRunContext): Promise<ComputedAttribution> {
  const { subject } = task;
  if (!context.cache) return { ...(await compute(task, context)), cached: false };
  const [checkpoint, examples, train] = await Promise.all([fileStamp(subject.checkpointFile), fileStamp(task.examples.file), fileStamp(subject.run.train.file)]);
  const key = attributionKey({
    checkpoint,
    examples,
    train,
    representationLayer: subject.run.manifest.representationLayer,
    index: task.index,
    settings: toSettings(task.spec),
    target: task.target,
  });
  const hit = context.cache.get(key);
  if (hit) {
    context.onProgress?.(1);
    return { ...hit, maps: copyMaps(hit.maps), notes: [...hit.notes], cached: true };
  }
  const computed = await compute(task, context);
  context.cache.set(key, computed);
  return { ...computed, maps: copyMaps(computed.maps), notes: [...computed.notes], cached: false };
}

async function compute(task: AttributionTask, context: AttributionRunContext): Promise<CachedAttribution> {
  const { subject } = task;
  throwIfAborted(context.signal);
  const input = examplesTensor(task.examples, [task.index], subject.exampleShape);
  const spec = withTrainingMean(task.spec, subject.run.train, subject.exampleShape);
  const reference = needsReferenceSubset(spec) ? referenceSubset(subject.run.train, subject.exampleShape) : undefined;
  try {
    const plan = isPropagation(spec) ? propagationPlan(task, spec, input, reference) : registryPlan(task, spec, input, reference);
    try {
      const maps = await runPlans(plan.maps, context);
      return { settings: toSettings(task.spec), target: plan.target, labelFree: LABEL_FREE_KINDS.has(task.target.kind), maps, notes: plan.notes };
    } finally {
      plan.dispose();
    }
  } finally {
    input.dispose();
    reference?.dispose();
  }
}

function checkUnit(unit: number, units: number): void {
  if (unit >= units) invalidParam('target.unit', `is ${unit}, but the representation layer has ${units} units (0..${units - 1})`);
}

function className(task: AttributionTask, classIndex: number): { className?: string } {
  const name = task.subject.run.manifest.classNames?.[classIndex] ?? task.examples.labelNames?.[classIndex];
  return name === undefined ? {} : { className: name };
}

/** The class to explain: the one asked for (checked) or the model's prediction. */
function pickClass(task: AttributionTask, probabilities: Parameters<typeof argmaxClass>[0], classes: number, input: tf.Tensor): number {
  const asked = task.target.kind === 'class' ? task.target.classIndex : undefined;
  if (asked === undefined) return argmaxClass(probabilities, input);
  if (asked >= classes) invalidParam('target.classIndex', `is ${asked}, but the model has ${classes} classes (0..${classes - 1})`);
  return asked;
}

function registryPlan(task: AttributionTask, request: AttributionRequest, input: tf.Tensor, referenceData: tf.Tensor | undefined): Plan {
  const single = (fn: ScalarFunction): Part => ({ weight: 1, run: (options) => runAttribution(request, { ...options, target: fn, input, referenceData }) });
  const disposers: Array<() => void> = [];
  const notes: string[] = [];
  if (request.method === 'featureAblation' || request.method === 'kernelShap' || request.method === 'lime') {
    notes.push(`${request.method} gives each feature group (${request.features.kind}) one value, shared by all its features${request.method === 'kernelShap' ? '; completeness sums over the groups' : ''}.`);
  }
  const plan = (target: ResolvedAttributeTarget, maps: MapPlan[]): Plan => ({ target, maps, notes, dispose: () => disposers.forEach((d) => d()) });
  const { target } = task;
  switch (target.kind) {
    case 'labelFree': {
      const held = labelFreeTarget(representation(task.subject).encoder, input);
      disposers.push(() => held.dispose());
      return plan({ kind: 'labelFree' }, [{ parts: [single(held.fn)] }]);
    }
    case 'latentUnit': {
      const rep = representation(task.subject);
      checkUnit(target.unit, rep.units);
      return plan({ kind: 'latentUnit', unit: target.unit }, [{ unit: target.unit, parts: [single(latentUnitTarget(rep.encoder, target.unit))] }]);
    }
    case 'allUnits': {
      const rep = representation(task.subject);
      const maps = Array.from({ length: rep.units }, (_, unit) => ({ unit, parts: [single(latentUnitTarget(rep.encoder, unit))] }));
      return plan({ kind: 'allUnits', units: rep.units }, maps);
    }
    case 'class': {
      const output = classOutput(task.subject, target.kind);
      if (output.softmaxAdded) notes.push('The model outputs logits; class targets explain the softmax probabilities.');
      const classIndex = pickClass(task, output.probabilities, output.classes, input);
      return plan({ kind: 'class', classIndex, ...className(task, classIndex) }, [{ parts: [single(classTarget(output.probabilities, classIndex))] }]);
    }
    case 'probabilityWeighted': {
      const output = classOutput(task.subject, target.kind);
      if (output.softmaxAdded) notes.push('The model outputs logits; the weights and class scores are softmax probabilities.');
      const held = probabilityWeightedTarget(output.probabilities, input);
      disposers.push(() => held.dispose());
      return plan({ kind: 'probabilityWeighted' }, [{ parts: [single(held.fn)] }]);
    }
  }
}

function propagationPlan(task: AttributionTask, spec: PropagationSpec, input: tf.Tensor, referenceData: tf.Tensor | undefined): Plan {
  const { model } = task.subject;
  const baseline = spec.method === 'deepLift' ? resolveBaseline(spec.baseline, input, referenceData) : undefined;
  const name = spec.method === 'deepLift' ? 'DeepLIFT' : 'LRP';
  const part = (target: PropagationTarget, weight = 1): Part => ({
    weight,
    run: (options) => (spec.method === 'deepLift' ? deepLift(model, input, baseline!, target, options) : lrp(model, input, target, spec, options)),
  });
  const notes: string[] = [];
  const plan = (target: ResolvedAttributeTarget, maps: MapPlan[]): Plan => ({ target, maps, notes, dispose: () => baseline?.dispose() });
  const { target } = task;
  try {
    switch (target.kind) {
      case 'labelFree': {
        const rep = representation(task.subject);
        return plan({ kind: 'labelFree' }, [{ parts: [part({ outputLayer: rep.layer, labelFree: true })] }]);
      }
      case 'latentUnit': {
        const rep = representation(task.subject);
        checkUnit(target.unit, rep.units);
        return plan({ kind: 'latentUnit', unit: target.unit }, [{ unit: target.unit, parts: [part({ outputLayer: rep.layer, unit: target.unit })] }]);
      }
      case 'allUnits': {
        const rep = representation(task.subject);
        const maps = Array.from({ length: rep.units }, (_, unit) => ({ unit, parts: [part({ outputLayer: rep.layer, unit })] }));
        return plan({ kind: 'allUnits', units: rep.units }, maps);
      }
      case 'class': {
        const output = classOutput(task.subject, target.kind);
        const classIndex = pickClass(task, output.probabilities, output.classes, input);
        if (output.softmaxLayer) notes.push(`${name} explains the logit of class ${classIndex}, before the softmax of layer '${output.softmaxLayer}'.`);
        return plan({ kind: 'class', classIndex, ...className(task, classIndex) }, [{ parts: [part({ unit: classIndex })] }]);
      }
      case 'probabilityWeighted': {
        const output = classOutput(task.subject, target.kind);
        const probabilities = tf.tidy(() => output.probabilities(input).dataSync());
        notes.push(`${name} runs once per class: the map is sum_j p_j(x) times the map of logit j.`);
        return plan({ kind: 'probabilityWeighted' }, [{ parts: Array.from(probabilities, (p, unit) => part({ unit }, p)) }]);
      }
    }
  } catch (error) {
    baseline?.dispose();
    throw error;
  }
}

async function runPlans(plans: MapPlan[], context: AttributionRunContext): Promise<AttributionMap[]> {
  const total = plans.reduce((n, p) => n + p.parts.length, 0);
  let done = 0;
  const maps: AttributionMap[] = [];
  for (const plan of plans) {
    let values: Float32Array | undefined;
    let completeness: Completeness | undefined;
    let complete = true;
    for (const part of plan.parts) {
      throwIfAborted(context.signal);
      const offset = done;
      const attribution = await part.run({
        batchSize: context.batchSize,
        signal: context.signal,
        onProgress: context.onProgress && ((fraction) => context.onProgress!((offset + fraction) / total)),
      });
      let read: Float32Array;
      try {
        read = (await attribution.attributions.data()) as Float32Array;
      } finally {
        attribution.attributions.dispose();
      }
      if (plan.parts.length === 1) values = read;
      else {
        values ??= new Float32Array(read.length);
        for (let i = 0; i < read.length; i++) values[i] += part.weight * read[i]!;
      }
      if (attribution.completeness && complete) {
        completeness = {
          sum: (completeness?.sum ?? 0) + part.weight * attribution.completeness.sum,
          expected: (completeness?.expected ?? 0) + part.weight * attribution.completeness.expected,
        };
      } else {
        complete = false;
        completeness = undefined;
      }
      done++;
      context.onProgress?.(done / total);
    }
    const map: AttributionMap = { values: values ?? new Float32Array(0) };
    if (plan.unit !== undefined) map.unit = plan.unit;
    if (completeness) map.completeness = completeness;
    maps.push(map);
  }
  return maps;
}
