/** Example-importance method settings: validated, with their defaults filled in, so results say what actually ran. */
import { EXAMPLE_METHOD_NAMES, TRACIN_MODES, type ExampleMethodSpec } from '../../../protocol/engineProtocol';
import { DEFAULT_SIMPLEX_EPOCHS, DEFAULT_SIMPLEX_LEARNING_RATE } from '../../examples/simplex';
import { DEFAULT_SKETCH_DIM } from '../../examples/sketch';
import { readEnum, readObject, readOptionalInteger, readOptionalNumber } from '../paramReader';

export const DEFAULT_LAST_LAYERS = 1;
export const DEFAULT_LISSA_DEPTH = 100;
export const DEFAULT_LISSA_DAMPING = 0.01;
export const DEFAULT_LISSA_SAMPLES = 32;
export const DEFAULT_ARNOLDI_ITERATIONS = 20;
export const MAX_SKETCH_DIM = 8192;

export type ResolvedExampleSpec =
  | { method: 'tracin'; mode: 'sketch'; sketchDim: number }
  | { method: 'tracin'; mode: 'exact' }
  | { method: 'tracin'; mode: 'lastLayers'; lastLayers: number }
  | { method: 'influence'; inverse: 'lissa'; depth: number; scale?: number; damping: number; samples: number }
  | { method: 'influence'; inverse: 'arnoldi'; iterations: number; rank: number; damping: number }
  | { method: 'deepKnn' }
  | { method: 'simplex'; epochs: number; learningRate: number; nearest?: number };

export function resolveExampleSpec(value: unknown, field = 'method'): ResolvedExampleSpec {
  const head = readObject(value, field, ['method', 'mode', 'sketchDim', 'lastLayers', 'inverse', 'depth', 'scale', 'damping', 'samples', 'rank', 'iterations', 'epochs', 'learningRate', 'nearest']);
  const method = readEnum(head.method, `${field}.method`, EXAMPLE_METHOD_NAMES);
  const allow = (keys: string[]): void => void readObject(value, field, ['method', ...keys]);
  switch (method) {
    case 'tracin': {
      allow(['mode', 'sketchDim', 'lastLayers']);
      const mode = head.mode === undefined ? 'sketch' : readEnum(head.mode, `${field}.mode`, TRACIN_MODES);
      if (mode === 'sketch') return { method, mode, sketchDim: readOptionalInteger(head.sketchDim, `${field}.sketchDim`, 4, MAX_SKETCH_DIM) ?? DEFAULT_SKETCH_DIM };
      if (mode === 'lastLayers') return { method, mode, lastLayers: readOptionalInteger(head.lastLayers, `${field}.lastLayers`, 1, 1000) ?? DEFAULT_LAST_LAYERS };
      return { method, mode };
    }
    case 'influence': {
      allow(['inverse', 'depth', 'scale', 'damping', 'samples', 'rank', 'iterations']);
      const inverse = head.inverse === undefined ? 'lissa' : readEnum(head.inverse, `${field}.inverse`, ['lissa', 'arnoldi'] as const);
      if (inverse === 'lissa') {
        // Without a scale the engine picks 1.5x the estimated largest Hessian eigenvalue, so the recursion converges.
        const scale = readOptionalNumber(head.scale, `${field}.scale`, 1e-6, 1e9);
        return {
          method,
          inverse,
          depth: readOptionalInteger(head.depth, `${field}.depth`, 1, 100_000) ?? DEFAULT_LISSA_DEPTH,
          ...(scale === undefined ? {} : { scale }),
          damping: readOptionalNumber(head.damping, `${field}.damping`, 0, 0.999) ?? DEFAULT_LISSA_DAMPING,
          samples: readOptionalInteger(head.samples, `${field}.samples`, 1, 100_000) ?? DEFAULT_LISSA_SAMPLES,
        };
      }
      const iterations = readOptionalInteger(head.iterations, `${field}.iterations`, 1, 1000) ?? DEFAULT_ARNOLDI_ITERATIONS;
      return {
        method,
        inverse,
        iterations,
        rank: readOptionalInteger(head.rank, `${field}.rank`, 1, iterations) ?? iterations,
        damping: readOptionalNumber(head.damping, `${field}.damping`, 0, 1e6) ?? 0.001,
      };
    }
    case 'deepKnn':
      allow([]);
      return { method };
    case 'simplex': {
      allow(['epochs', 'learningRate', 'nearest']);
      const nearest = readOptionalInteger(head.nearest, `${field}.nearest`, 1);
      const spec: ResolvedExampleSpec = {
        method,
        epochs: readOptionalInteger(head.epochs, `${field}.epochs`, 1, 1_000_000) ?? DEFAULT_SIMPLEX_EPOCHS,
        learningRate: readOptionalNumber(head.learningRate, `${field}.learningRate`, 1e-9, 10) ?? DEFAULT_SIMPLEX_LEARNING_RATE,
      };
      return nearest === undefined ? spec : { ...spec, nearest };
    }
  }
}

export function isRepresentationMethod(spec: ResolvedExampleSpec): spec is Extract<ResolvedExampleSpec, { method: 'deepKnn' | 'simplex' }> {
  return spec.method === 'deepKnn' || spec.method === 'simplex';
}

export function toExampleSettings(spec: ResolvedExampleSpec): ExampleMethodSpec {
  return { ...spec } as ExampleMethodSpec;
}
