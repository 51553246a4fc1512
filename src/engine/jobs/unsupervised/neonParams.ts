/**
 * Validation of `unsupervised/neon` params: every field is checked before any
 * work starts, unknown keys are refused, and settings that belong to another
 * model or explanation are refused with the field named.
 */
import {
  MAX_NEON_EXAMPLES,
  MAX_NEON_FIT_EXAMPLES,
  NEON_EXPLAINED,
  NEON_SPACES,
  type NeonExplained,
  type NeonSpace,
} from '../../../protocol/engineProtocol';
import { COMMON_FIELDS, readCommon, type CommonParams } from '../attributionJobContext';
import { invalidParam, readEnum, readIndexList, readObject, readOptionalInteger, readOptionalNumber } from '../paramReader';

export const DEFAULT_KMEANS_RESTARTS = 10;
export const MAX_KMEANS_CLUSTERS = 256;
export const MAX_KMEANS_RESTARTS = 100;
export const DEFAULT_NEON_FEATURES = 2500;
export const MAX_NEON_FEATURES = 20_000;
export const DEFAULT_NEON_DRAWS = 10;
export const MAX_NEON_DRAWS = 100;
const MAX_SEED = 2 ** 32 - 1;
const MAX_SCALE = 1e12;

export type ResolvedNeonModel = { kind: 'kmeans'; k: number; nInit: number; seed: number } | { kind: 'kde'; gamma?: number };

export interface NeonSettings extends CommonParams {
  space: NeonSpace;
  model: ResolvedNeonModel;
  explain: NeonExplained;
  testIndices: number[];
  beta?: number;
  /** Inlierness only. */
  features?: number;
  draws?: number;
  /** As asked; the job resolves the default against the training set. */
  fitExamples?: number;
  seed: number;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !ArrayBuffer.isView(value);
}

function readModel(value: unknown, seed: number): ResolvedNeonModel {
  if (!isObject(value)) invalidParam('model', "must be an object { kind: 'kmeans', k, nInit?, seed? } or { kind: 'kde', gamma? }");
  const kind = readEnum(value.kind, 'model.kind', ['kmeans', 'kde'] as const);
  if (kind === 'kmeans') {
    const o = readObject(value, 'model', ['kind', 'k', 'nInit', 'seed']);
    if (o.k === undefined) invalidParam('model.k', 'is required for k-means (2 or more clusters)');
    const k = readOptionalInteger(o.k, 'model.k', 2, MAX_KMEANS_CLUSTERS)!;
    return {
      kind,
      k,
      nInit: readOptionalInteger(o.nInit, 'model.nInit', 1, MAX_KMEANS_RESTARTS) ?? DEFAULT_KMEANS_RESTARTS,
      seed: readOptionalInteger(o.seed, 'model.seed', 0, MAX_SEED) ?? seed,
    };
  }
  const o = readObject(value, 'model', ['kind', 'gamma']);
  const gamma = readOptionalNumber(o.gamma, 'model.gamma', 0, MAX_SCALE);
  if (gamma === 0) invalidParam('model.gamma', 'must be a positive number, got 0');
  return gamma === undefined ? { kind } : { kind, gamma };
}

const NEEDS: Record<NeonExplained, 'kmeans' | 'kde'> = { clusterMembership: 'kmeans', outlierness: 'kde', inlierness: 'kde' };

export function readNeonParams(params: unknown): NeonSettings {
  const o = readObject(params, 'params', [...COMMON_FIELDS, 'space', 'model', 'explain', 'testIndices', 'beta', 'features', 'draws', 'fitExamples', 'seed']);
  const common = readCommon(o);
  const space = readEnum(o.space, 'space', NEON_SPACES);
  const explain = readEnum(o.explain, 'explain', NEON_EXPLAINED);
  const seed = readOptionalInteger(o.seed, 'seed', 0, MAX_SEED) ?? 0;
  const model = readModel(o.model, seed);
  if (NEEDS[explain] !== model.kind) invalidParam('explain', `'${explain}' needs model.kind '${NEEDS[explain]}', got '${model.kind}'`);
  const testIndices = readIndexList(o.testIndices, 'testIndices', MAX_NEON_EXAMPLES);
  const beta = readOptionalNumber(o.beta, 'beta', 0, MAX_SCALE);
  if (beta === 0) invalidParam('beta', 'must be a positive number, got 0');
  if (beta !== undefined && explain === 'inlierness') invalidParam('beta', "applies to clusterMembership and outlierness (their soft-argmin), not 'inlierness'");
  const features = readOptionalInteger(o.features, 'features', 1, MAX_NEON_FEATURES);
  const draws = readOptionalInteger(o.draws, 'draws', 2, MAX_NEON_DRAWS);
  if (explain !== 'inlierness') {
    if (features !== undefined) invalidParam('features', `applies to explain 'inlierness' (random Fourier features), not '${explain}'`);
    if (draws !== undefined) invalidParam('draws', `applies to explain 'inlierness' (error bars over random-feature draws), not '${explain}'`);
  }
  const fitExamples = readOptionalInteger(o.fitExamples, 'fitExamples', 2, MAX_NEON_FIT_EXAMPLES);
  if (fitExamples !== undefined && model.kind === 'kmeans' && fitExamples < model.k) invalidParam('fitExamples', `is ${fitExamples}, fewer than model.k = ${model.k} clusters`);
  const settings: NeonSettings = { ...common, space, model, explain, testIndices, seed };
  if (beta !== undefined) settings.beta = beta;
  if (explain === 'inlierness') {
    settings.features = features ?? DEFAULT_NEON_FEATURES;
    settings.draws = draws ?? DEFAULT_NEON_DRAWS;
  }
  if (fitExamples !== undefined) settings.fitExamples = fitExamples;
  return settings;
}
