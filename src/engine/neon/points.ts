/**
 * Points in R^d as one row-major buffer, the shape every NEON model takes its
 * data, centroids and queries in. Distances are accumulated in float64: the
 * neuralised networks must reproduce the models' outputs, and float32 sums of
 * squares over a few hundred dimensions would already disagree in the 5th digit.
 */
import { assertAllFinite, assertFiniteNumber } from '../attribution/validate';
import { checkPositiveInteger } from '../examples/cancel';

export interface Points {
  /** Row-major [count, dim]. */
  values: Float32Array | Float64Array;
  count: number;
  dim: number;
}

export function checkPoints(points: Points, name: string): void {
  if (typeof points !== 'object' || points === null) throw new Error(`${name} must be an object { values, count, dim }`);
  if (!(points.values instanceof Float32Array || points.values instanceof Float64Array)) throw new Error(`${name}.values must be a Float32Array or Float64Array`);
  checkPositiveInteger(points.count, `${name}.count`);
  checkPositiveInteger(points.dim, `${name}.dim`);
  if (points.values.length !== points.count * points.dim) {
    throw new Error(`${name}.values has ${points.values.length} numbers, expected count * dim = ${points.count * points.dim}`);
  }
  assertAllFinite(points.values, `${name}.values`);
}

/** A query point: `dim` finite numbers. */
export function checkQuery(x: ArrayLike<number>, dim: number, name: string): void {
  if (x === null || typeof x !== 'object' || typeof x.length !== 'number') throw new Error(`${name} must be an array of numbers`);
  if (x.length !== dim) throw new Error(`${name} has ${x.length} values, the model's points have ${dim}`);
  assertAllFinite(x, name);
}

export function checkPositive(value: number, name: string): void {
  assertFiniteNumber(value, name);
  if (value <= 0) throw new Error(`${name} must be a finite positive number, got ${value}`);
}

export function row(points: Points, index: number): Float32Array | Float64Array {
  return points.values.subarray(index * points.dim, (index + 1) * points.dim);
}

/** ‖x − p_k‖² for every row k. */
export function squaredDistances(points: Points, x: ArrayLike<number>): Float64Array {
  const out = new Float64Array(points.count);
  const { values, dim } = points;
  for (let k = 0; k < points.count; k++) {
    let sum = 0;
    const offset = k * dim;
    for (let i = 0; i < dim; i++) {
      const diff = x[i]! - values[offset + i]!;
      sum += diff * diff;
    }
    out[k] = sum;
  }
  return out;
}
