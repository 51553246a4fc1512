/**
 * Turns the engine's invariance answers into what the page draws: decoded
 * images and the test example on the panel's grid (channels averaged, display
 * range), the two divergence maps (channels summed), the curve as it is.
 */
import type { ExamplePixels, InvarianceExampleInfo, InvarianceReply } from '../../protocol/engineProtocol';
import type { PanelDecoded, PanelInvariance } from '../../protocol/webviewProtocol';
import { toPanelInput, toPanelMap } from './attributionAssembler';

export interface InvarianceContext {
  testIndex: number;
  checkpoint: string;
  /** The test example's own values (absent for the curve). */
  example?: ExamplePixels;
}

function decoded(shape: readonly number[], values: Float32Array, predicted: number, what: string): PanelDecoded {
  return { values: toPanelInput(shape, values, undefined, what).values, predicted };
}

function shown<T extends InvarianceExampleInfo>(examples: readonly T[], testIndex: number): T {
  const found = examples.find((e) => e.index === testIndex);
  if (!found) throw new Error(`The engine returned no invariance result for test example ${testIndex}.`);
  return found;
}

export function assembleInvariance(reply: InvarianceReply, context: InvarianceContext): PanelInvariance {
  const base = {
    testIndex: context.testIndex,
    checkpoint: reply.checkpoint,
    latentDim: reply.latentDim,
    classDims: reply.classDims,
    seconds: reply.seconds,
    cached: false,
    ...(reply.classNames ? { classNames: [...reply.classNames] } : {}),
  };
  if (reply.kind === 'curve') {
    return { ...base, kind: 'curve', points: reply.points.map((p) => ({ ...p })), reconstruction: reply.reconstruction, examples: reply.testIndices.length, count: reply.count };
  }
  const what = `test example ${context.testIndex}`;
  if (!context.example) throw new Error(`The invariance ${reply.kind} of ${what} needs the example.`);
  const input = toPanelInput(reply.shape, context.example.values, undefined, what);
  switch (reply.kind) {
    case 'samples': {
      const e = shown(reply.examples, context.testIndex);
      return {
        ...base,
        kind: 'samples',
        input,
        predicted: e.predicted,
        sigma: reply.sigma,
        reconstruction: decoded(reply.shape, e.reconstruction, e.reconstructionPredicted, `the reconstruction of ${what}`),
        samples: e.samples.map((s, k) => ({ ...decoded(reply.shape, s.values, s.predicted, `invariant sample ${k} of ${what}`), matches: s.matches })),
        matchRate: e.matchRate,
      };
    }
    case 'counterfactuals': {
      const e = shown(reply.examples, context.testIndex);
      return {
        ...base,
        kind: 'counterfactuals',
        input,
        predicted: e.predicted,
        stepSize: reply.stepSize,
        maxStep: reply.maxStep,
        counterfactuals: e.counterfactuals.map((c) => ({
          classIndex: c.classIndex,
          available: c.available,
          reached: c.reached,
          step: c.step,
          distance: c.distance,
          probability: c.probability,
          ...(c.values ? { decoded: decoded(reply.shape, c.values, c.decodedPredicted ?? c.classIndex, `the counterfactual of ${what} toward class ${c.classIndex}`) } : {}),
        })),
      };
    }
    case 'divergence': {
      const e = shown(reply.examples, context.testIndex);
      return {
        ...base,
        kind: 'divergence',
        input,
        predicted: e.predicted,
        baseline: reply.baseline,
        background: reply.background,
        samples: reply.samples,
        maps: e.maps.map((m) => ({ k: m.k, map: toPanelMap(reply.shape, { values: m.values, completeness: m.completeness }, `divergence map z${m.k} of ${what}`), absoluteSum: m.absoluteSum })),
      };
    }
  }
}
