/** `attribution/run`: one method, one target, one test example. */
import type { AttributeResult } from '../../protocol/engineProtocol';
import { COMMON_FIELDS, readCommon, secondsSince, throttledProgress, type AttributionJobContext } from './attributionJobContext';
import { computeAttribution } from './computeAttribution';
import { checkIndices, openExplainedModel } from './explainedModel';
import { parseBaseline, parseTarget, readMethodName, resolveMethodSpec, takesBaseline } from './methodSpecs';
import { readInteger, readObject } from './paramReader';

export async function attribute(params: unknown, context: AttributionJobContext): Promise<AttributeResult> {
  const start = performance.now();
  const o = readObject(params, 'params', [...COMMON_FIELDS, 'testIndex', 'method', 'target', 'baseline']);
  const common = readCommon(o);
  const testIndex = readInteger(o.testIndex, 'testIndex', 0);
  const name = readMethodName(o.method);
  const target = parseTarget(o.target);
  const baseline = parseBaseline(o.baseline);

  const subject = await openExplainedModel(context.store, common.manifestPath, common.checkpoint, context.signal);
  checkIndices(subject.run.test, [testIndex], 'testIndex', true);
  const spec = resolveMethodSpec(o.method, baseline, subject.exampleShape);
  const report = throttledProgress(context.progress);
  const message = `${name} for test example ${testIndex}`;
  report(message, 0);
  const result = await computeAttribution(
    { subject, examples: subject.run.test, index: testIndex, spec, target },
    { cache: context.cache, signal: context.signal, batchSize: common.batchSize, onProgress: (fraction) => report(message, fraction) },
  );
  const reply: AttributeResult = {
    method: spec.method,
    settings: result.settings,
    target: result.target,
    labelFree: result.labelFree,
    shape: subject.exampleShape,
    maps: result.maps,
    cached: result.cached,
    seconds: secondsSince(start),
  };
  if (subject.run.test.columns) reply.columns = subject.run.test.columns;
  const notes = baseline && !takesBaseline(spec) ? [...result.notes, `${name} takes no baseline; the baseline given was not used.`] : result.notes;
  if (notes.length > 0) reply.notes = notes;
  return reply;
}
