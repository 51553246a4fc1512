/**
 * Hessian-vector products by double backprop (Pearlmutter 1994):
 *   H v = ∇_θ ⟨∇_θ L(θ), v⟩,
 * with θ the relevant layers' weights passed as explicit tensors to nested
 * tfjs gradients (nested tf.variableGrads throws in tfjs 4.22).
 *
 * The model's layer chain is run functionally: relevant layers, and the
 * supported layers after them, through their gradient rules with the
 * weights given by role and the twice-differentiable ops of secondOrderOps
 * (activations tanh/sigmoid/softmax, convolutions); other layers through
 * `layer.apply(h, {training: false})`. The cross-entropy uses a
 * twice-differentiable log-softmax; squared errors are computed by
 * lossFromOutput itself. Layers run by tfjs-layers on the gradient path may
 * still hide a kernel whose gradient cannot be differentiated again
 * (`suspects`): the Hessian operator's probe against finite differences is
 * what decides.
 *
 * Models with parallel output heads (a VAE encoder's μ and log σ²) run the
 * trunk, then each head on its output. The vae loss runs with a
 * twice-differentiable exp and clip, and its decoder layer by layer like the
 * chain (its own weights, twice-differentiable ops where the rules have them).
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { LossSpec } from '../../protocol/manifest';
import { toModelInput } from '../losses/modelShapes';
import { CLIP_EPSILON, checkLossOutputShape, lossFromOutput, lossFromOutputs, outputKind, outputNames, prepareLossInputs, type LossBatch, type OutputKind, type PreparedLoss } from '../losses/perExampleLoss';
import { DEFAULT_VAE_OPS, type VaeOps } from '../losses/vaeLoss';
import { layerChain } from './layerChain';
import { gradientRule, hasGradientRule, weightRole, type WeightOverrides } from './layerGradientRules';
import type { RelevantLayers } from './perExampleGradients';
import { twiceDifferentiableActivation, twiceDifferentiableClip, twiceDifferentiableExp, twiceDifferentiableLogSoftmax } from './secondOrderOps';

type Layer = tfl.layers.Layer;

export interface FunctionalLoss {
  /** Sum over the batch of the per-example losses, the relevant weights taken from `parameters` (layout order). */
  sumLoss(x: tf.Tensor, batch: LossBatch, parameters: readonly tf.Tensor[]): tf.Scalar;
  /** Layers on the gradient path that run through tfjs-layers' own ops, e.g. `act (Activation tanh)`. */
  suspects: string[];
  /** Relu activations on the gradient path (run as tf.relu, or as softplus with `smoothRelu`). */
  reluCount: number;
}

/** Why a chain (with its output heads) cannot run functionally, or undefined when it can. */
export function functionalUnsupported(layers: Pick<RelevantLayers, 'chain' | 'heads' | 'relevant'>): string | undefined {
  const { chain, heads, relevant } = layers;
  const missing = relevant.find((layer) => !hasGradientRule(layer));
  if (missing) return `layer class ${missing.getClassName()} (relevant layer "${missing.name}") has no functional rule`;
  const first = [...chain, ...heads].findIndex((layer) => relevant.includes(layer));
  if (first < 0) return 'no relevant layer is in the layer chain';
  return undefined;
}

function describe(layer: Layer): string {
  const activation = layer.getConfig().activation;
  return `${layer.name} (${layer.getClassName()}${typeof activation === 'string' ? ` ${activation}` : ''})`;
}

/** Per-example cross-entropy as perExampleLoss computes it, with a twice-differentiable log-softmax. */
function crossEntropy(output: tf.Tensor, labels: Int32Array, kind: OutputKind): tf.Tensor1D {
  const binary = output.shape[1] === 1;
  const depth = binary ? 2 : output.shape[1]!;
  const oneHot = tf.cast(tf.oneHot(tf.tensor1d(labels, 'int32'), depth), 'float32');
  if (kind === 'logits') {
    const logits = binary ? tf.concat([tf.zerosLike(output), output], 1) : output;
    return tf.neg(tf.sum(tf.mul(oneHot, twiceDifferentiableLogSoftmax(logits)), 1)) as tf.Tensor1D;
  }
  const probabilities = binary ? tf.concat([tf.sub(1, output), output], 1) : output;
  const picked = tf.sum(tf.mul(oneHot, probabilities), 1);
  return tf.neg(tf.log(twiceDifferentiableClip(picked, CLIP_EPSILON, 1))) as tf.Tensor1D;
}

export function twiceDifferentiableLoss(loss: LossSpec, output: tf.Tensor, prepared: PreparedLoss, kind: OutputKind): tf.Tensor1D {
  if (loss.kind !== 'crossEntropy') return lossFromOutput(loss, output, prepared, kind);
  checkLossOutputShape(loss, prepared, output.shape);
  return crossEntropy(output, prepared.labels!, kind);
}

/** The same for a model's outputs named by their layers (the vae loss reads two), with `vaeOps` for the vae loss. */
function twiceDifferentiableLosses(loss: LossSpec, outputs: tf.Tensor[], names: readonly string[], prepared: PreparedLoss, kind: OutputKind, vaeOps: VaeOps): tf.Tensor1D {
  if (loss.kind === 'vae') return lossFromOutputs(loss, outputs, names, prepared, kind, vaeOps);
  if (outputs.length !== 1) throw new Error(`the model has ${outputs.length} outputs; the ${loss.kind} loss needs exactly one`);
  return twiceDifferentiableLoss(loss, outputs[0]!, prepared, kind);
}

/** The functional loss of a chain (with its output heads) that `functionalUnsupported` accepts. */
export function functionalLoss(model: tfl.LayersModel, loss: LossSpec, layers: RelevantLayers, options: { smoothRelu?: boolean } = {}): FunctionalLoss {
  const reason = functionalUnsupported(layers);
  if (reason) throw new Error(reason);
  const { chain, heads, relevant } = layers;
  const kind = outputKind(model);
  const names = heads.length > 0 ? heads.map((head) => head.name) : outputNames(model);
  const first = [...chain, ...heads].findIndex((layer) => relevant.includes(layer));
  const suspects: string[] = [];
  let reluCount = 0;
  const ownActivation = (layer: Layer): ((z: tf.Tensor) => tf.Tensor) | undefined => {
    const name = layer.getConfig().activation;
    const own = twiceDifferentiableActivation(name, options.smoothRelu);
    if (own && name === 'relu') reluCount++;
    return own;
  };
  type Step = (h: tf.Tensor, weights?: WeightOverrides) => tf.Tensor;
  const stepOf = (layer: Layer, onPath: boolean, prefix = ''): Step => {
    if (onPath && hasGradientRule(layer)) {
      const rule = gradientRule(layer);
      const own = ownActivation(layer);
      if (!own) suspects.push(prefix + describe(layer));
      const activate = own ?? rule.activate;
      return (h, weights) => activate(rule.twiceDifferentiableLinear(h, weights));
    }
    if (onPath && layer.getClassName() === 'Activation') {
      const own = ownActivation(layer);
      if (own) return (h) => own(h);
    }
    if (onPath && !['Flatten', 'Reshape', 'Dropout', 'InputLayer', 'Permute'].includes(layer.getClassName())) suspects.push(prefix + describe(layer));
    return (h) => layer.apply(h, { training: false }) as tf.Tensor;
  };
  const steps = chain.map((layer, i) => stepOf(layer, i >= first));
  const headSteps = heads.map((head) => stepOf(head, true));
  let vaeOps = DEFAULT_VAE_OPS;
  if (loss.kind === 'vae') {
    const decoder = (loss as { parts?: { decoder?: tfl.LayersModel } }).parts?.decoder;
    let decoderSteps: Step[] | undefined;
    if (decoder) {
      try {
        decoderSteps = layerChain(decoder).map((layer) => stepOf(layer, true, 'decoder '));
      } catch {
        suspects.push(`decoder ${decoder.name} (not a chain of layers)`);
      }
    }
    vaeOps = {
      exp: twiceDifferentiableExp,
      clip: twiceDifferentiableClip,
      decode: (d, z) => (decoderSteps && d === decoder ? decoderSteps.reduce((h, step) => step(h), z) : DEFAULT_VAE_OPS.decode(d, z)),
    };
  }
  const roles = relevant.map((layer) => layer.trainableWeights.map(weightRole));
  const parameterCount = roles.reduce((s, r) => s + r.length, 0);
  return {
    suspects,
    reluCount,
    sumLoss(x, batch, parameters) {
      if (parameters.length !== parameterCount) throw new Error(`expected ${parameterCount} weight tensors, got ${parameters.length}`);
      const overrides = new Map<Layer, WeightOverrides>();
      let next = 0;
      relevant.forEach((layer, l) => overrides.set(layer, new Map(roles[l]!.map((role) => [role, parameters[next++]!]))));
      const prepared = prepareLossInputs(loss, x, batch);
      let h = toModelInput(model, prepared.input);
      chain.forEach((layer, i) => {
        h = steps[i]!(h, overrides.get(layer));
      });
      const trunk = h;
      const outputs = heads.length > 0 ? heads.map((head, i) => headSteps[i]!(trunk, overrides.get(head))) : [trunk];
      return tf.sum(twiceDifferentiableLosses(loss, outputs, names, prepared, kind, vaeOps));
    },
  };
}

interface EngineTapeState {
  gradientDepth: number;
  activeTape: Array<{ saved?: tf.Tensor[] }> | null;
}

/**
 * After an error inside a gradient computation tfjs leaves the tape's saved
 * tensors (kept, so no tidy frees them) alive; this does the clean-up the
 * engine does after a successful outermost gradient.
 */
export function discardAbandonedTape(): void {
  const state = (tf.engine() as unknown as { state?: EngineTapeState }).state;
  if (!state || state.gradientDepth !== 0 || !Array.isArray(state.activeTape)) return;
  for (const node of state.activeTape) for (const t of node.saved ?? []) t.dispose();
  state.activeTape = null;
}

/** ∇_θ of the summed loss of one batch, flattened in parameter order (zeros where the loss does not depend on θ). */
export function functionalGradient(f: FunctionalLoss, x: tf.Tensor, batch: LossBatch, parameters: readonly tf.Tensor[]): tf.Tensor1D {
  const xs = parameters.slice() as tf.Tensor[];
  try {
    return tf.tidy(() => {
      const { value, grads } = tf.engine().gradients(() => f.sumLoss(x, batch, xs), xs, undefined, true);
      value.dispose();
      return tf.concat(grads.map((g, i) => (g ? tf.reshape(g, [-1]) : tf.zeros([parameters[i]!.size])))) as tf.Tensor1D;
    });
  } catch (error) {
    discardAbandonedTape();
    throw error;
  }
}

/**
 * H v for the summed loss of one batch: ∇_θ ⟨∇_θ L, v⟩ with θ = `parameters`,
 * v split like them. Parameters the loss (or the inner product) does not
 * depend on get zeros. Returns the flattened product in parameter order.
 */
export function doubleBackpropHvp(f: FunctionalLoss, x: tf.Tensor, batch: LossBatch, parameters: readonly tf.Tensor[], v: readonly tf.Tensor[]): tf.Tensor1D {
  const engine = tf.engine();
  const xs = parameters.slice() as tf.Tensor[];
  try {
    return tf.tidy(() => {
      const { value, grads } = engine.gradients(
        () => {
          const inner = engine.gradients(() => f.sumLoss(x, batch, xs), xs, undefined, true);
          const terms = inner.grads.map((g, i) => (g ? tf.sum(tf.mul(g, v[i]!)) : tf.scalar(0)));
          return tf.addN(terms) as tf.Scalar;
        },
        xs,
        undefined,
        true,
      );
      value.dispose();
      return tf.concat(grads.map((g, i) => (g ? tf.reshape(g, [-1]) : tf.zeros([parameters[i]!.size])))) as tf.Tensor1D;
    });
  } catch (error) {
    discardAbandonedTape();
    throw error;
  }
}
