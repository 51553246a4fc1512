/**
 * Hessian-vector products of the mean training loss with respect to the
 * relevant parameters (same flattened order as `parameterLayout`), in one of
 * two modes (`mode`, with `modeReason` saying why):
 *
 * 'doubleBackprop' (Pearlmutter): Hv = ∇_θ ⟨∇_θ L(θ), v⟩ by nested tfjs
 *   gradients over the weights passed as explicit tensors to a functional
 *   forward of the layer chain (doubleBackprop.ts). What tfjs-core 4.22 does,
 *   measured: nested tf.variableGrads throws ("Cannot find a connection
 *   between any variable and the result"); tf.grad(tf.grad(f)) runs and is
 *   right for kernels whose gradients use their saved *inputs* (MatMul, Add,
 *   Relu, Conv2D's input gradient, Log, SquaredDifference, ...), but silently
 *   wrong for kernels whose gradients use their saved *output* (Tanh, Sigmoid,
 *   Softmax, Exp, the customGrad of logSoftmax: the engine records the clone
 *   of the output before the kernel's own tape node, so the outer pass treats
 *   it as a constant: on sum(op(xW)²) the product is off by 36% for tanh,
 *   99% sigmoid, 15% softmax, 60% logSoftmax, 50% exp), and it throws where
 *   a gradient kernel has no gradient (Conv2DBackpropFilter, EluGrad,
 *   LogicalAnd in clipByValue's gradient). secondOrderOps.ts replaces the
 *   activations, convolutions, log-softmax and clip that the supported layers
 *   and losses use with twice-differentiable equivalents; a layer run by
 *   tfjs-layers itself (a Softmax layer, an elu activation, ...) can still be
 *   wrong or throw.
 *
 * 'finiteDifferences': central differences of gradients,
 *   Hv ≈ (∇L(θ + εv) − ∇L(θ − εv)) / 2ε,  ε = relativeStep · max(‖θ‖, 1) / ‖v‖,
 *   which needs first derivatives only. Biased in relu networks: the gradient
 *   jumps wherever the perturbation flips a unit, and that error does not
 *   shrink with ε (on the demo encoder, steps 1e-3 and 1e-4 disagree by
 *   over 100% on the early layers).
 *
 * With `hvp: 'auto'` (default) a probe at creation decides: on the first
 * `probeSize` examples, the functional forward's gradient must match the
 * model's, then the double-backprop product of a seeded random v must match
 * finite differences within `probeTolerance` (relative). For relu networks
 * both sides of that comparison run with relu smoothed to softplus, which
 * tests every other op while finite differences converge. Double backprop
 * is used when both checks pass, finite differences otherwise.
 *
 * Vectors cross the API as Float32Array: the callers (LiSSA, Arnoldi) do
 * their recurrences on the CPU in float64.
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { LossSpec } from '../../protocol/manifest';
import { feedShape } from '../losses/modelShapes';
import { perExampleLoss, type LossBatch } from '../losses/perExampleLoss';
import { lossNeedsLabels } from '../losses/vaeLoss';
import { mulberry32 } from '../attribution/random';
import { doubleBackpropHvp, functionalGradient, functionalLoss, functionalUnsupported, type FunctionalLoss } from './doubleBackprop';
import { parameterLayout, relevantLayersOf, type ParameterBlock } from './perExampleGradients';

/** How products are computed (see the header). */
export type HvpMode = 'doubleBackprop' | 'finiteDifferences';

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
  /**
   * 'auto' (default) probes double backprop against finite differences and
   * uses it when they agree; the other two force a mode (a forced
   * 'doubleBackprop' still throws when the chain has no functional form).
   */
  hvp?: 'auto' | HvpMode;
  /** 'auto' accepts double backprop when ‖Hv_db − Hv_fd‖ ≤ probeTolerance · ‖Hv_fd‖; default 1e-2. */
  probeTolerance?: number;
  /** Examples in the probe batch (the first ones of the training set); default 16. */
  probeSize?: number;
  /** Seed of the probe's random vector; default 0. */
  probeSeed?: number;
}

export interface HessianOperator {
  parameters: ParameterBlock[];
  parameterCount: number;
  count: number;
  mode: HvpMode;
  /** Why `mode` was chosen: forced, the probe's measured disagreement, or what has no functional form. */
  modeReason: string;
  /** The probe's relative difference ‖Hv_db − Hv_fd‖ / ‖Hv_fd‖, when the probe ran and both products were computed. */
  probeDifference?: number;
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
  if (lossNeedsLabels(loss) && !train.labels) throw new Error(`train.labels are required by the ${loss.kind === 'vae' ? 'supervised VAE' : loss.kind} loss`);
  const batchSize = options.batchSize ?? 256;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`options.batchSize must be a positive integer, got ${batchSize}`);
  const relativeStep = options.relativeStep ?? 1e-3;
  if (!(relativeStep > 0 && Number.isFinite(relativeStep))) throw new Error(`options.relativeStep must be a positive number, got ${relativeStep}`);
  const requested = options.hvp ?? 'auto';
  if (requested !== 'auto' && requested !== 'doubleBackprop' && requested !== 'finiteDifferences') {
    throw new Error(`options.hvp must be "auto", "doubleBackprop" or "finiteDifferences", got ${String(requested)}`);
  }
  const probeTolerance = options.probeTolerance ?? 1e-2;
  if (!(probeTolerance > 0 && Number.isFinite(probeTolerance))) throw new Error(`options.probeTolerance must be a positive number, got ${probeTolerance}`);
  const probeSize = options.probeSize ?? 16;
  if (!Number.isInteger(probeSize) || probeSize < 1) throw new Error(`options.probeSize must be a positive integer, got ${probeSize}`);
  const layers = relevantLayersOf(model, options.relevantLayers);
  const { relevant } = layers;
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

  const chunkBatch = (chunk: readonly number[]): { x: tf.Tensor; batch: LossBatch } => {
    const values = new Float32Array(chunk.length * size);
    chunk.forEach((i, k) => values.set(train.values.subarray(i * size, (i + 1) * size), k * size));
    const x = tf.tensor(values, [chunk.length, ...shape], 'float32');
    const labels = train.labels ? Int32Array.from(chunk, (i) => train.labels![i]!) : undefined;
    return { x, batch: { ids: chunk.slice(), split: 'train', ...(labels ? { labels } : {}) } };
  };

  /** Sum over the chunk's examples of the per-example loss (caller divides by the total count). */
  const chunkLoss = (chunk: readonly number[]): (() => tf.Scalar) => {
    return () => {
      const { x, batch } = chunkBatch(chunk);
      return tf.sum(perExampleLoss(model, loss, x, batch));
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

  const finiteDifferenceChunk = (chunk: readonly number[], v: Float32Array, step = relativeStep): Float32Array => {
    const vNorm = norm(v);
    if (vNorm === 0) return new Float32Array(parameterCount);
    const originals = variables.map((w) => tf.clone(w));
    try {
      const thetaNorm = Math.sqrt(originals.reduce((s, w) => s + tf.tidy(() => tf.sum(tf.square(w)).dataSync()[0]!), 0));
      const eps = (step * Math.max(thetaNorm, 1)) / vNorm;
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

  const unsupported = functionalUnsupported(layers);
  const functional = unsupported === undefined ? functionalLoss(model, loss, layers) : undefined;

  const doubleBackpropChunk = (chunk: readonly number[], v: Float32Array, f: FunctionalLoss = functional!): Float32Array => {
    const hv = tf.tidy(() => {
      const { x, batch } = chunkBatch(chunk);
      return doubleBackpropHvp(f, x, batch, variables, splitVector(tf.tensor1d(v)));
    });
    const values = hv.dataSync() as Float32Array;
    hv.dispose();
    return values;
  };

  /** Central differences of the functional loss's gradient along v, at explicit weight tensors. */
  const functionalFiniteDifference = (f: FunctionalLoss, chunk: readonly number[], v: Float32Array, step = relativeStep): Float32Array => {
    const vNorm = norm(v);
    if (vNorm === 0) return new Float32Array(parameterCount);
    const thetaNorm = Math.sqrt(variables.reduce((s, w) => s + tf.tidy(() => tf.sum(tf.square(w)).dataSync()[0]!), 0));
    const eps = (step * Math.max(thetaNorm, 1)) / vNorm;
    const hv = tf.tidy(() => {
      const { x, batch } = chunkBatch(chunk);
      const parts = splitVector(tf.tensor1d(v));
      const at = (sign: number): tf.Tensor1D => functionalGradient(f, x, batch, variables.map((w, i) => tf.add(w, tf.mul(parts[i]!, sign * eps))));
      return tf.div(tf.sub(at(1), at(-1)), 2 * eps);
    });
    const values = hv.dataSync() as Float32Array;
    hv.dispose();
    return values;
  };

  const choice = chooseMode();
  function chooseMode(): { mode: HvpMode; modeReason: string; probeDifference?: number } {
    if (requested === 'finiteDifferences') return { mode: 'finiteDifferences', modeReason: 'forced by options.hvp' };
    if (requested === 'doubleBackprop') {
      if (unsupported !== undefined) throw new Error(`options.hvp is "doubleBackprop" but ${unsupported}`);
      return { mode: 'doubleBackprop', modeReason: 'forced by options.hvp' };
    }
    if (unsupported !== undefined) return { mode: 'finiteDifferences', modeReason: unsupported };
    const f = functional!;
    const probe = Array.from({ length: Math.min(probeSize, batchSize, train.count) }, (_, i) => i);
    const random = mulberry32(options.probeSeed ?? 0);
    const v = Float32Array.from({ length: parameterCount }, () => 2 * random() - 1);
    const where = `on a probe of ${probe.length} example${probe.length > 1 ? 's' : ''}`;
    const percent = (d: number): string => `${(100 * d).toPrecision(2)}%`;
    const relative = (a: Float32Array, b: Float32Array): number => norm(a.map((e, i) => e - b[i]!)) / (norm(b) + 1e-12);
    const failed = (error: unknown): { mode: HvpMode; modeReason: string } => ({
      mode: 'finiteDifferences',
      modeReason: `double backprop failed ${where}: ${error instanceof Error ? error.message : String(error)}`,
    });
    // 1. The functional forward must be the model: same first derivatives.
    let fidelity: number;
    try {
      const functionalG = tf.tidy(() => {
        const { x, batch } = chunkBatch(probe);
        return functionalGradient(f, x, batch, variables);
      });
      const modelG = tf.tidy(() => flatGradient(chunkLoss(probe)));
      fidelity = relative(functionalG.dataSync() as Float32Array, modelG.dataSync() as Float32Array);
      tf.dispose([functionalG, modelG]);
    } catch (error) {
      return failed(error);
    }
    if (!(fidelity <= probeTolerance)) {
      return { mode: 'finiteDifferences', modeReason: `the functional forward's gradient differs from the model's by ${percent(fidelity)} ${where}` };
    }
    // 2. Second derivatives against finite differences. A relu network's gradient jumps wherever a
    // perturbation flips a unit, so its finite differences do not converge (measured: 100%+ apart
    // between steps 1e-3 and 1e-4 on the demo encoder); there the probe runs with relu smoothed to
    // softplus on both sides, which tests every other op.
    const smooth = f.reluCount > 0 ? functionalLoss(model, loss, layers, { smoothRelu: true }) : undefined;
    let exact: Float32Array;
    try {
      exact = doubleBackpropChunk(probe, v, smooth ?? f);
    } catch (error) {
      return failed(error);
    }
    if (!exact.every(Number.isFinite)) return { mode: 'finiteDifferences', modeReason: `double backprop gave non-finite values ${where}` };
    const reference = (step: number): Float32Array => (smooth ? functionalFiniteDifference(smooth, probe, v, step) : finiteDifferenceChunk(probe, v, step));
    let difference = relative(exact, reference(relativeStep));
    const how = smooth ? ` (relu smoothed to softplus for the probe; first derivatives match the model within ${percent(fidelity)})` : '';
    if (difference <= probeTolerance) {
      return { mode: 'doubleBackprop', modeReason: `double backprop agreed with finite differences within ${percent(difference)} ${where}${how}`, probeDifference: difference };
    }
    // A strongly curved loss (a VAE's exp(log σ²) far from 0: measured 110% apart at step 1e-3 on the demo
    // β-TCVAE, 0.24% at 1e-4) needs a finer step before the two can agree; a wrong second derivative does not.
    const finer = relative(exact, reference(relativeStep / 10));
    if (finer <= probeTolerance) {
      return {
        mode: 'doubleBackprop',
        modeReason: `double backprop agreed with finite differences within ${percent(finer)} ${where} at step ${(relativeStep / 10).toPrecision(2)} (${percent(difference)} at ${relativeStep.toPrecision(2)}, so the finite differences were the coarse side)${how}`,
        probeDifference: finer,
      };
    }
    difference = Math.min(difference, finer);
    const suspects = f.suspects.length > 0 ? `; layers run by tfjs-layers on the gradient path: ${f.suspects.join(', ')}` : '';
    return {
      mode: 'finiteDifferences',
      modeReason: `double backprop disagreed with finite differences by ${percent(difference)} ${where}${how} (a kernel without a correct second derivative in tfjs${suspects})`,
      probeDifference: difference,
    };
  }

  const operator: HessianOperator = {
    parameters,
    parameterCount,
    count: train.count,
    mode: choice.mode,
    modeReason: choice.modeReason,
    ...(choice.probeDifference !== undefined ? { probeDifference: choice.probeDifference } : {}),
    gradient,
    hvp(v, indices) {
      checkVector(v);
      const all = checkIndices(indices);
      const total = new Float32Array(parameterCount);
      for (const chunk of chunks(all)) {
        const part = choice.mode === 'doubleBackprop' ? doubleBackpropChunk(chunk, v) : finiteDifferenceChunk(chunk, v);
        for (let p = 0; p < parameterCount; p++) total[p]! += part[p]! / all.length;
      }
      return total;
    },
  };
  return operator;
}
