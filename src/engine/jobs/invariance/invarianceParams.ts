/**
 * Validation of `vae/invariance` params: every field is checked before any
 * work starts, unknown keys are refused, and a field that does not apply to
 * the asked kind is refused by name. Whether the run is a supervised VAE is
 * checked by the job, once the manifest is read.
 */
import {
  DEFAULT_INVARIANCE_CURVE_COUNT,
  DEFAULT_INVARIANCE_CURVE_EXAMPLES,
  DEFAULT_INVARIANCE_SAMPLES,
  DEFAULT_INVARIANCE_SIGMAS,
  INVARIANCE_KINDS,
  MAX_INVARIANCE_COUNT,
  MAX_INVARIANCE_CURVE_EXAMPLES,
  MAX_INVARIANCE_EXAMPLES,
  type InvarianceKind,
} from '../../../protocol/engineProtocol';
import { COMMON_FIELDS, readCommon, type CommonParams } from '../attributionJobContext';
import { describe, invalidParam, readEnum, readIndexList, readObject, readOptionalInteger, readOptionalNumber } from '../paramReader';

const MAX_SEED = 2 ** 32 - 1;
export const MAX_INVARIANCE_SIGMA = 100;
export const MAX_INVARIANCE_SIGMAS = 32;
export const DEFAULT_COUNTERFACTUAL_BACKGROUND = 1000;
export const MAX_COUNTERFACTUAL_BACKGROUND = 100_000;
export const DEFAULT_STEP_SIZE = 0.05;
export const DEFAULT_MAX_STEP = 2;
/** At most this many points on one counterfactual line. */
export const MAX_COUNTERFACTUAL_STEPS = 10_000;
export const DEFAULT_DIVERGENCE_BACKGROUND = 32;
export const MAX_DIVERGENCE_BACKGROUND = 1024;
export const DEFAULT_DIVERGENCE_SAMPLES = 50;
export const MAX_DIVERGENCE_SAMPLES = 10_000;

interface Base extends CommonParams {
  seed: number;
}

export type InvarianceSettings =
  | (Base & { kind: 'samples'; testIndices: number[]; count: number; sigma: number })
  | (Base & { kind: 'curve'; testIndices?: number[]; examples: number; sigmas: number[]; count: number })
  | (Base & { kind: 'counterfactuals'; testIndices: number[]; background: number; stepSize: number; maxStep: number; criterion: 'latent' | 'decoded' })
  | (Base & { kind: 'divergence'; testIndices: number[]; baseline: 'train' | 'invariant'; background: number; sigma: number; samples: number; noise: number });

const KIND_FIELDS: Record<InvarianceKind, readonly string[]> = {
  samples: ['testIndices', 'count', 'sigma'],
  curve: ['testIndices', 'examples', 'sigmas', 'count'],
  counterfactuals: ['testIndices', 'background', 'stepSize', 'maxStep', 'criterion'],
  divergence: ['testIndices', 'baseline', 'background', 'sigma', 'samples', 'noise'],
};

function readSigma(value: unknown, field: string): number | undefined {
  const sigma = readOptionalNumber(value, field, 0, MAX_INVARIANCE_SIGMA);
  if (sigma === 0) invalidParam(field, 'must be greater than 0');
  return sigma;
}

function readSigmas(value: unknown): number[] {
  if (value === undefined) return [...DEFAULT_INVARIANCE_SIGMAS];
  if (!Array.isArray(value) || value.length === 0 || value.length > MAX_INVARIANCE_SIGMAS) invalidParam('sigmas', `must be a list of 1 to ${MAX_INVARIANCE_SIGMAS} numbers, got ${describe(value)}`);
  return value.map((v, i) => readSigma(v, `sigmas[${i}]`) ?? invalidParam(`sigmas[${i}]`, 'is missing'));
}

export function readInvarianceParams(params: unknown): InvarianceSettings {
  const raw = readObject(params, 'params', [...COMMON_FIELDS, 'kind', 'seed', ...new Set(Object.values(KIND_FIELDS).flat())]);
  const kind = readEnum(raw.kind, 'kind', INVARIANCE_KINDS);
  for (const key of Object.keys(raw)) {
    if (raw[key] === undefined || key === 'kind' || key === 'seed' || (COMMON_FIELDS as readonly string[]).includes(key)) continue;
    if (!KIND_FIELDS[kind].includes(key)) {
      const owners = INVARIANCE_KINDS.filter((k) => KIND_FIELDS[k].includes(key));
      invalidParam(key, `applies to kind ${owners.map((k) => `'${k}'`).join(' or ')}, not '${kind}'`);
    }
  }
  const o = readObject(params, 'params', [...COMMON_FIELDS, 'kind', 'seed', ...KIND_FIELDS[kind]]);
  const base: Base = { ...readCommon(o), seed: readOptionalInteger(o.seed, 'seed', 0, MAX_SEED) ?? 0 };
  switch (kind) {
    case 'samples':
      return {
        ...base,
        kind,
        testIndices: readIndexList(o.testIndices, 'testIndices', MAX_INVARIANCE_EXAMPLES),
        count: readOptionalInteger(o.count, 'count', 1, MAX_INVARIANCE_COUNT) ?? DEFAULT_INVARIANCE_SAMPLES,
        sigma: readSigma(o.sigma, 'sigma') ?? 1,
      };
    case 'curve': {
      const settings: InvarianceSettings = {
        ...base,
        kind,
        examples: readOptionalInteger(o.examples, 'examples', 1, MAX_INVARIANCE_CURVE_EXAMPLES) ?? DEFAULT_INVARIANCE_CURVE_EXAMPLES,
        sigmas: readSigmas(o.sigmas),
        count: readOptionalInteger(o.count, 'count', 1, MAX_INVARIANCE_COUNT) ?? DEFAULT_INVARIANCE_CURVE_COUNT,
      };
      if (o.testIndices !== undefined) {
        if (o.examples !== undefined) invalidParam('examples', 'applies when testIndices is absent; give one or the other');
        settings.testIndices = readIndexList(o.testIndices, 'testIndices', MAX_INVARIANCE_CURVE_EXAMPLES);
      }
      return settings;
    }
    case 'counterfactuals': {
      const stepSize = readOptionalNumber(o.stepSize, 'stepSize', 0, 10) ?? DEFAULT_STEP_SIZE;
      if (stepSize === 0) invalidParam('stepSize', 'must be greater than 0');
      const maxStep = readOptionalNumber(o.maxStep, 'maxStep', 0, 100) ?? DEFAULT_MAX_STEP;
      if (maxStep < stepSize) invalidParam('maxStep', `must be at least stepSize (${stepSize}), got ${maxStep}`);
      if (Math.floor(maxStep / stepSize + 1e-9) > MAX_COUNTERFACTUAL_STEPS) invalidParam('maxStep', `/ stepSize is ${Math.floor(maxStep / stepSize)} steps, more than ${MAX_COUNTERFACTUAL_STEPS}`);
      return {
        ...base,
        kind,
        testIndices: readIndexList(o.testIndices, 'testIndices', MAX_INVARIANCE_EXAMPLES),
        background: readOptionalInteger(o.background, 'background', 1, MAX_COUNTERFACTUAL_BACKGROUND) ?? DEFAULT_COUNTERFACTUAL_BACKGROUND,
        stepSize,
        maxStep,
        criterion: o.criterion === undefined ? 'decoded' : readEnum(o.criterion, 'criterion', ['latent', 'decoded'] as const),
      };
    }
    case 'divergence': {
      const baseline = o.baseline === undefined ? 'train' : readEnum(o.baseline, 'baseline', ['train', 'invariant'] as const);
      if (baseline !== 'invariant' && o.sigma !== undefined) invalidParam('sigma', "applies to baseline 'invariant' (the invariant samples' z2), not 'train'");
      return {
        ...base,
        kind,
        testIndices: readIndexList(o.testIndices, 'testIndices', MAX_INVARIANCE_EXAMPLES),
        baseline,
        background: readOptionalInteger(o.background, 'background', 1, MAX_DIVERGENCE_BACKGROUND) ?? DEFAULT_DIVERGENCE_BACKGROUND,
        sigma: readSigma(o.sigma, 'sigma') ?? 1,
        samples: readOptionalInteger(o.samples, 'samples', 1, MAX_DIVERGENCE_SAMPLES) ?? DEFAULT_DIVERGENCE_SAMPLES,
        noise: readOptionalNumber(o.noise, 'noise', 0, MAX_INVARIANCE_SIGMA) ?? 0,
      };
    }
  }
}
