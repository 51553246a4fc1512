/**
 * Turns the untrusted method, target and baseline of a request into validated
 * specs: the method's defaults are filled from the example shape and the
 * request-level baseline is folded into the methods that take one, so that
 * the settings that ran are explicit (and the cache key is canonical).
 */
import {
  ATTRIBUTE_METHOD_NAMES,
  type AttributeMethodName,
  type AttributeMethodSpec,
  type AttributeTargetSpec,
} from '../../protocol/engineProtocol';
import { RpcError } from '../../protocol/rpc';
import { AttributionRequestError, parseAttributionRequest, parseBaselineSpec, type AttributionRequest, type BaselineSpec, type FeatureSpec } from '../attribution/requests';
import { DEFAULT_GRADIENT_SHAP_SAMPLES } from '../attribution/gradientShap';
import { DEFAULT_IG_RULE, DEFAULT_IG_STEPS } from '../attribution/integratedGradients';
import { DEFAULT_KERNEL_SHAP_SAMPLES } from '../attribution/kernelShap';
import { DEFAULT_LIME_SAMPLES } from '../attribution/lime';
import { resolveRule, type LrpRuleName } from '../attribution/propagation/lrpRules';
import { DEFAULT_SMOOTH_GRAD_SAMPLES, DEFAULT_SMOOTH_GRAD_SIGMA } from '../attribution/smoothGrad';
import { invalidParam, readInteger, readObject, readOptionalNumber, type JsonObject } from './paramReader';

export interface DeepLiftSpec {
  method: 'deepLift';
  baseline: BaselineSpec;
}

export interface LrpSpec {
  method: 'lrp';
  rule: LrpRuleName;
  epsilon?: number;
  gamma?: number;
  alpha?: number;
  beta?: number;
}

export type PropagationSpec = DeepLiftSpec | LrpSpec;
export type MethodSpec = AttributionRequest | PropagationSpec;

const LRP_RULES: readonly LrpRuleName[] = ['epsilon', 'gamma', 'alphabeta', 'zplus'];
const TARGET_KINDS: readonly AttributeTargetSpec['kind'][] = ['class', 'probabilityWeighted', 'labelFree', 'latentUnit', 'allUnits'];
/** Above this many features, one group per feature makes perturbation methods impractically slow. */
const MAX_DEFAULT_GROUPS = 4096;

export function isPropagation(spec: MethodSpec): spec is PropagationSpec {
  return spec.method === 'deepLift' || spec.method === 'lrp';
}

/** The method's name, checked before the run is loaded so that a typo fails fast. */
export function readMethodName(value: unknown, field = 'method'): AttributeMethodName {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) invalidParam(field, 'must be an object like {"method": "integratedGradients"}');
  const name = (value as JsonObject).method;
  if (typeof name !== 'string' || !(ATTRIBUTE_METHOD_NAMES as readonly string[]).includes(name)) {
    invalidParam(`${field}.method`, `must be one of ${ATTRIBUTE_METHOD_NAMES.join(', ')}, got ${JSON.stringify(name)}`);
  }
  return name as AttributeMethodName;
}

export function parseTarget(value: unknown, field = 'target', options: { allowAllUnits?: boolean } = {}): AttributeTargetSpec {
  const kind = (value as JsonObject | null)?.kind;
  if (typeof value !== 'object' || value === null || typeof kind !== 'string' || !(TARGET_KINDS as readonly string[]).includes(kind)) {
    invalidParam(`${field}.kind`, `must be one of ${TARGET_KINDS.join(', ')}, got ${JSON.stringify(kind)}`);
  }
  switch (kind as AttributeTargetSpec['kind']) {
    case 'class': {
      const o = readObject(value, field, ['kind', 'classIndex']);
      return o.classIndex === undefined ? { kind: 'class' } : { kind: 'class', classIndex: readInteger(o.classIndex, `${field}.classIndex`, 0) };
    }
    case 'latentUnit': {
      const o = readObject(value, field, ['kind', 'unit']);
      if (o.unit === undefined) invalidParam(`${field}.unit`, 'is required for a latentUnit target');
      return { kind: 'latentUnit', unit: readInteger(o.unit, `${field}.unit`, 0) };
    }
    case 'allUnits':
      if (options.allowAllUnits === false) invalidParam(`${field}.kind`, 'cannot be allUnits here: pick one unit, labelFree or a class');
      readObject(value, field, ['kind']);
      return { kind: 'allUnits' };
    case 'probabilityWeighted':
    case 'labelFree':
      readObject(value, field, ['kind']);
      return { kind: kind as 'probabilityWeighted' | 'labelFree' };
  }
}

function asInvalidParams<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (error instanceof AttributionRequestError) throw new RpcError('invalidParams', error.message);
    throw error;
  }
}

export function parseBaseline(value: unknown, field = 'baseline'): BaselineSpec | undefined {
  return value === undefined ? undefined : asInvalidParams(() => parseBaselineSpec(value, field));
}

function defaultFeatures(exampleShape: readonly number[]): FeatureSpec {
  const size = exampleShape.reduce((a, b) => a * b, 1);
  if (exampleShape.length === 3 && exampleShape[0]! * exampleShape[1]! >= 4) return { kind: 'superpixels' };
  if (exampleShape.length === 2) {
    // A time series [T, C]: windows of time steps, all channels together.
    const window = Math.max(1, Math.ceil(exampleShape[0]! / 32));
    const channels = exampleShape[1]!;
    return { kind: 'mask', values: Int32Array.from({ length: size }, (_, i) => Math.floor(Math.floor(i / channels) / window)) };
  }
  if (size > MAX_DEFAULT_GROUPS) {
    invalidParam('method.features', `is required for examples of shape [${exampleShape.join(', ')}] (${size} features)`);
  }
  return { kind: 'mask', values: Int32Array.from({ length: size }, (_, i) => i) };
}

function defaultOcclusionWindow(exampleShape: readonly number[]): { window: number[]; strides: number[] } {
  if (exampleShape.length === 3) {
    const side = Math.max(1, Math.round(Math.min(exampleShape[0]!, exampleShape[1]!) / 7));
    const stride = Math.max(1, Math.ceil(side / 2));
    return { window: [side, side], strides: [stride, stride] };
  }
  if (exampleShape.length === 2) {
    const window = Math.max(1, Math.ceil(exampleShape[0]! / 32));
    return { window: [window], strides: [window] };
  }
  return { window: exampleShape.map(() => 1), strides: exampleShape.map(() => 1) };
}

/** The registry's own defaults, written out so the reply says what ran and equal requests share a cache key. */
const RUN_DEFAULTS: Record<string, JsonObject> = {
  integratedGradients: { steps: DEFAULT_IG_STEPS, rule: DEFAULT_IG_RULE },
  gradientShap: { samples: DEFAULT_GRADIENT_SHAP_SAMPLES, sigma: 0, seed: 0 },
  smoothGrad: { mode: 'smoothgrad', samples: DEFAULT_SMOOTH_GRAD_SAMPLES, sigma: DEFAULT_SMOOTH_GRAD_SIGMA, seed: 0 },
  kernelShap: { samples: DEFAULT_KERNEL_SHAP_SAMPLES, seed: 0 },
  lime: { samples: DEFAULT_LIME_SAMPLES, seed: 0 },
};

const TAKES_BASELINE = new Set(['integratedGradients', 'occlusion', 'featureAblation', 'kernelShap', 'lime', 'deepLift']);

/** Folds the request-level baseline in and fills defaults, on a copy of the raw settings. */
function withDefaults(raw: JsonObject, baseline: BaselineSpec | undefined, exampleShape: readonly number[], field: string): JsonObject {
  const o: JsonObject = { ...raw };
  const name = o.method as string;
  if (TAKES_BASELINE.has(name)) {
    if (o.baseline !== undefined && baseline !== undefined) invalidParam(`${field}.baseline`, 'and baseline are both given; name the baseline once');
    o.baseline ??= baseline ?? { kind: 'zeros' };
  }
  if (name === 'gradientShap') {
    if (o.baselines !== undefined && baseline !== undefined) invalidParam(`${field}.baselines`, 'and baseline are both given; name the baseline once');
    o.baselines ??= baseline ?? 'reference';
  }
  if (name === 'smoothGrad') {
    const base = o.base ?? { method: 'saliency' };
    if (typeof base !== 'object' || base === null || Array.isArray(base)) invalidParam(`${field}.base`, 'must be an object like {"method": "saliency"}');
    o.base = withDefaults(base as JsonObject, baseline, exampleShape, `${field}.base`);
  }
  if ((name === 'featureAblation' || name === 'kernelShap' || name === 'lime') && o.features === undefined) o.features = defaultFeatures(exampleShape);
  if (name === 'occlusion' && o.window === undefined) Object.assign(o, defaultOcclusionWindow(exampleShape));
  if (name === 'lrp') o.rule ??= 'epsilon';
  Object.assign(o, { ...RUN_DEFAULTS[name], ...o });
  return o;
}

function parseLrp(o: JsonObject, field: string): LrpSpec {
  readObject(o, field, ['method', 'rule', 'epsilon', 'gamma', 'alpha', 'beta']);
  const rule = o.rule as LrpRuleName;
  if (!LRP_RULES.includes(rule)) invalidParam(`${field}.rule`, `must be one of ${LRP_RULES.join(', ')}, got ${JSON.stringify(o.rule)}`);
  const spec: LrpSpec = { method: 'lrp', rule };
  for (const key of ['epsilon', 'gamma', 'alpha', 'beta'] as const) {
    const value = readOptionalNumber(o[key], `${field}.${key}`, 0, 1e6);
    if (value !== undefined) spec[key] = value;
  }
  try {
    resolveRule(spec);
  } catch (error) {
    invalidParam(field, (error as Error).message);
  }
  return spec;
}

/**
 * The full, validated method spec for examples of `exampleShape`; `baseline`
 * is the request-level one (already parsed). Every error names its field.
 */
export function resolveMethodSpec(value: unknown, baseline: BaselineSpec | undefined, exampleShape: readonly number[], field = 'method'): MethodSpec {
  const name = readMethodName(value, field);
  const filled = withDefaults(value as JsonObject, baseline, exampleShape, field);
  if (name === 'lrp') return parseLrp(filled, field);
  if (name === 'deepLift') {
    const o = readObject(filled, field, ['method', 'baseline']);
    return { method: 'deepLift', baseline: asInvalidParams(() => parseBaselineSpec(o.baseline, `${field}.baseline`)) };
  }
  return asInvalidParams(() => parseAttributionRequest(filled, field));
}

/** Whether a request-level baseline reaches this method (it is ignored by saliency, gradient x input and LRP). */
export function takesBaseline(spec: MethodSpec): boolean {
  if (spec.method === 'smoothGrad') return takesBaseline(spec.base);
  return TAKES_BASELINE.has(spec.method) || spec.method === 'gradientShap';
}

export function toSettings(spec: MethodSpec): AttributeMethodSpec {
  return spec as unknown as AttributeMethodSpec;
}

