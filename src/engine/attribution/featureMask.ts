/**
 * Interpretable features as a mask of integer group ids over the example:
 * normalised to contiguous ids, built from a grid of cells, or broadcast from
 * an H x W segmentation over the channels.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Attribution } from './types';
import { assertInteger, exampleSize, shapeText } from './validate';

export interface FeatureGroups {
  /** Contiguous group id in [0, count) for every feature of one example (flat, row-major). */
  ids: Int32Array;
  count: number;
  /** Flat feature indices of each group. */
  members: Int32Array[];
  /** The caller's id for each contiguous id, ascending. */
  originalIds: number[];
}

export type FeatureMaskInput = tf.Tensor | Int32Array | readonly number[];

/**
 * Accepts a mask shaped like the input ([1, ...]) or like one example, holding
 * non-negative integer ids; ids need not be contiguous.
 */
export async function featureGroups(mask: FeatureMaskInput, input: tf.Tensor, name = 'featureMask'): Promise<FeatureGroups> {
  const size = exampleSize(input);
  let raw: ArrayLike<number>;
  if (mask instanceof tf.Tensor) {
    const okShape = mask.size === size && (mask.rank === input.rank || mask.rank === input.rank - 1);
    if (!okShape) throw new Error(`${name} has shape ${shapeText(mask.shape)} but input has shape ${shapeText(input.shape)}`);
    raw = await mask.data();
  } else {
    if (mask.length !== size) throw new Error(`${name} has ${mask.length} entries but one example of input has ${size}`);
    raw = mask;
  }
  const distinct = new Set<number>();
  for (let i = 0; i < raw.length; i++) {
    const id = raw[i]!;
    if (!Number.isInteger(id) || id < 0) throw new Error(`${name} must hold non-negative integer ids, got ${id} at flat index ${i}`);
    distinct.add(id);
  }
  const originalIds = [...distinct].sort((a, b) => a - b);
  const contiguous = new Map(originalIds.map((id, k) => [id, k]));
  const ids = new Int32Array(size);
  const sizes = new Int32Array(originalIds.length);
  for (let i = 0; i < size; i++) {
    ids[i] = contiguous.get(raw[i]!)!;
    sizes[ids[i]!]++;
  }
  const members = Array.from(sizes, (n) => new Int32Array(n));
  const filled = new Int32Array(originalIds.length);
  for (let i = 0; i < size; i++) members[ids[i]!]![filled[ids[i]!]!++] = i;
  return { ids, count: originalIds.length, members, originalIds };
}

/** Spreads an H x W labelling over the trailing channel dimension of [H, W] or [H, W, C]. */
export function imageDimensions(exampleShape: readonly number[]): { height: number; width: number; channels: number } {
  if (exampleShape.length !== 2 && exampleShape.length !== 3) {
    throw new Error(`image features need an example shape [H, W] or [H, W, C], got ${shapeText(exampleShape)}`);
  }
  return { height: exampleShape[0]!, width: exampleShape[1]!, channels: exampleShape[2] ?? 1 };
}

export function broadcastOverChannels(labels: Int32Array, exampleShape: readonly number[]): Int32Array {
  const { height, width, channels } = imageDimensions(exampleShape);
  if (labels.length !== height * width) throw new Error(`labels have ${labels.length} entries but the image has ${height} x ${width} pixels`);
  const out = new Int32Array(height * width * channels);
  for (let p = 0; p < height * width; p++) out.fill(labels[p]!, p * channels, (p + 1) * channels);
  return out;
}

/** Cells of cellHeight x cellWidth pixels (the last row/column of cells may be smaller), numbered row-major. */
export function gridMask(exampleShape: readonly number[], cellHeight: number, cellWidth: number): Int32Array {
  const { height, width } = imageDimensions(exampleShape);
  assertInteger(cellHeight, 'cellHeight', 1, height);
  assertInteger(cellWidth, 'cellWidth', 1, width);
  const columns = Math.ceil(width / cellWidth);
  const labels = new Int32Array(height * width);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) labels[y * width + x] = Math.floor(y / cellHeight) * columns + Math.floor(x / cellWidth);
  }
  return broadcastOverChannels(labels, exampleShape);
}

/** Per-group values written back onto the example: every feature gets its group's value. */
export function spreadOverFeatures(groups: FeatureGroups, values: ArrayLike<number>): Float32Array {
  const out = new Float32Array(groups.ids.length);
  for (let i = 0; i < out.length; i++) out[i] = values[groups.ids[i]!]!;
  return out;
}

/** A result over interpretable features: their values, and the mask that maps them onto the example. */
export interface GroupAttribution extends Attribution {
  /** Every feature carries its group's value (Captum's convention), shaped like the input. */
  attributions: tf.Tensor;
  /** `sum` is over `featureValues`, one term per group, not over the spread-out tensor. */
  completeness?: { sum: number; expected: number };
  /** One value per group, in contiguous-id order. */
  featureValues: Float64Array;
  /** Contiguous group id of every feature of one example (flat). */
  featureIds: Int32Array;
}
