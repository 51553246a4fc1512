/**
 * Turns the engine's attribution answers (typed arrays over the per-example
 * shape) into what the page draws: images as H x W planes (the example's
 * channels averaged for display, the maps' channels summed so a pixel's total
 * attribution is kept), tabular rows and time series as they are.
 */
import type { AttributeResult, AttributionMap, ConsistencyResult, ExamplePixels, LatentUnitsResult, SanityCheckResult } from '../../protocol/engineProtocol';
import {
  inputViewFor,
  type PanelAttribution,
  type PanelBaseline,
  type PanelConsistency,
  type PanelInput,
  type PanelMap,
  type PanelSanity,
  type PanelTarget,
  type PanelUnits,
} from '../../protocol/webviewProtocol';
import { toDisplayRange, toPlane } from './explanationAssembler';

function finiteOrZero(values: ArrayLike<number>): number[] {
  return Array.from(values, (v) => (Number.isFinite(v) ? v : 0));
}

function finiteOrNull(value: number): number | null {
  return Number.isFinite(value) ? value : null;
}

function checkLength(shape: readonly number[], values: ArrayLike<number>, what: string): void {
  const size = shape.reduce((a, b) => a * b, 1);
  if (values.length !== size) throw new Error(`${what}: expected ${size} values for shape [${shape.join(', ')}], got ${values.length}`);
}

/** How the example of this shape is drawn, with its values. */
export function toPanelInput(shape: readonly number[], values: ArrayLike<number>, columns: string[] | undefined, what: string): PanelInput {
  const view = inputViewFor(shape);
  if (view === 'image') {
    const plane = toPlane(shape, values, 'mean', what);
    return { view, height: plane.height, width: plane.width, values: toDisplayRange(plane.values) };
  }
  checkLength(shape, values, what);
  if (view === 'tabular') {
    const input: PanelInput = { view, height: 1, width: values.length, values: finiteOrZero(values) };
    if (columns && columns.length === values.length) input.columns = [...columns];
    return input;
  }
  return { view, height: shape[0]!, width: shape[1]!, values: finiteOrZero(values) };
}

/** One map on the input's grid. */
export function toPanelMap(shape: readonly number[], map: AttributionMap, what: string): PanelMap {
  const values = inputViewFor(shape) === 'image' ? toPlane(shape, map.values, 'sum', what).values : (checkLength(shape, map.values, what), Array.from(map.values));
  const panel: PanelMap = { values: finiteOrZero(values) };
  if (map.unit !== undefined) panel.unit = map.unit;
  if (map.completeness) panel.completeness = { ...map.completeness };
  return panel;
}

export interface AttributionContext {
  testIndex: number;
  checkpoint: string;
  /** The example's values; drawn over the model's example shape, which the engine's result names. */
  example: ExamplePixels;
  panelBaseline?: PanelBaseline;
}

export function assembleAttribution(result: AttributeResult, context: AttributionContext): PanelAttribution {
  const what = `test example ${context.testIndex}`;
  const input = toPanelInput(result.shape, context.example.values, result.columns, what);
  const maps = result.maps.map((m, k) => toPanelMap(result.shape, m, `attribution map ${k} of ${what}`));
  for (const map of maps) {
    if (map.values.length !== input.values.length) {
      throw new Error(`The attribution of ${what} has ${map.values.length} values but the example is drawn with ${input.values.length}.`);
    }
  }
  const panel: PanelAttribution = {
    testIndex: context.testIndex,
    checkpoint: context.checkpoint,
    method: result.method,
    seconds: result.seconds,
    cached: result.cached,
    input,
    maps,
    target: result.target,
    labelFree: result.labelFree,
    notes: result.notes ?? [],
  };
  if (context.panelBaseline) panel.baseline = context.panelBaseline;
  if (context.example.label !== undefined) panel.label = context.example.label;
  if (context.example.labelName !== undefined) panel.labelName = context.example.labelName;
  return panel;
}

export function assembleUnits(result: LatentUnitsResult, context: AttributionContext): PanelUnits {
  const what = `test example ${context.testIndex}`;
  const first = result.examples.find((e) => e.index === context.testIndex);
  if (!first?.maps) throw new Error(`The engine returned no per-unit maps for ${what}.`);
  const input = toPanelInput(result.shape, context.example.values, result.columns, what);
  const size = result.units * result.units;
  if (result.correlation.length !== size) throw new Error(`The correlation matrix has ${result.correlation.length} entries, expected ${result.units} x ${result.units}.`);
  return {
    testIndex: context.testIndex,
    checkpoint: context.checkpoint,
    method: result.method,
    seconds: result.seconds,
    cached: result.cachedCount === result.examples.length,
    input,
    units: result.units,
    maps: first.maps.map((m, k) => toPanelMap(result.shape, m, `unit ${m.unit ?? k} map of ${what}`)),
    entropy: finiteOrNull(first.entropy),
    salientCount: first.salientCount,
    averageEntropy: finiteOrNull(result.averageEntropy),
    maxEntropy: result.maxEntropy,
    correlation: result.correlation.map(finiteOrNull),
    meanCorrelation: finiteOrNull(result.meanCorrelation),
    exampleIndices: result.examples.map((e) => e.index),
  };
}

export function assembleConsistency(result: ConsistencyResult, testIndex: number, checkpoint: string, targetKind: PanelTarget): PanelConsistency {
  const n = result.fractions.length;
  for (const [name, curve] of [['top', result.top], ['random', result.random]] as const) {
    if (curve.mean.length !== n || curve.std.length !== n) throw new Error(`The consistency check's ${name} curve has ${curve.mean.length} points for ${n} fractions.`);
  }
  return {
    testIndex,
    checkpoint,
    method: result.method,
    seconds: result.seconds,
    cached: false,
    measure: result.measure,
    fractions: [...result.fractions],
    maskedCounts: [...result.maskedCounts],
    top: { mean: [...result.top.mean], std: [...result.top.std] },
    random: { mean: [...result.random.mean], std: [...result.random.std] },
    exampleIndices: result.perExample.map((e) => e.index),
    targetKind,
  };
}

export function assembleSanity(result: SanityCheckResult, testIndex: number, checkpoint: string): PanelSanity {
  return {
    testIndex,
    checkpoint,
    method: result.method,
    seconds: result.seconds,
    cached: false,
    target: result.target,
    steps: result.steps.map((s) => ({ ...s, randomizedLayers: [...s.randomizedLayers] })),
  };
}
