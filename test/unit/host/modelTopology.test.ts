import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ModelJsonError, readLayerNames } from '../../../src/host/manifest/modelTopology';

const layer = (name: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({ class_name: 'Dense', config: { name, ...extra } });

test('readLayerNames lists a Sequential model\'s layers in order', () => {
  const text = JSON.stringify({
    modelTopology: { class_name: 'Sequential', config: { name: 'ae', layers: [layer('enc_conv1'), layer('enc_latent'), layer('dec_output')] } },
    weightsManifest: [],
  });
  assert.deepEqual(readLayerNames(text, 'model.json'), ['enc_conv1', 'enc_latent', 'dec_output']);
});

test('readLayerNames reads the Keras-style model_config wrapper and nested models', () => {
  const text = JSON.stringify({
    modelTopology: {
      keras_version: 'tfjs-layers 4.22.0',
      model_config: {
        class_name: 'Model',
        config: { layers: [layer('input'), { class_name: 'Sequential', config: { name: 'encoder', layers: [layer('enc_latent')] } }, layer('head')] },
      },
    },
  });
  assert.deepEqual(readLayerNames(text, 'm.json'), ['input', 'encoder', 'enc_latent', 'head']);
});

test('readLayerNames names the file on invalid JSON, missing topology and empty layer lists', () => {
  assert.throws(() => readLayerNames('{', '/x/model.json'), (e: unknown) => e instanceof ModelJsonError && e.file === '/x/model.json' && /not valid JSON/.test(e.message));
  assert.throws(() => readLayerNames('{"weightsManifest":[]}', '/x/model.json'), /\/x\/model\.json: has no "modelTopology"/);
  assert.throws(() => readLayerNames('{"modelTopology":{"config":{"layers":[]}}}', '/x/model.json'), /lists no layers/);
});

test('readLayerNames survives hostile nesting without recursing forever', () => {
  let nested: Record<string, unknown> = layer('leaf');
  for (let i = 0; i < 1000; i++) nested = { class_name: 'Sequential', config: { name: `n${i}`, layers: [nested] } };
  const names = readLayerNames(JSON.stringify({ modelTopology: { config: { layers: [nested] } } }), 'deep.json');
  assert.ok(names.length > 0 && names.length <= 10);
});
