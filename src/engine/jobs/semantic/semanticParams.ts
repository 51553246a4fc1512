/**
 * Validation of `semantic/shapley` params: every field is checked before any
 * work starts and unknown keys are refused. Whether a VAE run declares a
 * decoder is checked by the job, once the manifest is read.
 */
import { MAX_SEMANTIC_BACKGROUND, MAX_SEMANTIC_EXAMPLES } from '../../../protocol/engineProtocol';
import { COMMON_FIELDS, readCommon, type CommonParams } from '../attributionJobContext';
import { invalidParam, readEnum, readIndexList, readObject, readOptionalInteger, readOptionalString } from '../paramReader';

export const MAX_FOURIER_BINS = 64;
export const MAX_SEMANTIC_SAMPLES = 100_000;
const MAX_SEED = 2 ** 32 - 1;

export interface SemanticSettings extends CommonParams {
  representation: { kind: 'fourier'; bins?: number } | { kind: 'vae'; manifestPath?: string; checkpoint?: string };
  classIndex?: number;
  testIndices: number[];
  scope: 'local' | 'global';
  background?: number;
  method: 'auto' | 'exact' | 'permutation';
  samples?: number;
  seed: number;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !ArrayBuffer.isView(value);
}

function readRepresentation(value: unknown): SemanticSettings['representation'] {
  if (!isObject(value)) invalidParam('representation', "must be an object { kind: 'fourier', bins? } or { kind: 'vae', manifestPath?, checkpoint? }");
  const kind = readEnum(value.kind, 'representation.kind', ['fourier', 'vae'] as const);
  if (kind === 'vae') {
    const o = readObject(value, 'representation', ['kind', 'manifestPath', 'checkpoint']);
    const spec: SemanticSettings['representation'] = { kind };
    const manifestPath = readOptionalString(o.manifestPath, 'representation.manifestPath');
    const checkpoint = readOptionalString(o.checkpoint, 'representation.checkpoint');
    if (manifestPath !== undefined) spec.manifestPath = manifestPath;
    if (checkpoint !== undefined) spec.checkpoint = checkpoint;
    return spec;
  }
  const o = readObject(value, 'representation', ['kind', 'bins']);
  const bins = readOptionalInteger(o.bins, 'representation.bins', 1, MAX_FOURIER_BINS);
  return bins === undefined ? { kind } : { kind, bins };
}

export function readSemanticParams(params: unknown): SemanticSettings {
  const o = readObject(params, 'params', [...COMMON_FIELDS, 'representation', 'target', 'testIndices', 'scope', 'background', 'method', 'samples', 'seed']);
  const common = readCommon(o);
  const representation = readRepresentation(o.representation);
  const target = readObject(o.target, 'target', ['kind', 'classIndex']);
  readEnum(target.kind, 'target.kind', ['class'] as const);
  const classIndex = readOptionalInteger(target.classIndex, 'target.classIndex', 0);
  const testIndices = readIndexList(o.testIndices, 'testIndices', MAX_SEMANTIC_EXAMPLES);
  const scope = readEnum(o.scope, 'scope', ['local', 'global'] as const);
  const background = readOptionalInteger(o.background, 'background', 1, MAX_SEMANTIC_BACKGROUND);
  const method = o.method === undefined ? 'auto' : readEnum(o.method, 'method', ['auto', 'exact', 'permutation'] as const);
  const samples = readOptionalInteger(o.samples, 'samples', 2, MAX_SEMANTIC_SAMPLES);
  if (samples !== undefined && samples % 2 !== 0) invalidParam('samples', `must be even (permutations are paired with their reverses), got ${samples}`);
  if (samples !== undefined && method === 'exact') invalidParam('samples', "applies to the permutation method, not method 'exact'");
  const seed = readOptionalInteger(o.seed, 'seed', 0, MAX_SEED) ?? 0;
  const settings: SemanticSettings = { ...common, representation, testIndices, scope, method, seed };
  if (classIndex !== undefined) settings.classIndex = classIndex;
  if (background !== undefined) settings.background = background;
  if (samples !== undefined) settings.samples = samples;
  return settings;
}
