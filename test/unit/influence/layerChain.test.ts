import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tfl from '@tensorflow/tfjs-layers';
import '@tensorflow/tfjs-backend-cpu';
import { layerChain, selectRelevantLayers } from '../../../src/engine/influence/layerChain';

test('nested Sequentials are expanded in application order', () => {
  const inner = tfl.sequential({ layers: [tfl.layers.dense({ name: 'a', inputShape: [2], units: 2 }), tfl.layers.dense({ name: 'b', units: 2 })] });
  const model = tfl.sequential({ layers: [inner, tfl.layers.activation({ name: 'c', activation: 'relu' }), tfl.layers.dense({ name: 'd', units: 1 })] });
  assert.deepEqual(layerChain(model).map((l) => l.name), ['a', 'b', 'c', 'd']);
});

test('a single-path functional model drops its InputLayer', () => {
  const input = tfl.input({ shape: [2] });
  const h = tfl.layers.dense({ name: 'h', units: 2 }).apply(input) as tfl.SymbolicTensor;
  const o = tfl.layers.dense({ name: 'o', units: 2 }).apply(h) as tfl.SymbolicTensor;
  assert.deepEqual(layerChain(tfl.model({ inputs: input, outputs: o })).map((l) => l.name), ['h', 'o']);
});

test('a layer applied twice breaks the chain', () => {
  const input = tfl.input({ shape: [2] });
  const shared = tfl.layers.dense({ name: 'shared', units: 2 });
  const o = shared.apply(shared.apply(input)) as tfl.SymbolicTensor;
  assert.throws(() => layerChain(tfl.model({ inputs: input, outputs: o })), /not a chain of layers \(layer "shared" is called 2 times\)/);
});

test('relevant layers: all with trainable weights by default, else the named ones in model order', () => {
  const model = tfl.sequential({
    layers: [tfl.layers.dense({ name: 'x1', inputShape: [2], units: 2 }), tfl.layers.activation({ name: 'x2', activation: 'relu' }), tfl.layers.dense({ name: 'x3', units: 2 })],
  });
  const chain = layerChain(model);
  assert.deepEqual(selectRelevantLayers(chain).map((l) => l.name), ['x1', 'x3']);
  assert.deepEqual(selectRelevantLayers(chain, ['x3', 'x1']).map((l) => l.name), ['x1', 'x3']);
  assert.throws(() => selectRelevantLayers(chain, ['x3', 'y', 'z']), /relevant layers "y", "z" not found in the model; its layers are x1, x2, x3/);
});
