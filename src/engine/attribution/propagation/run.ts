/** Shared plumbing of the propagation methods: argument checks, chain lifetime, read-back. */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { throwIfAborted } from '../chunking';
import type { RunOptions } from '../types';
import { assertSingleExample, shapeText } from '../validate';
import { buildPropagationChain, type PropagationChain } from './chain';
import { checkLabelFreeChain, validateTarget, type PropagationTarget } from './target';

export function assertModel(model: tfl.LayersModel): void {
  if (typeof model !== 'object' || model === null || !Array.isArray(model.layers) || !Array.isArray(model.inputs)) {
    throw new Error('model must be a tfjs-layers LayersModel');
  }
}

export function assertInputMatches(chain: PropagationChain, input: tf.Tensor, name: string): void {
  const expected = chain.inputShape;
  const actual = input.shape.slice(1);
  if (actual.length !== expected.length || actual.some((d, i) => d !== expected[i])) {
    throw new Error(`${name} has example shape ${shapeText(actual)} but the model expects ${shapeText(expected)}`);
  }
}

/** Validates, builds the chain, runs `body` and always disposes the chain. */
export async function withChain<T>(
  model: tfl.LayersModel,
  input: tf.Tensor,
  target: PropagationTarget,
  options: RunOptions,
  body: (chain: PropagationChain) => T | Promise<T>,
): Promise<T> {
  assertModel(model);
  assertSingleExample(input);
  validateTarget(target);
  throwIfAborted(options.signal);
  const chain = buildPropagationChain(model, { outputLayer: target.outputLayer });
  try {
    checkLabelFreeChain(target, chain);
    assertInputMatches(chain, input, 'input');
    const result = await body(chain);
    options.onProgress?.(1);
    return result;
  } finally {
    chain.dispose();
  }
}

/** Reads scalar tensors and disposes them. */
export async function readScalars(...tensors: tf.Tensor[]): Promise<number[]> {
  try {
    return await Promise.all(tensors.map(async (t) => (await t.data())[0]!));
  } finally {
    tf.dispose(tensors);
  }
}
