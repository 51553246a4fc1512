/**
 * Hessian-vector products of the mean training loss with respect to the
 * relevant parameters (same flattened order as `parameterLayout`).
 *
 * Double backprop does not work in tfjs-core 4.22: nested tf.variableGrads
 * throws "Cannot find a connection between any variable and the result", and
 * tf.grad(tf.grad(f)) silently returns zeros (measured on sum(tanh(u·x))),
 * because the engine does not connect the inner backward pass to the outer
 * tape. So every product is a central finite difference of gradients,
 *   Hv ≈ (∇L(θ + εv) − ∇L(θ − εv)) / 2ε,  ε = relativeStep · max(‖θ‖, 1) / ‖v‖,
 * which needs first derivatives only; `mode` records that.
 *
 * Vectors cross the API as Float32Array: the callers (LiSSA, Arnoldi) do
 * their recurrences on the CPU in float64.
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { LossSpec } from '../../protocol/manifest';
import { feedShape } from '../losses/modelShapes';
import { perExampleLoss } from '../losses/perExampleLoss';
import { parameterLayout, relevantLayersOf, type ParameterBlock } from './perExampleGradients';

/** The only mode that gives correct results on tfjs 4.22 (see the header). */
export type HvpMode = 'finiteDifferences';

export interface TrainingSet {
  values: Float32Array;
  count: number;
  exampleShape: number[];
  labels?: Int32Array;
}

export interface HessianOptions {
  relevantLayers?: readonly string[];
  /** Examples per forward/backward pass when averaging over many examples; default 256. */
  batchSize?: number;
  /** ε = relativeStep · max(‖θ‖, 1) / ‖v‖ for finite differences; default 1e-3 (float32). */
  relativeStep?: number;
}

export interface HessianOperator {
  parameters: ParameterBlock[];
  parameterCount: number;
  count: number;
  mode: HvpMode;
  /** H v for the mean loss over `indices` (all training examples when absent). */
  hvp(v: Float32Array, indices?: readonly number[]): Float32Array;
  /** ∇L of the mean loss over `indices` (all when absent). */
  gradient(indices?: readonly number[]): Float32Array;
}

export function checkTrainingSet(train: TrainingSet, name = 'train'): void {
  if (!(train.values instanceof Float32Array)) throw new Error(`${name}.values must be a Float32Array`);
  if (!Number.isInteger(train.count) || train.count < 1) throw new Error(`${name}.count must be a positive integer, got ${train.count}`);
  if (!Array.isArray(train.exampleShape) || train.exampleShape.length === 0 || !train.exampleShape.every((d) => Number.isInteger(d) && d > 0)) {
    throw new Error(`${name}.exampleShape must be a non-empty list of positive integers, got ${JSON.stringify(train.exampleShape)}`);
  }
  const expected = train.count * tf.util.sizeFromShape(train.exampleShape);
  if (train.values.length !== expected) throw new Error(`${name}.values has ${train.values.length} numbers but ${train.count} examples need ${expected}`);
  if (train.labels && train.labels.length !== train.count) throw new Error(`${name}.labels has ${train.labels.length} labels for ${train.count} examples`);
}

function norm(v: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i]! * v[i]!;
  return Math.sqrt(s);
}

/** The Hessian operator of `loss` on `train`, for the relevant layers of `model`. */
export function hessianOperator(model: tfl.LayersModel, loss: LossSpec, train: TrainingSet, options: HessianOptions = {}): HessianOperator {
  checkTrainingSet(train);
  if (loss.kind === 'crossEntropy' && !train.labels) throw new Error('train.labels are required by the crossEntropy loss');
  const batchSize = options.batchSize ?? 256;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`options.batchSize must be a positive integer, got ${batchSize}`);
  const relativeStep = options.relativeStep ?? 1e-3;
  if (!(relativeStep > 0 && Number.isFinite(relativeStep))) throw new Error(`options.relativeStep must be a positive number, got ${relativeStep}`);
  const { relevant } = relevantLayersOf(model, options.relevantLayers);
  const parameters = parameterLayout(relevant);
  const variables = relevant.flatMap((layer) => layer.trainableWeights.map((w) => w.read() as tf.Variable));
  const parameterCount = parameters.reduce((s, p) => s + p.size, 0);
  const size = tf.util.sizeFromShape(train.exampleShape);
  const shape = feedShape(model, train.exampleShape);

  const checkIndices = (indices: readonly number[] | undefined): readonly number[] => {
    if (indices === undefined) return Array.from({ length: train.count }, (_, i) => i);
    if (indices.length === 0) throw new Error('indices must not be empty');
    indices.forEach((i, k) => {
      if (!Number.isInteger(i) || i < 0 || i >= train.count) throw new Error(`indices[${k}] = ${i} is not a training example index (0..${train.count - 1})`);
    });
    return indices;
  };

  /** Sum over the chunk's examples of the per-example loss (caller divides by the total count). */
  const chunkLoss = (chunk: readonly number[]): (() => tf.Scalar) => {
    return () => {
      const values = new Float32Array(chunk.length * size);
      chunk.forEach((i, k) => values.set(train.values.subarray(i * size, (i + 1) * size), k * size));
      const x = tf.tensor(values, [chunk.length, ...shape], 'float32');
      const labels = train.labels ? Int32Array.from(chunk, (i) => train.labels![i]!) : undefined;
      return tf.sum(perExampleLoss(model, loss, x, { ids: chunk.slice(), split: 'train', ...(labels ? { labels } : {}) }));
    };
  };

  const chunks = (indices: readonly number[]): Array<readonly number[]> => {
    const out: Array<readonly number[]> = [];
    for (let s = 0; s < indices.length; s += batchSize) out.push(indices.slice(s, s + batchSize));
    return out;
  };

  const flatGradient = (f: () => tf.Scalar): tf.Tensor1D => {
    const { grads } = tf.variableGrads(f, variables);
    return tf.concat(variables.map((v) => tf.reshape(grads[v.name]!, [-1]))) as tf.Tensor1D;
  };

  const gradient = (indices?: readonly number[]): Float32Array => {
    const all = checkIndices(indices);
    const total = new Float32Array(parameterCount);
    for (const chunk of chunks(all)) {
      const g = tf.tidy(() => flatGradient(chunkLoss(chunk)));
      const values = g.dataSync();
      g.dispose();
      for (let p = 0; p < parameterCount; p++) total[p]! += values[p]! / all.length;
    }
    return total;
  };

  const splitVector = (v: tf.Tensor1D): tf.Tensor[] => {
    return parameters.map((p) => tf.reshape(tf.slice(v, p.offset, p.size), p.shape));
  };

  const finiteDifferenceChunk = (chunk: readonly number[], v: Float32Array): Float32Array => {
    const vNorm = norm(v);
    if (vNorm === 0) return new Float32Array(parameterCount);
    const originals = variables.map((w) => tf.clone(w));
    try {
      const thetaNorm = Math.sqrt(originals.reduce((s, w) => s + tf.tidy(() => tf.sum(tf.square(w)).dataSync()[0]!), 0));
      const eps = (relativeStep * Math.max(thetaNorm, 1)) / vNorm;
      const at = (sign: number): Float32Array => {
        tf.tidy(() => {
          const parts = splitVector(tf.tensor1d(v));
          variables.forEach((w, i) => w.assign(tf.add(originals[i]!, tf.mul(parts[i]!, sign * eps))));
        });
        const g = tf.tidy(() => flatGradient(chunkLoss(chunk)));
        const values = g.dataSync() as Float32Array;
        g.dispose();
        return values;
      };
      const plus = at(1);
      const minus = at(-1);
      return plus.map((p, i) => (p - minus[i]!) / (2 * eps));
    } finally {
      variables.forEach((w, i) => w.assign(originals[i]!));
      tf.dispose(originals);
    }
  };

  const checkVector = (v: Float32Array): void => {
    if (!(v instanceof Float32Array) || v.length !== parameterCount) throw new Error(`v must be a Float32Array of ${parameterCount} parameters, got ${v instanceof Float32Array ? v.length : typeof v}`);
    if (!v.every(Number.isFinite)) throw new Error('v has non-finite entries');
  };

  const mode: HvpMode = 'finiteDifferences';

  const operator: HessianOperator = {
    parameters,
    parameterCount,
    count: train.count,
    mode,
    gradient,
    hvp(v, indices) {
      checkVector(v);
      const all = checkIndices(indices);
      const total = new Float32Array(parameterCount);
      for (const chunk of chunks(all)) {
        const part = finiteDifferenceChunk(chunk, v);
        for (let p = 0; p < parameterCount; p++) total[p]! += part[p]! / all.length;
      }
      return total;
    },
  };
  return operator;
}
