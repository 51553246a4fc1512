/**
 * The demo models' gradients on wasm (with the gradient bridge) against cpu,
 * for identical weights and inputs: what saliency and TracIn compute.
 */
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { REPRESENTATION_LAYER, buildClassifier, buildDenoisingAutoencoder } from '../../../demo/template/models';
import { assertClose, seededUniform, startWasm } from './backendTestUtils';

const TOLERANCE = 1e-4;
const BATCH = 4;
const IMAGE_SIZE = 28 * 28;

before(startWasm);

interface WeightSnapshot {
  names: string[];
  values: Float32Array[];
  shapes: number[][];
}

/**
 * The seeded build only redraws kernels; biases and batch-norm statistics are
 * set to seeded non-trivial values too, so that every gradient path is exercised.
 */
function snapshotWeights(build: () => tfl.Sequential): WeightSnapshot {
  const model = build();
  const snapshot: WeightSnapshot = { names: [], values: [], shapes: [] };
  model.weights.forEach((weight, i) => {
    const values = Float32Array.from(weight.read().dataSync());
    const name = weight.originalName;
    const [low, high] = name.endsWith('kernel') ? [0, 0] : name.endsWith('gamma') || name.endsWith('moving_variance') ? [0.5, 1.5] : [-0.1, 0.1];
    snapshot.names.push(name);
    snapshot.values.push(low === high ? values : seededUniform(values.length, 1000 + i, low, high));
    snapshot.shapes.push(weight.shape.map((d) => d!));
  });
  model.dispose();
  return snapshot;
}

interface Gradient {
  values: Float32Array;
  /** Gradients of one function share a scale, used for the analytic zeros. */
  group: string;
  /** Zero in exact arithmetic, so only rounding noise is left to compare. */
  analyticZero: boolean;
}

/** Rebuilds the model on the active backend with the snapshot's weights and computes every gradient we compare. */
function gradientsOnActiveBackend(build: () => tfl.Sequential, snapshot: WeightSnapshot, target: (x: tf.Tensor) => tf.Tensor): Map<string, Gradient> {
  const model = build();
  const weights = snapshot.values.map((values, i) => tf.tensor(values, snapshot.shapes[i]!));
  model.setWeights(weights);
  tf.dispose(weights);
  const result = new Map<string, Gradient>();
  const softmaxOutput = model.layers[model.layers.length - 1]!.getConfig()['activation'] === 'softmax';
  tf.tidy(() => {
    const x = tf.tensor4d(seededUniform(BATCH * IMAGE_SIZE, 77, 0, 1), [BATCH, 28, 28, 1]);
    const latentLayers = model.layers.slice(0, model.layers.findIndex((layer) => layer.name === REPRESENTATION_LAYER) + 1);
    const latent = (input: tf.Tensor): tf.Tensor => latentLayers.reduce((h, layer) => layer.apply(h) as tf.Tensor, input);
    const inputGradient = (label: string, group: string, f: (input: tf.Tensor) => tf.Tensor, analyticZero = false): void => {
      result.set(label, { values: tf.grad((input: tf.Tensor) => tf.sum(f(input)))(x).dataSync() as Float32Array, group, analyticZero });
    };

    // Softmax outputs sum to one, so the plain sum has a zero gradient there.
    inputGradient('d sum(output) / d input', 'output', (input) => model.apply(input) as tf.Tensor, softmaxOutput);
    const outputShape = (model.outputs[0]!.shape as number[]).slice(1);
    const outputWeights = tf.tensor(seededUniform(BATCH * outputShape.reduce((a, b) => a * b, 1), 78, 0, 1), [BATCH, ...outputShape]);
    inputGradient('d sum(w * output) / d input', 'output', (input) => tf.mul(outputWeights, model.apply(input) as tf.Tensor));
    inputGradient(`d sum(${REPRESENTATION_LAYER}) / d input`, 'latent', latent);

    const variables = model.trainableWeights.map((weight) => weight.read() as tf.Variable);
    const yTrue = target(x);
    // Inference first: in training mode batch norm also updates its moving statistics.
    for (const training of [false, true]) {
      const { grads } = tf.variableGrads(() => tf.losses.meanSquaredError(yTrue, model.apply(x, { training }) as tf.Tensor) as tf.Scalar, variables);
      variables.forEach((variable, i) => {
        const weight = model.trainableWeights[i]!;
        // Batch norm on batch statistics subtracts the mean, so the bias just before it has no effect.
        const layerIndex = model.layers.findIndex((layer) => layer.trainableWeights.includes(weight));
        const nextIsBatchNorm = model.layers[layerIndex + 1]?.getClassName() === 'BatchNormalization';
        result.set(`d mse / d ${weight.originalName} (training=${training})`, {
          values: grads[variable.name]!.dataSync() as Float32Array,
          group: `mse training=${training}`,
          analyticZero: training && nextIsBatchNorm && weight.originalName.endsWith('bias'),
        });
      });
    }
  });
  model.dispose();
  return result;
}

function maxAbs(values: Float32Array): number {
  return values.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
}

async function compareBackends(build: () => tfl.Sequential, target: (x: tf.Tensor) => tf.Tensor, diagnostic: (message: string) => void): Promise<void> {
  await tf.setBackend('cpu');
  const snapshot = snapshotWeights(build);
  const onCpu = gradientsOnActiveBackend(build, snapshot, target);
  await tf.setBackend('wasm');
  const tensorsBefore = tf.memory().numTensors;
  const onWasm = gradientsOnActiveBackend(build, snapshot, target);
  assert.equal(tf.memory().numTensors, tensorsBefore, 'wasm gradients leaked tensors');

  const groupScale = new Map<string, number>();
  for (const g of onCpu.values()) groupScale.set(g.group, Math.max(groupScale.get(g.group) ?? 0, maxAbs(g.values)));
  let worst = { ratio: 0, label: '' };
  for (const [label, expected] of onCpu) {
    const actual = onWasm.get(label);
    assert.ok(actual, `wasm did not produce ${label}`);
    if (expected.analyticZero) {
      const bound = 1e-5 * groupScale.get(expected.group)!;
      assert.ok(maxAbs(expected.values) <= bound && maxAbs(actual.values) <= bound,
        `${label} should vanish: |cpu| ${maxAbs(expected.values).toExponential(2)}, |wasm| ${maxAbs(actual.values).toExponential(2)}, bound ${bound.toExponential(2)}`);
      continue;
    }
    assert.ok(maxAbs(expected.values) > 1e-5 * groupScale.get(expected.group)!, `${label} is unexpectedly ~0, so the comparison would be vacuous`);
    const error = assertClose(actual.values, expected.values, TOLERANCE, label);
    if (error >= worst.ratio) worst = { ratio: error, label };
  }
  diagnostic(`${onCpu.size} gradient tensors; worst |wasm-cpu|_inf / |cpu|_inf = ${worst.ratio.toExponential(2)} (${worst.label})`);
}

test('autoencoder: input and parameter gradients agree between wasm and cpu', async (t) => {
  await compareBackends(() => buildDenoisingAutoencoder(3), (x) => x, (m) => t.diagnostic(m));
});

test('classifier: input and parameter gradients agree between wasm and cpu', async (t) => {
  const labels = tf.tensor1d([3, 7, 0, 9], 'int32');
  await compareBackends(() => buildClassifier(4), () => tf.cast(tf.oneHot(labels, 10), 'float32'), (m) => t.diagnostic(m));
  labels.dispose();
});
