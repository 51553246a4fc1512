import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { representationUnits } from '../../../src/host/panel/representationUnits';

function modelJson(layers: unknown, nested = true): string {
  const config = { name: 'm', layers };
  return JSON.stringify({ modelTopology: nested ? { model_config: { class_name: 'Sequential', config } } : { class_name: 'Sequential', config } });
}

test('reads the units of the named layer, in either topology layout and inside nested models', () => {
  const layers = [
    { class_name: 'Dense', config: { name: 'enc_dense1', units: 128 } },
    { class_name: 'Dense', config: { name: 'enc_latent', units: 4 } },
  ];
  assert.equal(representationUnits(modelJson(layers), 'enc_latent'), 4);
  assert.equal(representationUnits(modelJson(layers, false), 'enc_dense1'), 128);
  const nested = [{ class_name: 'Sequential', config: { name: 'encoder', layers } }];
  assert.equal(representationUnits(modelJson(nested), 'enc_latent'), 4);
});

test('undefined when the width is not stated or the file is not a model; never throws', () => {
  assert.equal(representationUnits(modelJson([{ class_name: 'Flatten', config: { name: 'enc_latent' } }]), 'enc_latent'), undefined);
  assert.equal(representationUnits(modelJson([{ class_name: 'Dense', config: { name: 'x', units: 3 } }]), 'enc_latent'), undefined);
  assert.equal(representationUnits(modelJson([{ class_name: 'Dense', config: { name: 'enc_latent', units: -1 } }]), 'enc_latent'), undefined);
  for (const text of ['', '{', 'null', '[]', '{"modelTopology": 3}']) assert.equal(representationUnits(text, 'enc_latent'), undefined);
});

test('the demo autoencoder has 4 latent units', { skip: !existsSync('demo-workspace/autoencoder/checkpoints/epoch-1/model.json') }, () => {
  assert.equal(representationUnits(readFileSync('demo-workspace/autoencoder/checkpoints/epoch-1/model.json', 'utf8'), 'enc_latent'), 4);
});
