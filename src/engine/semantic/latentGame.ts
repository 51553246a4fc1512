/**
 * The latent game: z(x) and z(x') for every background example, the feature of
 * each latent entry, and batched evaluation of hybrids z_S(x) ⊔ z_S̄(x'_m):
 * each batch is spliced on the device, decoded and scored in one call each.
 */
import * as tf from '@tensorflow/tfjs-core';
import { forEachChunk, throwIfAborted } from '../attribution/chunking';
import { featureGroups } from '../attribution/featureMask';
import { sameShape, shapeText } from '../attribution/validate';
import type { ScoreFunction, SemanticProgress, SemanticRepresentation, SemanticRunOptions } from './types';

export interface LatentGame {
  /** Shape of one latent, without the batch dimension. */
  latentShape: number[];
  latentSize: number;
  /** z(x), [1, L]. */
  input: tf.Tensor2D;
  /** z(x'_m) for every background example, [M, L]. */
  background: tf.Tensor2D;
  backgroundCount: number;
  /** Contiguous feature index of every latent entry, length L. */
  featureOf: Int32Array;
  features: number;
  /** The caller's id of each feature, ascending. */
  featureIds: number[];
  featureNames?: string[];
  dispose(): void;
}

/** Checks that t is [batch, ...] float32; names the callback and argument in the message. */
function checkBatch(t: tf.Tensor, batch: number, what: string): void {
  if (t.rank < 1 || t.shape[0] !== batch) throw new Error(`${what} must keep the batch dimension ${batch}, got shape ${shapeText(t.shape)}`);
}

export function assertExamples(x: tf.Tensor, name: string, single: boolean): void {
  if (!(x instanceof tf.Tensor)) throw new Error(`${name} must be a tf.Tensor`);
  if (x.rank < 2) throw new Error(`${name} must have shape [${single ? '1' : 'N'}, ...exampleShape], got ${shapeText(x.shape)}`);
  if (single && x.shape[0] !== 1) throw new Error(`${name} must hold one example, shape [1, ...exampleShape], got ${shapeText(x.shape)}`);
  if (x.shape[0] === 0) throw new Error(`${name} holds no example, shape ${shapeText(x.shape)}`);
  if (x.dtype !== 'float32') throw new Error(`${name} must be float32, got ${x.dtype}`);
}

export function assertRepresentation(representation: SemanticRepresentation, score: unknown): void {
  if (typeof representation?.encode !== 'function') throw new Error('representation.encode must be a function');
  if (typeof representation.decode !== 'function') throw new Error('representation.decode must be a function');
  if (typeof score !== 'function') throw new Error('score must be a function');
}

/** Encodes [N, ...] in chunks into one [N, L] tensor; every latent must have `latentShape` when given. */
export async function encodeFlat(
  encode: (x: tf.Tensor) => tf.Tensor,
  x: tf.Tensor,
  name: string,
  batchSize: number,
  signal: AbortSignal | undefined,
  latentShape?: number[],
): Promise<{ flat: tf.Tensor2D; latentShape: number[] }> {
  const count = x.shape[0]!;
  const parts: tf.Tensor2D[] = [];
  let shape = latentShape;
  try {
    for (let start = 0; start < count; start += batchSize) {
      throwIfAborted(signal);
      const n = Math.min(batchSize, count - start);
      const part = tf.tidy(() => {
        const z = encode(tf.slice(x, start, n));
        if (!(z instanceof tf.Tensor)) throw new Error(`representation.encode must return a tf.Tensor (encoding ${name})`);
        checkBatch(z, n, `representation.encode (encoding ${name})`);
        if (z.dtype !== 'float32') throw new Error(`representation.encode must return float32 (encoding ${name}), got ${z.dtype}`);
        const exampleShape = z.shape.slice(1);
        if (shape === undefined) shape = exampleShape;
        else if (!sameShape(shape, exampleShape)) {
          throw new Error(`representation.encode gives latents of shape ${shapeText(exampleShape)} for ${name} but ${shapeText(shape)} for the input`);
        }
        return tf.reshape(z, [n, -1]) as tf.Tensor2D;
      });
      parts.push(part);
    }
    const flat = parts.length === 1 ? parts[0]! : tf.concat(parts, 0);
    if (parts.length > 1) tf.dispose(parts);
    return { flat, latentShape: shape! };
  } catch (error) {
    tf.dispose(parts);
    throw error;
  }
}

/** Encodes the input and the background and resolves the feature of every latent entry. */
export async function buildLatentGame(
  representation: SemanticRepresentation,
  input: tf.Tensor,
  background: tf.Tensor | tf.Tensor2D,
  batchSize: number,
  signal?: AbortSignal,
): Promise<LatentGame> {
  const encodedInput = await encodeFlat(representation.encode, input, 'input', batchSize, signal);
  let encodedBackground: tf.Tensor2D;
  try {
    encodedBackground = (await encodeFlat(representation.encode, background, 'background', batchSize, signal, encodedInput.latentShape)).flat;
  } catch (error) {
    encodedInput.flat.dispose();
    throw error;
  }
  return latentGameFromEncoded(representation, encodedInput.flat, encodedInput.latentShape, encodedBackground);
}

/** A game over already encoded latents; it takes ownership of both tensors (and disposes them if it throws). */
export async function latentGameFromEncoded(
  representation: SemanticRepresentation,
  input: tf.Tensor2D,
  latentShape: number[],
  background: tf.Tensor2D,
): Promise<LatentGame> {
  const latentSize = input.shape[1]!;
  try {
    let groups: { ids: Int32Array; count: number; originalIds: number[] };
    if (representation.features === undefined) {
      const ids = Int32Array.from({ length: latentSize }, (_, i) => i);
      groups = { ids, count: latentSize, originalIds: Array.from(ids) };
    } else {
      const reference = tf.zeros([1, ...latentShape]);
      try {
        groups = await featureGroups(representation.features, reference, 'representation.features');
      } finally {
        reference.dispose();
      }
    }
    const names = representation.featureNames;
    if (names !== undefined && (!Array.isArray(names) || names.length !== groups.count)) {
      throw new Error(`representation.featureNames must hold one name per feature (${groups.count}), got ${Array.isArray(names) ? names.length : typeof names}`);
    }
    const game: LatentGame = {
      latentShape,
      latentSize,
      input,
      background,
      backgroundCount: background.shape[0]!,
      featureOf: groups.ids,
      features: groups.count,
      featureIds: groups.originalIds,
      ...(names ? { featureNames: [...names] } : {}),
      dispose: () => tf.dispose([game.input, game.background]),
    };
    return game;
  } catch (error) {
    tf.dispose([input, background]);
    throw error;
  }
}

/**
 * Writes the coalition of hybrid k into `present` (0/1 per feature, zeroed
 * beforehand) and returns the index of its background example.
 */
export type HybridFill = (k: number, present: Int32Array) => number;

export interface HybridRunOptions extends SemanticRunOptions {
  /** This run's share [offset, offset + span] of the caller's progress, and its label. */
  progressOffset?: number;
  progressSpan?: number;
  label?: string;
}

/** f_y(x(hybrid_k)) for k in [0, count), decoded and scored batch by batch. */
export async function evaluateHybrids(
  game: LatentGame,
  decode: (z: tf.Tensor) => tf.Tensor,
  score: ScoreFunction,
  count: number,
  fill: HybridFill,
  options: HybridRunOptions,
): Promise<Float64Array> {
  const d = game.features;
  const outputs = new Float64Array(count);
  const offset = options.progressOffset ?? 0;
  const span = options.progressSpan ?? 1;
  const label = options.label ?? 'semantic Shapley';
  const report: SemanticProgress | undefined = options.onProgress;
  const featureOf = game.featureOf;
  await forEachChunk(
    count,
    {
      ...(options.batchSize !== undefined ? { batchSize: options.batchSize } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
      ...(report ? { onProgress: (fraction: number) => report(offset + span * fraction, `${label}: ${Math.round(fraction * count)} of ${count} hybrids scored`) } : {}),
    },
    async (start, end) => {
      const n = end - start;
      const present = new Int32Array(n * d);
      const which = new Int32Array(n);
      for (let k = start; k < end; k++) {
        const row = present.subarray((k - start) * d, (k - start + 1) * d);
        const m = fill(k, row);
        if (!Number.isInteger(m) || m < 0 || m >= game.backgroundCount) throw new Error(`hybrid ${k} asks for background example ${m} of ${game.backgroundCount}`);
        which[k - start] = m;
      }
      const scores = tf.tidy(() => {
        const mask = tf.cast(tf.gather(tf.tensor2d(present, [n, d], 'int32'), tf.tensor1d(featureOf, 'int32'), 1), 'bool');
        const fromBackground = tf.gather(game.background, tf.tensor1d(which, 'int32'));
        const hybrid = tf.reshape(tf.where(mask, tf.tile(game.input, [n, 1]), fromBackground), [n, ...game.latentShape]);
        const decoded = decode(hybrid);
        if (!(decoded instanceof tf.Tensor)) throw new Error('representation.decode must return a tf.Tensor');
        checkBatch(decoded, n, 'representation.decode');
        const out = score(decoded);
        if (!(out instanceof tf.Tensor) || out.rank !== 1 || out.shape[0] !== n) {
          throw new Error(`score must map a batch of ${n} to shape [${n}], got ${out instanceof tf.Tensor ? shapeText(out.shape) : typeof out}`);
        }
        return out;
      });
      try {
        const values = await scores.data();
        for (let i = 0; i < n; i++) {
          if (!Number.isFinite(values[i])) throw new Error(`score returned ${values[i]} for hybrid ${start + i}`);
        }
        outputs.set(values, start);
      } finally {
        scores.dispose();
      }
    },
  );
  return outputs;
}
