/**
 * `checks/compareRepresentations`: how alike two encoders' label-free
 * explanations are (the paper's pretext-task table). Both explain the same
 * examples, taken from the first run's test set.
 */
import { MAX_COMPARE_EXAMPLES, type CompareRepresentationsResult } from '../../protocol/engineProtocol';
import { compareSaliencyMaps } from '../metrics/representationComparison';
import { COMMON_FIELDS, readCommon, secondsSince, throttledProgress, type AttributionJobContext } from './attributionJobContext';
import { computeAttribution } from './computeAttribution';
import { checkIndices, describeEncoder, openExplainedModel, readOtherEncoder, type ExplainedModel } from './explainedModel';
import { parseBaseline, readMethodName, resolveMethodSpec, toSettings } from './methodSpecs';
import { readIndexList, readObject } from './paramReader';


export async function compareRepresentations(params: unknown, context: AttributionJobContext): Promise<CompareRepresentationsResult> {
  const start = performance.now();
  const o = readObject(params, 'params', [...COMMON_FIELDS, 'other', 'testIndices', 'method', 'baseline']);
  const common = readCommon(o);
  const { manifestPath: otherManifest, checkpoint: otherCheckpoint } = readOtherEncoder(o.other);
  const testIndices = readIndexList(o.testIndices, 'testIndices', MAX_COMPARE_EXAMPLES);
  const method = o.method ?? { method: 'integratedGradients' };
  const name = readMethodName(method);
  const baseline = parseBaseline(o.baseline);

  const a = await openExplainedModel(context.store, common.manifestPath, common.checkpoint, context.signal);
  checkIndices(a.run.test, testIndices, 'testIndices');
  const b = await openExplainedModel(context.store, otherManifest ?? common.manifestPath, otherCheckpoint, context.signal, () => a.run.test);
  const specA = resolveMethodSpec(method, baseline, a.exampleShape);
  const specB = resolveMethodSpec(method, baseline, b.exampleShape);
  const report = throttledProgress(context.progress);
  const mapsA: Float32Array[] = [];
  const mapsB: Float32Array[] = [];
  for (const [n, index] of testIndices.entries()) {
    const message = `label-free ${name} on both encoders, test example ${index} (${n + 1}/${testIndices.length})`;
    const run = async (subject: ExplainedModel, spec: typeof specA, half: number): Promise<Float32Array> => {
      const result = await computeAttribution(
        { subject, examples: a.run.test, index, spec, target: { kind: 'labelFree' } },
        { cache: context.cache, signal: context.signal, batchSize: common.batchSize, onProgress: (f) => report(message, (n + 0.5 * (half + f)) / testIndices.length) },
      );
      return result.maps[0]!.values;
    };
    mapsA.push(await run(a, specA, 0));
    mapsB.push(await run(b, specB, 1));
  }
  const comparison = compareSaliencyMaps(mapsA, mapsB);
  return {
    method: specA.method,
    settings: toSettings(specA),
    a: describeEncoder(a),
    b: describeEncoder(b),
    mean: comparison.mean,
    std: comparison.std,
    perExample: comparison.perExample.map((pearson, n) => ({ index: testIndices[n]!, pearson })),
    undefinedCount: comparison.undefinedCount,
    pooled: comparison.pooled,
    seconds: secondsSince(start),
  };
}
