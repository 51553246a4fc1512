/**
 * One request type for every attribution method, so the engine can expose them
 * all through one message. `parseAttributionRequest` validates untrusted
 * settings and names the offending field; unknown fields are rejected.
 */
import { ATTRIBUTE_METHOD_NAMES, type AttributeBaselineSpec } from '../../protocol/engineProtocol';
import { LIME_DISTANCES, LIME_SURROGATES, type LimeDistance, type LimeSurrogate } from './lime';
import { QUADRATURE_RULES, type QuadratureRule } from './quadrature';
import { SMOOTH_GRAD_MODES, type SmoothGradMode } from './smoothGrad';

export type BaselineSpec = AttributeBaselineSpec;

export type FeatureSpec =
  | { kind: 'grid'; cellHeight: number; cellWidth: number }
  | { kind: 'superpixels'; segments?: number; compactness?: number; iterations?: number }
  /** Integer group ids over one example (flat, row-major). */
  | { kind: 'mask'; values: Int32Array };

export interface SaliencyRequest { method: 'saliency'; absolute?: boolean }
export interface GradientXInputRequest { method: 'gradientXInput' }
export interface IntegratedGradientsRequest { method: 'integratedGradients'; steps?: number; rule?: QuadratureRule; baseline?: BaselineSpec }
export interface GradientShapRequest {
  method: 'gradientShap';
  samples?: number;
  sigma?: number;
  seed?: number;
  /** 'reference' draws baselines from the context's reference data (the default when there is some), otherwise one baseline. */
  baselines?: 'reference' | BaselineSpec;
}
export type SmoothableRequest = SaliencyRequest | GradientXInputRequest | IntegratedGradientsRequest | GradientShapRequest;
export interface SmoothGradRequest { method: 'smoothGrad'; base: SmoothableRequest; mode?: SmoothGradMode; samples?: number; sigma?: number; seed?: number }
export interface OcclusionRequest { method: 'occlusion'; window: number[]; strides?: number[]; baseline?: BaselineSpec }
export interface FeatureAblationRequest { method: 'featureAblation'; features: FeatureSpec; baseline?: BaselineSpec }
export interface KernelShapRequest { method: 'kernelShap'; features: FeatureSpec; samples?: number; seed?: number; baseline?: BaselineSpec }
export interface LimeRequest {
  method: 'lime';
  features: FeatureSpec;
  samples?: number;
  seed?: number;
  baseline?: BaselineSpec;
  distance?: LimeDistance;
  kernelWidth?: number;
  surrogate?: LimeSurrogate;
  alpha?: number;
}

export type AttributionRequest =
  | SmoothableRequest
  | SmoothGradRequest
  | OcclusionRequest
  | FeatureAblationRequest
  | KernelShapRequest
  | LimeRequest;

export type AttributionMethodName = AttributionRequest['method'];
// The protocol lists every method the engine answers; the propagation ones are served by propagation/.
export const ATTRIBUTION_METHODS: readonly AttributionMethodName[] = ATTRIBUTE_METHOD_NAMES.filter(
  (name): name is AttributionMethodName => name !== 'deepLift' && name !== 'lrp',
);
const SMOOTHABLE: readonly string[] = ['saliency', 'gradientXInput', 'integratedGradients', 'gradientShap'];

type Json = Record<string, unknown>;

export class AttributionRequestError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AttributionRequestError';
  }
}

function fail(field: string, problem: string): never {
  throw new AttributionRequestError(`${field} ${problem}`);
}

function object(value: unknown, field: string, allowed: readonly string[]): Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || ArrayBuffer.isView(value)) fail(field, 'must be an object');
  const o = value as Json;
  for (const key of Object.keys(o)) if (!allowed.includes(key)) fail(`${field}.${key}`, `is not a known setting (known: ${allowed.join(', ')})`);
  return o;
}

function optionalNumber(value: unknown, field: string, options: { integer?: boolean; min?: number; max?: number; exclusiveMin?: boolean } = {}): number | undefined {
  if (value === undefined) return undefined;
  const { integer = false, min = -Infinity, max = Infinity, exclusiveMin = false } = options;
  const ok = typeof value === 'number' && Number.isFinite(value) && (!integer || Number.isInteger(value)) && (exclusiveMin ? value > min : value >= min) && value <= max;
  if (!ok) {
    const bounds = [min > -Infinity ? `${exclusiveMin ? '>' : '>='} ${min}` : '', max < Infinity ? `<= ${max}` : ''].filter(Boolean).join(' and ');
    fail(field, `must be ${integer ? 'an integer' : 'a finite number'}${bounds ? ` ${bounds}` : ''}, got ${JSON.stringify(value)}`);
  }
  return value as number;
}

function requiredNumber(value: unknown, field: string, options: Parameters<typeof optionalNumber>[2] = {}): number {
  if (value === undefined) fail(field, 'is required');
  return optionalNumber(value, field, options)!;
}

function optionalEnum<T extends string>(value: unknown, field: string, allowed: readonly T[]): T | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) fail(field, `must be one of ${allowed.join(', ')}, got ${JSON.stringify(value)}`);
  return value as T;
}

function optionalBoolean(value: unknown, field: string): boolean | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'boolean') fail(field, 'must be true or false');
  return value;
}

function integerList(value: unknown, field: string, min: number): number[] {
  if (!Array.isArray(value) || value.length === 0 || value.length > 8) fail(field, 'must be a list of 1 to 8 integers');
  return value.map((v, i) => requiredNumber(v, `${field}[${i}]`, { integer: true, min }));
}

const MAX_VALUES = 1 << 26;

function numberArray(value: unknown, field: string): ArrayLike<number> {
  if (value instanceof Float32Array || value instanceof Float64Array || value instanceof Int32Array || value instanceof Uint8Array) return value;
  if (Array.isArray(value) && value.length <= MAX_VALUES) return value as number[];
  return fail(field, 'must be a typed array or a list of numbers');
}

/** Drops absent optional fields, so parsed requests compare equal to hand-written ones. */
function compact<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

export function parseBaselineSpec(value: unknown, field: string): BaselineSpec {
  const kind = (value as Json | null)?.kind;
  switch (kind) {
    case 'zeros':
    case 'mean':
      object(value, field, ['kind']);
      return { kind };
    case 'constant': {
      const o = object(value, field, ['kind', 'value']);
      return { kind, value: requiredNumber(o.value, `${field}.value`) };
    }
    case 'blur': {
      const o = object(value, field, ['kind', 'sigma']);
      return { kind, sigma: requiredNumber(o.sigma, `${field}.sigma`, { min: 0, max: 1000 }) };
    }
    case 'uniform': {
      const o = object(value, field, ['kind', 'low', 'high', 'seed']);
      return compact({ kind, low: optionalNumber(o.low, `${field}.low`), high: optionalNumber(o.high, `${field}.high`), seed: optionalNumber(o.seed, `${field}.seed`, { integer: true }) });
    }
    case 'file': {
      const o = object(value, field, ['kind', 'values', 'shape', 'file']);
      const raw = numberArray(o.values, `${field}.values`);
      const values = raw instanceof Float32Array ? raw : Float32Array.from(raw);
      const shape = integerList(o.shape, `${field}.shape`, 1);
      if (o.file !== undefined && typeof o.file !== 'string') fail(`${field}.file`, 'must be a string');
      return compact({ kind, values, shape, file: o.file as string | undefined });
    }
    default:
      return fail(`${field}.kind`, `must be one of zeros, constant, mean, blur, uniform, file, got ${JSON.stringify(kind)}`);
  }
}

export function parseFeatureSpec(value: unknown, field: string): FeatureSpec {
  const kind = (value as Json | null)?.kind;
  switch (kind) {
    case 'grid': {
      const o = object(value, field, ['kind', 'cellHeight', 'cellWidth']);
      return { kind, cellHeight: requiredNumber(o.cellHeight, `${field}.cellHeight`, { integer: true, min: 1 }), cellWidth: requiredNumber(o.cellWidth, `${field}.cellWidth`, { integer: true, min: 1 }) };
    }
    case 'superpixels': {
      const o = object(value, field, ['kind', 'segments', 'compactness', 'iterations']);
      return compact({
        kind,
        segments: optionalNumber(o.segments, `${field}.segments`, { integer: true, min: 1 }),
        compactness: optionalNumber(o.compactness, `${field}.compactness`, { min: 0 }),
        iterations: optionalNumber(o.iterations, `${field}.iterations`, { integer: true, min: 1, max: 1000 }),
      });
    }
    case 'mask': {
      const o = object(value, field, ['kind', 'values']);
      const raw = numberArray(o.values, `${field}.values`);
      const values = raw instanceof Int32Array ? raw : Int32Array.from(raw);
      for (let i = 0; i < raw.length; i++) if (!Number.isInteger(raw[i]) || raw[i]! < 0 || raw[i] !== values[i]) fail(`${field}.values[${i}]`, `must be a non-negative 32-bit integer, got ${raw[i]}`);
      return { kind, values };
    }
    default:
      return fail(`${field}.kind`, `must be one of grid, superpixels, mask, got ${JSON.stringify(kind)}`);
  }
}

const optionalBaseline = (value: unknown, field: string) => (value === undefined ? undefined : parseBaselineSpec(value, field));
const seedOf = (o: Json, field: string) => optionalNumber(o.seed, `${field}.seed`, { integer: true, min: -(2 ** 31), max: 2 ** 32 - 1 });
const samplesOf = (o: Json, field: string, min = 1) => optionalNumber(o.samples, `${field}.samples`, { integer: true, min, max: 1_000_000 });

export function parseAttributionRequest(value: unknown, field = 'request'): AttributionRequest {
  const method = (value as Json | null)?.method;
  switch (method) {
    case 'saliency': {
      const o = object(value, field, ['method', 'absolute']);
      return compact({ method, absolute: optionalBoolean(o.absolute, `${field}.absolute`) });
    }
    case 'gradientXInput':
      object(value, field, ['method']);
      return { method };
    case 'integratedGradients': {
      const o = object(value, field, ['method', 'steps', 'rule', 'baseline']);
      return compact({
        method,
        steps: optionalNumber(o.steps, `${field}.steps`, { integer: true, min: 1, max: 10_000 }),
        rule: optionalEnum(o.rule, `${field}.rule`, QUADRATURE_RULES),
        baseline: optionalBaseline(o.baseline, `${field}.baseline`),
      });
    }
    case 'gradientShap': {
      const o = object(value, field, ['method', 'samples', 'sigma', 'seed', 'baselines']);
      return compact({
        method,
        samples: samplesOf(o, field),
        sigma: optionalNumber(o.sigma, `${field}.sigma`, { min: 0 }),
        seed: seedOf(o, field),
        baselines: o.baselines === 'reference' ? ('reference' as const) : optionalBaseline(o.baselines, `${field}.baselines`),
      });
    }
    case 'smoothGrad': {
      const o = object(value, field, ['method', 'base', 'mode', 'samples', 'sigma', 'seed']);
      const baseMethod = (o.base as Json | null)?.method;
      if (typeof baseMethod !== 'string' || !SMOOTHABLE.includes(baseMethod)) fail(`${field}.base.method`, `must be one of ${SMOOTHABLE.join(', ')}, got ${JSON.stringify(baseMethod)}`);
      return compact({
        method,
        base: parseAttributionRequest(o.base, `${field}.base`) as SmoothableRequest,
        mode: optionalEnum(o.mode, `${field}.mode`, SMOOTH_GRAD_MODES),
        samples: samplesOf(o, field),
        sigma: optionalNumber(o.sigma, `${field}.sigma`, { min: 0 }),
        seed: seedOf(o, field),
      });
    }
    case 'occlusion': {
      const o = object(value, field, ['method', 'window', 'strides', 'baseline']);
      return compact({
        method,
        window: integerList(o.window, `${field}.window`, 1),
        strides: o.strides === undefined ? undefined : integerList(o.strides, `${field}.strides`, 1),
        baseline: optionalBaseline(o.baseline, `${field}.baseline`),
      });
    }
    case 'featureAblation': {
      const o = object(value, field, ['method', 'features', 'baseline']);
      return compact({ method, features: parseFeatureSpec(o.features, `${field}.features`), baseline: optionalBaseline(o.baseline, `${field}.baseline`) });
    }
    case 'kernelShap': {
      const o = object(value, field, ['method', 'features', 'samples', 'seed', 'baseline']);
      return compact({
        method,
        features: parseFeatureSpec(o.features, `${field}.features`),
        samples: samplesOf(o, field),
        seed: seedOf(o, field),
        baseline: optionalBaseline(o.baseline, `${field}.baseline`),
      });
    }
    case 'lime': {
      const o = object(value, field, ['method', 'features', 'samples', 'seed', 'baseline', 'distance', 'kernelWidth', 'surrogate', 'alpha']);
      return compact({
        method,
        features: parseFeatureSpec(o.features, `${field}.features`),
        samples: samplesOf(o, field, 2),
        seed: seedOf(o, field),
        baseline: optionalBaseline(o.baseline, `${field}.baseline`),
        distance: optionalEnum(o.distance, `${field}.distance`, LIME_DISTANCES),
        kernelWidth: optionalNumber(o.kernelWidth, `${field}.kernelWidth`, { min: 0, exclusiveMin: true }),
        surrogate: optionalEnum(o.surrogate, `${field}.surrogate`, LIME_SURROGATES),
        alpha: optionalNumber(o.alpha, `${field}.alpha`, { min: 0 }),
      });
    }
    default:
      return fail(`${field}.method`, `must be one of ${ATTRIBUTION_METHODS.join(', ')}, got ${JSON.stringify(method)}`);
  }
}
