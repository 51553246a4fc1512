/** Argument checks shared by the attribution methods; every message names the argument. */
import type * as tf from '@tensorflow/tfjs-core';

export function shapeText(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

/** The input of every method: one example with a leading batch dimension of 1. */
export function assertSingleExample(input: tf.Tensor, name = 'input'): void {
  if (input.rank < 2 || input.shape[0] !== 1) {
    throw new Error(`${name} must have shape [1, ...exampleShape], got ${shapeText(input.shape)}`);
  }
  if (input.dtype !== 'float32') throw new Error(`${name} must be float32, got ${input.dtype}`);
}

export function assertSameShape(tensor: tf.Tensor, reference: tf.Tensor, name: string, referenceName = 'input'): void {
  if (!sameShape(tensor.shape, reference.shape)) {
    throw new Error(`${name} has shape ${shapeText(tensor.shape)} but ${referenceName} has shape ${shapeText(reference.shape)}`);
  }
}

export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

export function assertInteger(value: number, name: string, min: number, max = Number.MAX_SAFE_INTEGER): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${name} must be an integer in [${min}, ${max}], got ${value}`);
  }
}

export function assertFiniteNumber(value: number, name: string, min = -Infinity): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min) {
    throw new Error(`${name} must be a finite number${min > -Infinity ? ` >= ${min}` : ''}, got ${value}`);
  }
}

export function assertAllFinite(values: ArrayLike<number>, name: string): void {
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) throw new Error(`${name} holds a non-finite value at flat index ${i}`);
  }
}

export function exampleSize(input: tf.Tensor): number {
  return input.size / input.shape[0]!;
}
