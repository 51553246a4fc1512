/**
 * `attribution/units`: a map per latent unit for each asked test example, and
 * how disentangled they are: the saliency entropy across units (against its
 * maximum ln d_H) and the Pearson correlation between units' maps.
 */
import { MAX_UNIT_EXAMPLES, type LatentUnitsExample, type LatentUnitsResult } from '../../protocol/engineProtocol';
import { RpcError } from '../../protocol/rpc';
import { averageSaliencyEntropy, saliencyEntropy } from '../metrics/saliencyEntropy';
import { averageUnitCorrelation } from '../metrics/unitCorrelation';
import { COMMON_FIELDS, readCommon, secondsSince, throttledProgress, type AttributionJobContext } from './attributionJobContext';
import { computeAttribution } from './computeAttribution';
import { checkIndices, openExplainedModel } from './explainedModel';
import { parseBaseline, readMethodName, resolveMethodSpec, toSettings } from './methodSpecs';
import { representation } from './modelOutputs';
import { readIndexList, readObject, readOptionalBoolean, readOptionalNumber } from './paramReader';

export async function latentUnits(params: unknown, context: AttributionJobContext): Promise<LatentUnitsResult> {
  const start = performance.now();
  const o = readObject(params, 'params', [...COMMON_FIELDS, 'testIndices', 'method', 'baseline', 'includeMaps', 'relativeThreshold']);
  const common = readCommon(o);
  const testIndices = readIndexList(o.testIndices, 'testIndices', MAX_UNIT_EXAMPLES);
  const name = readMethodName(o.method);
  const baseline = parseBaseline(o.baseline);
  const includeMaps = readOptionalBoolean(o.includeMaps, 'includeMaps') ?? true;
  const relativeThreshold = readOptionalNumber(o.relativeThreshold, 'relativeThreshold', 0, 0.999);
  const entropyOptions = relativeThreshold === undefined ? {} : { relativeThreshold };

  const subject = await openExplainedModel(context.store, common.manifestPath, common.checkpoint, context.signal);
  checkIndices(subject.run.test, testIndices, 'testIndices');
  const spec = resolveMethodSpec(o.method, baseline, subject.exampleShape);
  const units = representation(subject).units;
  if (units < 2) {
    throw new RpcError('badInput', `the representation layer "${subject.run.manifest.representationLayer}" has ${units} unit; entropy and correlations across units need at least 2`, subject.run.manifestPath);
  }
  const report = throttledProgress(context.progress);
  const allMaps: Float32Array[][] = [];
  const examples: LatentUnitsExample[] = [];
  let cachedCount = 0;
  for (const [n, index] of testIndices.entries()) {
    const message = `${name} per latent unit, test example ${index} (${n + 1}/${testIndices.length})`;
    const result = await computeAttribution(
      { subject, examples: subject.run.test, index, spec, target: { kind: 'allUnits' } },
      { cache: context.cache, signal: context.signal, batchSize: common.batchSize, onProgress: (f) => report(message, (n + f) / testIndices.length) },
    );
    if (result.cached) cachedCount++;
    const values = result.maps.map((m) => m.values);
    allMaps.push(values);
    const entropy = saliencyEntropy(values, entropyOptions);
    const example: LatentUnitsExample = { index, entropy: entropy.mean, salientCount: entropy.salientCount };
    if (includeMaps) example.maps = result.maps;
    examples.push(example);
  }
  const average = averageSaliencyEntropy(allMaps, entropyOptions);
  const correlation = averageUnitCorrelation(allMaps);
  const reply: LatentUnitsResult = {
    method: spec.method,
    settings: toSettings(spec),
    shape: subject.exampleShape,
    units,
    examples,
    averageEntropy: average.mean,
    maxEntropy: average.maxEntropy,
    correlation: Array.from(correlation.matrix),
    meanCorrelation: correlation.offDiagonalMean,
    cachedCount,
    seconds: secondsSince(start),
  };
  if (subject.run.test.columns) reply.columns = subject.run.test.columns;
  return reply;
}
