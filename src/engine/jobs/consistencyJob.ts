/**
 * `checks/consistency`: mask the features a map ranks highest and measure
 * how much the model moves, against random masks of the same size. For
 * representation targets the movement is the latent shift ||f(x) - f(m ⊙ x)||;
 * for class targets it is the drop in the explained (or predicted) class's probability.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { AttributeTargetSpec, ConsistencyResult } from '../../protocol/engineProtocol';
import { argmaxClass } from '../attribution/targets';
import { consistencyCheck, DEFAULT_FRACTIONS, type BatchFunction, type ConsistencyCurve } from '../metrics/consistencyCheck';
import { meanStd } from '../metrics/vectors';
import { examplesTensor } from '../run/batches';
import { COMMON_FIELDS, readCommon, secondsSince, throttledProgress, type AttributionJobContext } from './attributionJobContext';
import { computeAttribution } from './computeAttribution';
import { checkIndices, openExplainedModel, type ExplainedModel } from './explainedModel';
import { parseBaseline, parseTarget, readMethodName, resolveMethodSpec, toSettings } from './methodSpecs';
import { classOutput, representation } from './modelOutputs';
import { invalidParam, readEnum, readIndexList, readObject, readOptionalInteger, readOptionalNumber } from './paramReader';
import { baselineTensor } from './trainingReference';

export const MAX_CONSISTENCY_EXAMPLES = 256;
const MAX_RANDOM_MASKS = 1000;

function readFractions(value: unknown): number[] {
  if (value === undefined) return [...DEFAULT_FRACTIONS];
  if (!Array.isArray(value) || value.length === 0 || value.length > 32) invalidParam('fractions', 'must be a list of 1 to 32 fractions in (0, 1]');
  return value.map((f, i) => {
    const fraction = readOptionalNumber(f, `fractions[${i}]`, 0, 1);
    if (fraction === undefined || fraction === 0) invalidParam(`fractions[${i}]`, `must be a number in (0, 1], got ${String(f)}`);
    return fraction;
  });
}

/** What the mask moves: the representation, or one class probability (with the class fixed at the unmasked input). */
function measuredOutput(subject: ExplainedModel, target: AttributeTargetSpec, input: tf.Tensor, explainedClass: number | undefined): BatchFunction {
  if (target.kind === 'class' || target.kind === 'probabilityWeighted') {
    const output = classOutput(subject, target.kind);
    const k = explainedClass ?? argmaxClass(output.probabilities, input);
    return (x) => tf.tidy(() => tf.reshape(tf.slice(output.probabilities(x), [0, k], [-1, 1]), [-1]));
  }
  return representation(subject).encoder;
}

/** Population mean and std of all masks of all examples, from each example's mean and std (equal counts per example). */
function pooled(means: number[], stds: number[]): { mean: number; std: number } {
  const mean = means.reduce((a, b) => a + b, 0) / means.length;
  const variance = means.reduce((s, m, e) => s + stds[e]! ** 2 + (m - mean) ** 2, 0) / means.length;
  return { mean, std: Math.sqrt(variance) };
}

export async function consistency(params: unknown, context: AttributionJobContext): Promise<ConsistencyResult> {
  const start = performance.now();
  const o = readObject(params, 'params', [...COMMON_FIELDS, 'testIndices', 'method', 'target', 'baseline', 'fractions', 'randomMasks', 'seed', 'rankBy']);
  const common = readCommon(o);
  const testIndices = readIndexList(o.testIndices, 'testIndices', MAX_CONSISTENCY_EXAMPLES);
  const name = readMethodName(o.method);
  const target = parseTarget(o.target, 'target', { allowAllUnits: false });
  const baseline = parseBaseline(o.baseline);
  const fractions = readFractions(o.fractions);
  const randomMasks = readOptionalInteger(o.randomMasks, 'randomMasks', 1, MAX_RANDOM_MASKS) ?? 10;
  const seed = readOptionalInteger(o.seed, 'seed', 0, 2 ** 32 - 1) ?? 0;
  const rankBy = o.rankBy === undefined ? 'value' : readEnum(o.rankBy, 'rankBy', ['value', 'absolute'] as const);

  const subject = await openExplainedModel(context.store, common.manifestPath, common.checkpoint, context.signal);
  checkIndices(subject.run.test, testIndices, 'testIndices');
  const spec = resolveMethodSpec(o.method, baseline, subject.exampleShape);
  const report = throttledProgress(context.progress);
  const curves: ConsistencyCurve[] = [];
  for (const [n, index] of testIndices.entries()) {
    const message = `consistency check of ${name}, test example ${index} (${n + 1}/${testIndices.length})`;
    const share = 1 / testIndices.length;
    const attribution = await computeAttribution(
      { subject, examples: subject.run.test, index, spec, target },
      { cache: context.cache, signal: context.signal, batchSize: common.batchSize, onProgress: (f) => report(message, (n + 0.8 * f) * share) },
    );
    const input = examplesTensor(subject.run.test, [index], subject.exampleShape);
    const masked = baselineTensor(baseline, input, subject.run.train, subject.exampleShape);
    try {
      const explainedClass = attribution.target.kind === 'class' ? attribution.target.classIndex : undefined;
      const fn = measuredOutput(subject, target, input, explainedClass);
      curves.push(
        await consistencyCheck(fn, input, attribution.maps[0]!.values, {
          fractions,
          randomMasks,
          seed,
          rankBy,
          baseline: masked,
          signal: context.signal,
          batchSize: common.batchSize,
          onProgress: (f) => report(message, (n + 0.8 + 0.2 * f) * share),
        }),
      );
    } finally {
      tf.dispose([input, masked]);
    }
  }
  const top = fractions.map((_, i) => meanStd(curves.map((c) => c.top[i]!)));
  const random = fractions.map((_, i) => pooled(curves.map((c) => c.randomMean[i]!), curves.map((c) => c.randomStd[i]!)));
  return {
    method: spec.method,
    settings: toSettings(spec),
    target,
    measure: curves[0]!.measure,
    fractions,
    maskedCounts: curves[0]!.maskedCounts,
    top: { mean: top.map((s) => s.mean), std: top.map((s) => s.std) },
    random: { mean: random.map((s) => s.mean), std: random.map((s) => s.std) },
    perExample: curves.map((c, n) => ({ index: testIndices[n]!, top: c.top, randomMean: c.randomMean })),
    seconds: secondsSince(start),
  };
}
