import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RpcError } from '../../../src/protocol/rpc';
import { parseManifest } from '../../../src/protocol/manifest';
import { defaultInvarianceSettings, defaultNeonSettings, defaultSemanticSettings } from '../../../src/protocol/webviewProtocol';
import { parseInvarianceSettings, restoreInvarianceSettings, toInvarianceParams } from '../../../src/host/panel/invarianceSettings';
import { parseNeonSettings, restoreNeonSettings } from '../../../src/host/panel/neonSettings';
import { sectionAvailability } from '../../../src/host/panel/sectionAvailability';
import { parseSemanticSettings, semanticIndices, toSemanticParams } from '../../../src/host/panel/semanticSettings';

const invalid = (pattern: RegExp) => (error: unknown) => error instanceof RpcError && error.code === 'invalidParams' && pattern.test(error.message);

test('strict parsers accept the defaults and name the bad field', () => {
  assert.deepEqual(parseNeonSettings(defaultNeonSettings()), defaultNeonSettings());
  assert.deepEqual(parseSemanticSettings(defaultSemanticSettings()), defaultSemanticSettings());
  assert.deepEqual(parseInvarianceSettings(defaultInvarianceSettings()), defaultInvarianceSettings());
  assert.throws(() => parseNeonSettings({ ...defaultNeonSettings(), k: 2.5 }), invalid(/"settings\.k" must be an integer from 2 to 256, got 2\.5/));
  assert.throws(() => parseNeonSettings({ ...defaultNeonSettings(), draws: undefined }), invalid(/"settings\.draws" is missing/));
  assert.throws(() => parseNeonSettings([]), invalid(/"settings" must be an object/));
  assert.throws(() => parseSemanticSettings({ ...defaultSemanticSettings(), background: 2000 }), invalid(/"settings\.background"/));
  assert.throws(() => parseInvarianceSettings({ ...defaultInvarianceSettings(), stepSize: 0 }), invalid(/"settings\.stepSize" must be a number above 0/));
  assert.throws(() => parseInvarianceSettings({ ...defaultInvarianceSettings(), baseline: 'mean' }), invalid(/"settings\.baseline"/));
});

test('restores keep each valid saved field and repair the others', () => {
  assert.deepEqual(restoreNeonSettings({ model: 'kmeans', explain: 'inlierness', k: 300, draws: 20 }), { ...defaultNeonSettings(), draws: 20 });
  assert.deepEqual(restoreNeonSettings(null), defaultNeonSettings());
  assert.deepEqual(restoreInvarianceSettings({ sigma: 2.5, count: 0 }), { ...defaultInvarianceSettings(), sigma: 2.5 });
});

test('engine params carry only what applies', () => {
  const s = { ...defaultSemanticSettings(), representation: 'vae' as const, scope: 'global' as const, examples: 3 };
  assert.deepEqual(semanticIndices(s, 7, 8), [7, 0, 1]);
  assert.deepEqual(toSemanticParams(s, '/m.json', 'c2', [7, 0, 1]).representation, { kind: 'vae', checkpoint: 'c2' });
  const d = toInvarianceParams('divergence', defaultInvarianceSettings(), '/m.json', 'c', 4);
  assert.deepEqual(d, { manifestPath: '/m.json', checkpoint: 'c', kind: 'divergence', testIndices: [4], baseline: 'train', background: 32, samples: 50 });
  assert.deepEqual(toInvarianceParams('curve', defaultInvarianceSettings(), '/m.json', 'c', 4), { manifestPath: '/m.json', checkpoint: 'c', kind: 'curve', examples: 100, count: 20 });
});

test('availability: semantic needs a class output and images or a decoder; invariances a supervised VAE with decoder and classifier', () => {
  const base = { version: 1, checkpoints: [{ path: 'c', epoch: 1, learningRate: 0.1 }], train: { path: 't.npy' }, test: { path: 's.npy' }, representationLayer: 'z' };
  const classifier = parseManifest(JSON.stringify({ ...base, loss: { kind: 'crossEntropy' } }), '/r/modeldebug.json');
  assert.deepEqual(sectionAvailability({ manifest: classifier, view: 'image', hasClassOutput: true }).semantic, { available: true });
  assert.match(sectionAvailability({ manifest: classifier, view: 'tabular', hasClassOutput: true }).semantic.reason!, /images/);
  const vae = (objective: string, extra: object = {}) =>
    parseManifest(JSON.stringify({ ...base, loss: { kind: 'vae' }, vae: { objective, latentDim: 6, classDims: objective === 'supervised' ? 4 : undefined, muLayer: 'm', logVarLayer: 'l', decoder: 'd', ...extra } }), '/r/modeldebug.json');
  assert.match(sectionAvailability({ manifest: vae('betaVae'), view: 'image', hasClassOutput: false }).invariance.reason!, /"betaVae"/);
  assert.match(sectionAvailability({ manifest: vae('supervised'), view: 'image', hasClassOutput: false }).invariance.reason!, /classifier/);
  const ok = sectionAvailability({ manifest: vae('supervised', { classifier: 'k' }), view: 'image', hasClassOutput: false });
  assert.equal(ok.invariance.available, true);
  assert.equal(ok.semanticVae.available, true);
});
