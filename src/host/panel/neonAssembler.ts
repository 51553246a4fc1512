/**
 * Turns the engine's NEON answer for one test example into what the page
 * draws: the example and its relevance on the panel's grid (image channels
 * summed for the relevance, averaged for the example and the per-feature
 * standard deviation), the explained value, the cluster, the conservation and
 * the fit summary without the centroids.
 */
import type { ExamplePixels, NeonExample, NeonResult } from '../../protocol/engineProtocol';
import { inputViewFor, type PanelNeon, type PanelNeonSettings } from '../../protocol/webviewProtocol';
import { toPanelInput, toPanelMap } from './attributionAssembler';
import { toPlane } from './explanationAssembler';

export interface NeonContext {
  testIndex: number;
  settings: PanelNeonSettings;
  example: ExamplePixels;
}

function stdOnGrid(shape: readonly number[], std: Float32Array, what: string): number[] {
  const values = inputViewFor(shape) === 'image' ? toPlane(shape, std, 'mean', what).values : Array.from(std);
  return values.map((v) => (Number.isFinite(v) ? v : 0));
}

export function assembleNeon(result: NeonResult, context: NeonContext): PanelNeon {
  const what = `test example ${context.testIndex}`;
  const explained: NeonExample | undefined = result.examples.find((e) => e.index === context.testIndex);
  if (!explained) throw new Error(`The engine returned no NEON explanation for ${what}.`);
  const input = toPanelInput(result.shape, context.example.values, result.columns, what);
  const relevance = toPanelMap(result.shape, { values: explained.relevance }, `NEON relevance of ${what}`);
  if (relevance.values.length !== input.values.length) throw new Error(`The NEON relevance of ${what} has ${relevance.values.length} values but the example is drawn with ${input.values.length}.`);
  const model = result.model;
  const panel: PanelNeon = {
    testIndex: context.testIndex,
    settings: context.settings,
    input,
    relevance,
    value: explained.value,
    conservation: { ...explained.conservation },
    model:
      model.kind === 'kmeans'
        ? { kind: 'kmeans', k: model.k, nInit: model.nInit, restartObjectives: [...model.restartObjectives], objective: model.objective, iterations: model.iterations, clusterSizes: [...model.clusterSizes] }
        : { kind: 'kde', gamma: model.gamma, gammaSource: model.gammaSource },
    dim: result.dim,
    fitCount: result.fitCount,
    subsampled: result.subsampled,
    modelCached: result.cached,
    ran: { ...result.settings },
    seconds: result.seconds,
    cached: false,
  };
  if (result.checkpoint !== undefined) panel.checkpoint = result.checkpoint;
  if (result.layer !== undefined) panel.layer = result.layer;
  const label = explained.label ?? context.example.label;
  const labelName = explained.labelName ?? context.example.labelName;
  if (label !== undefined) panel.label = label;
  if (labelName !== undefined) panel.labelName = labelName;
  if (explained.cluster !== undefined) panel.cluster = explained.cluster;
  if (explained.relevanceStd) panel.relevanceStd = stdOnGrid(result.shape, explained.relevanceStd, `NEON relevance std of ${what}`);
  if (explained.valueStd !== undefined) panel.valueStd = explained.valueStd;
  if (explained.exactDensity !== undefined) panel.exactDensity = explained.exactDensity;
  return panel;
}
