import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import '@tensorflow/tfjs-backend-cpu';
import { deepLift } from '../../../src/engine/attribution/propagation';
import { cascadingRandomization } from '../../../src/engine/metrics';
import { expectNoLeak, seededValues } from './testUtils';

function buildModel(): tfl.Sequential {
  const model = tfl.sequential({
    layers: [
      tfl.layers.dense({ name: 'hidden1', inputShape: [30], units: 16, activation: 'relu' }),
      tfl.layers.batchNormalization({ name: 'bn' }),
      tfl.layers.dense({ name: 'hidden2', units: 8, activation: 'tanh' }),
      tfl.layers.dense({ name: 'out', units: 2 }),
    ],
  });
  for (const [i, layer] of model.layers.entries()) {
    const fresh = layer.getWeights().map((w, j) => tf.tensor(seededValues(w.size, 50 + 7 * i + j, 0.1, 1), w.shape));
    layer.setWeights(fresh);
    tf.dispose(fresh);
  }
  return model;
}

function snapshot(model: tfl.LayersModel): Float32Array[] {
  return model.layers.flatMap((layer) => layer.getWeights().map((w) => w.dataSync().slice() as Float32Array));
}

const input = tf.tensor(seededValues(30, 9, 0, 1), [1, 30]);
const explain = async (model: tfl.LayersModel): Promise<tf.Tensor> => (await deepLift(model, input, 0, { unit: 0 })).attributions;

test('cascading randomisation: correlation 1 before randomising, lower after, weights restored', async () => {
  const model = buildModel();
  const before = snapshot(model);
  const seen: string[][] = [];
  await expectNoLeak(async () => {
    const result = await cascadingRandomization(
      model,
      async (m) => {
        seen.push(m.layers.map((l) => l.getWeights()[0]!.dataSync()[0]!.toFixed(6)));
        return explain(m);
      },
      { seed: 1 },
    );
    assert.deepEqual(
      result.steps.map((s) => s.layer),
      [null, 'out', 'hidden2', 'bn', 'hidden1'],
    );
    assert.deepEqual(result.steps[2]!.randomizedLayers, ['out', 'hidden2']);
    assert.equal(result.steps[0]!.spearman, 1);
    assert.equal(result.steps[0]!.spearmanAbsolute, 1);
    const last = result.steps[result.steps.length - 1]!;
    assert.ok(last.spearman < 0.9, `fully randomised model still correlates: ${last.spearman}`);
    assert.ok(last.spearmanAbsolute < 0.9, `fully randomised model still correlates in absolute value: ${last.spearmanAbsolute}`);
  });
  // The first layer's first weight changes only once the cascade reaches it (the last call).
  assert.equal(seen[0]![0], seen[seen.length - 2]![0]);
  assert.notEqual(seen[0]![0], seen[seen.length - 1]![0]);
  assert.notEqual(seen[0]![3], seen[2]![3]);
  assert.deepEqual(snapshot(model), before);
  model.dispose();
});

test('weights are restored when the attribution throws or the run is cancelled', async () => {
  const model = buildModel();
  const before = snapshot(model);
  let calls = 0;
  await expectNoLeak(async () => {
    await assert.rejects(
      cascadingRandomization(model, async (m) => {
        if (++calls === 4) throw new Error('explainer broke');
        return explain(m);
      }),
      /explainer broke/,
    );
  });
  assert.deepEqual(snapshot(model), before);
  const controller = new AbortController();
  calls = 0;
  await assert.rejects(
    cascadingRandomization(model, async (m) => {
      if (++calls === 3) controller.abort();
      return explain(m);
    }, { signal: controller.signal }),
    /cancelled/,
  );
  assert.deepEqual(snapshot(model), before);
  await assert.rejects(cascadingRandomization(model, explain, { layers: ['nope'] }), /layers\[0\] 'nope' is not a layer/);
  let size = 4;
  await assert.rejects(
    cascadingRandomization(model, () => new Float32Array(size--).fill(1)),
    /the original map has 4 values but the randomised map has 3/,
  );
  assert.deepEqual(snapshot(model), before);
  model.dispose();
});

test('only the named layers are randomised, in the given order', async () => {
  const model = buildModel();
  const result = await cascadingRandomization(model, explain, { layers: ['hidden1'], seed: 2 });
  assert.deepEqual(
    result.steps.map((s) => s.layer),
    [null, 'hidden1'],
  );
  assert.ok(result.steps[1]!.spearman < 1);
  model.dispose();
});
