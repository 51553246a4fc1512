/**
 * NEON, semantic Shapley values and invariances end to end on the host: a fake
 * page, the real PageChannel and PanelSession, and the harness's fake engine.
 * Checks what reaches the engine, what the page gets, caching, progress,
 * cancellation, refusals naming the field, and section availability.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RpcError } from '../../../src/protocol/rpc';
import { InvarianceRequest, NeonRequest, SemanticShapleyRequest, type InvarianceParams, type NeonParams, type SemanticShapleyParams } from '../../../src/protocol/engineProtocol';
import { parseManifest } from '../../../src/protocol/manifest';
import {
  defaultInvarianceSettings,
  defaultNeonSettings,
  defaultSemanticSettings,
  PanelInvarianceRequest,
  PanelNeonRequest,
  PanelReadyRequest,
  PanelSemanticRequest,
} from '../../../src/protocol/webviewProtocol';
import { harness, manifest, manifestPath } from './fixtures/panelHarness';

const classifier = parseManifest(JSON.stringify({ ...manifest, loss: { kind: 'crossEntropy' }, classNames: ['a', 'b', 'c'] }), manifestPath);
const supervisedVae = parseManifest(
  JSON.stringify({
    ...manifest,
    checkpoints: manifest.checkpoints.map((c) => ({ ...c, decoder: `${c.path}-decoder`, classifier: `${c.path}-classifier` })),
    loss: { kind: 'vae', beta: 0.9 },
    representationLayer: 'z_mean',
    vae: { objective: 'supervised', latentDim: 6, classDims: 4, alpha: 60, muLayer: 'z_mean', logVarLayer: 'z_log_var', decoder: 'dec', classifier: 'cls', labelledEncoder: 'le' },
  }),
  manifestPath,
);

async function rejects(promise: Promise<unknown>, pattern: RegExp): Promise<void> {
  await assert.rejects(promise, (error: unknown) => error instanceof RpcError && error.code === 'invalidParams' && pattern.test(error.message));
}

test('NEON: k-means cluster membership of the shown example in representation space, drawn on the grid with value, cluster, conservation and fit summary; cached', async () => {
  const h = harness();
  const init = await h.page.call(PanelReadyRequest, {});
  assert.deepEqual(init.neon, defaultNeonSettings());
  assert.equal(init.sections.neon.available, true);
  const progress: string[] = [];
  const result = await h.page.call(PanelNeonRequest, { testIndex: 3, settings: { ...init.neon, k: 4 } }, { onProgress: (p) => progress.push(p.message) });
  const sent = h.engine.of(NeonRequest.method)[0]!.params as NeonParams;
  assert.deepEqual(sent, { manifestPath, space: 'representation', checkpoint: 'checkpoints/epoch-2/model.json', model: { kind: 'kmeans', k: 4 }, explain: 'clusterMembership', testIndices: [3] });
  assert.deepEqual(result.relevance.values.map((v) => Math.round(v * 10)), [1, 2, 3, 4]);
  assert.deepEqual([result.input.height, result.input.width], [2, 2]);
  assert.equal(result.cluster, 1);
  assert.equal(result.value, 1.1);
  assert.equal(result.conservation.dissipated, 0.1);
  assert.equal(result.model.kind, 'kmeans');
  assert.ok(!('centroids' in result.model), 'the centroids stay on the host');
  assert.deepEqual(result.model.kind === 'kmeans' && result.model.restartObjectives, [5, 4, 6]);
  assert.equal(result.layer, 'enc_latent');
  assert.equal(result.cached, false);
  assert.deepEqual(progress, ['fitting'], 'progress reaches the page');
  assert.match(h.ui.progressTitles[0]!, /NEON cluster membership of test example #3/);
  assert.equal(h.ui.progress[0]!.etaSeconds, 3, 'and the notification, with the ETA');
  const again = await h.page.call(PanelNeonRequest, { testIndex: 3, settings: { ...init.neon, k: 4 } });
  assert.equal(again.cached, true);
  assert.equal(h.engine.of(NeonRequest.method).length, 1);
});

test('NEON: inlierness sends H and draws and gets the std map and value ± std; γ 0 is the median heuristic; input space names no checkpoint', async () => {
  const h = harness();
  await h.page.call(PanelReadyRequest, {});
  const settings = { ...defaultNeonSettings(), model: 'kde' as const, explain: 'inlierness' as const, space: 'input' as const, features: 500, draws: 5 };
  const result = await h.page.call(PanelNeonRequest, { testIndex: 0, settings });
  const sent = h.engine.of(NeonRequest.method)[0]!.params as NeonParams;
  assert.deepEqual(sent, { manifestPath, space: 'input', model: { kind: 'kde' }, explain: 'inlierness', testIndices: [0], features: 500, draws: 5 });
  assert.deepEqual(result.relevanceStd!.map((v) => Math.round(v * 100)), [1, 2, 3, 4]);
  assert.equal(result.valueStd, 0.05);
  assert.equal(result.exactDensity, 1.2);
  assert.deepEqual(result.model, { kind: 'kde', gamma: 0.5, gammaSource: 'median' });
  await h.page.call(PanelNeonRequest, { testIndex: 0, settings: { ...settings, explain: 'outlierness', gamma: 2 } });
  assert.deepEqual((h.engine.of(NeonRequest.method)[1]!.params as NeonParams).model, { kind: 'kde', gamma: 2 });
});

test('malformed section requests are refused naming the field, and nothing reaches the engine', async () => {
  const h = harness({ manifest: classifier, lossKind: 'crossEntropy' });
  await h.page.call(PanelReadyRequest, {});
  const neon = defaultNeonSettings();
  await rejects(h.page.call(PanelNeonRequest, { testIndex: 0, settings: { ...neon, k: 1 } }), /"settings\.k"/);
  await rejects(h.page.call(PanelNeonRequest, { testIndex: 0, settings: { ...neon, explain: 'outlierness' } }), /"settings\.explain"/);
  await rejects(h.page.call(PanelNeonRequest, { testIndex: 0, settings: { ...neon, extra: 1 } as never }), /"settings\.extra" is not a known setting/);
  await rejects(h.page.call(PanelNeonRequest, { testIndex: 99, settings: neon }), /"testIndex"/);
  await rejects(h.page.call(PanelNeonRequest, { testIndex: 0, settings: neon, rogue: true } as never), /"rogue"/);
  await rejects(h.page.call(PanelSemanticRequest, { testIndex: 0, settings: { ...defaultSemanticSettings(), bins: 0 } }), /"settings\.bins"/);
  await rejects(h.page.call(PanelSemanticRequest, { testIndex: 0, settings: { ...defaultSemanticSettings(), representation: 'vae' } }), /"settings\.representation"/);
  await rejects(h.page.call(PanelSemanticRequest, { testIndex: 0, settings: { ...defaultSemanticSettings(), scope: 'everything' as never } }), /"settings\.scope"/);
  await rejects(h.page.call(PanelInvarianceRequest, { testIndex: 0, kind: 'curve', settings: { ...defaultInvarianceSettings(), sigma: 0 } }), /"settings\.sigma"/);
  await rejects(h.page.call(PanelInvarianceRequest, { testIndex: 0, kind: 'nope' as never, settings: defaultInvarianceSettings() }), /"params\.kind"/);
  await rejects(h.page.call(PanelInvarianceRequest, { testIndex: 0, kind: 'samples', settings: defaultInvarianceSettings() }), /supervised VAE/);
  for (const method of [NeonRequest.method, SemanticShapleyRequest.method, InvarianceRequest.method]) assert.equal(h.engine.of(method).length, 0, method);
  assert.deepEqual(h.ui.errors, [], 'refusals are the page\u2019s to show, not error notifications');
});

test('semantic Shapley values: Fourier bins of the predicted class, local, then global over N examples from the shown one (wrapping)', async () => {
  const h = harness({ manifest: classifier, lossKind: 'crossEntropy' });
  const init = await h.page.call(PanelReadyRequest, {});
  assert.equal(init.sections.semantic.available, true);
  assert.equal(init.sections.semanticVae.available, false);
  const local = await h.page.call(PanelSemanticRequest, { testIndex: 2, settings: { ...init.semantic, bins: 4 } });
  const sent = h.engine.of(SemanticShapleyRequest.method)[0]!.params as SemanticShapleyParams;
  assert.deepEqual(sent, { manifestPath, checkpoint: 'checkpoints/epoch-2/model.json', representation: { kind: 'fourier', bins: 4 }, target: { kind: 'class' }, testIndices: [2], scope: 'local', background: 32 });
  assert.deepEqual(local.featureNames, ['band 0', 'band 1', 'band 2', 'band 3']);
  assert.deepEqual(local.example.standardErrors, [0.01, 0.01, 0.01, 0.01]);
  assert.equal(local.representationText, 'Fourier radius, 4 bins');
  assert.equal(local.global, undefined);
  const global = await h.page.call(PanelSemanticRequest, { testIndex: 6, settings: { ...init.semantic, scope: 'global', examples: 4 } });
  assert.deepEqual((h.engine.of(SemanticShapleyRequest.method)[1]!.params as SemanticShapleyParams).testIndices, [6, 7, 0, 1]);
  assert.deepEqual(global.global!.exampleIndices, [6, 7, 0, 1]);
  assert.equal(global.example.index, 6);
});

test('availability: an autoencoder has no semantic section and no invariances, each with a reason; a supervised VAE has invariances', async () => {
  const h = harness();
  const init = await h.page.call(PanelReadyRequest, {});
  assert.equal(init.sections.semantic.available, false);
  assert.match(init.sections.semantic.reason!, /class output/);
  assert.equal(init.sections.invariance.available, false);
  assert.match(init.sections.invariance.reason!, /no "vae" section/);
  await rejects(h.page.call(PanelSemanticRequest, { testIndex: 0, settings: defaultSemanticSettings() }), /class output/);
  const vae = harness({ manifest: supervisedVae, lossKind: 'vae' });
  const vaeInit = await vae.page.call(PanelReadyRequest, {});
  assert.equal(vaeInit.sections.invariance.available, true);
  assert.equal(vaeInit.sections.semanticVae.available, true);
  assert.equal(vaeInit.sections.semantic.available, false, 'the VAE itself has no class output to explain');
});

test('invariances: samples, the curve (one cache entry for every shown example), counterfactuals and the z1 / z2 divergence maps', async () => {
  const h = harness({ manifest: supervisedVae, lossKind: 'vae' });
  const init = await h.page.call(PanelReadyRequest, {});
  const settings = init.invariance;
  const samples = await h.page.call(PanelInvarianceRequest, { testIndex: 1, kind: 'samples', settings: { ...settings, sigma: 2, count: 2 } });
  assert.equal(samples.kind, 'samples');
  if (samples.kind !== 'samples') return;
  assert.deepEqual(h.engine.of(InvarianceRequest.method)[0]!.params, { manifestPath, checkpoint: 'checkpoints/epoch-2/model.json', kind: 'samples', testIndices: [1], count: 2, sigma: 2 } satisfies InvarianceParams);
  assert.deepEqual(samples.samples.map((s) => [s.predicted, s.matches]), [[1, true], [2, false]]);
  assert.equal(samples.reconstruction.values.length, 4);
  const curve = await h.page.call(PanelInvarianceRequest, { testIndex: 1, kind: 'curve', settings });
  assert.equal(curve.kind, 'curve');
  assert.deepEqual((h.engine.of(InvarianceRequest.method)[1]!.params as InvarianceParams & { examples?: number }).examples, 8, 'at most the test set');
  const curveAgain = await h.page.call(PanelInvarianceRequest, { testIndex: 5, kind: 'curve', settings });
  assert.equal(curveAgain.cached, true);
  const counterfactuals = await h.page.call(PanelInvarianceRequest, { testIndex: 1, kind: 'counterfactuals', settings });
  assert.ok(counterfactuals.kind === 'counterfactuals' && counterfactuals.counterfactuals[2]!.decoded === undefined && counterfactuals.counterfactuals[0]!.decoded!.predicted === 0);
  const divergence = await h.page.call(PanelInvarianceRequest, { testIndex: 1, kind: 'divergence', settings: { ...settings, baseline: 'invariant' } });
  assert.ok(divergence.kind === 'divergence');
  if (divergence.kind !== 'divergence') return;
  assert.deepEqual(divergence.maps.map((m) => [m.k, m.map.completeness?.sum, m.absoluteSum]), [[1, 1, 1], [2, -0.5, 0.5]]);
  const sent = h.engine.of(InvarianceRequest.method).at(-1)!.params as InvarianceParams;
  assert.ok(sent.kind === 'divergence' && sent.baseline === 'invariant' && sent.sigma === 1);
});

test('Cancel on the page or on the notification stops the engine job; a later request runs again', async () => {
  const h = harness();
  await h.page.call(PanelReadyRequest, {});
  let release!: () => void;
  h.engine.sectionGate = new Promise<void>((resolve) => (release = resolve));
  const controller = new AbortController();
  const pending = h.page.call(PanelNeonRequest, { testIndex: 0, settings: defaultNeonSettings() }, { signal: controller.signal });
  await new Promise((resolve) => setTimeout(resolve, 10));
  controller.abort();
  await assert.rejects(pending, (error: unknown) => error instanceof RpcError && error.code === 'cancelled');
  await new Promise((resolve) => setTimeout(resolve, 10));
  assert.equal(h.engine.of(NeonRequest.method)[0]!.signal!.aborted, true);
  const second = h.page.call(PanelNeonRequest, { testIndex: 0, settings: defaultNeonSettings() });
  await new Promise((resolve) => setTimeout(resolve, 10));
  h.ui.cancel();
  await assert.rejects(second, (error: unknown) => error instanceof RpcError && error.code === 'cancelled');
  release();
  const third = await h.page.call(PanelNeonRequest, { testIndex: 0, settings: defaultNeonSettings() });
  assert.equal(third.cached, false);
  assert.deepEqual(h.ui.errors, []);
});

test('a reload restores the sections\u2019 settings, repairing bad saved fields one by one', async () => {
  const h = harness({ manifest: classifier, lossKind: 'crossEntropy' });
  const init = await h.page.call(PanelReadyRequest, {
    restored: {
      manifestPath,
      testIndex: 1,
      neon: { model: 'kde', k: 'ten', gamma: 3, space: 'input', explain: 'clusterMembership', features: 1e9, draws: 4 },
      semantic: { representation: 'vae', bins: 8, scope: 'global', examples: 1, background: 64 },
      invariance: { ...defaultInvarianceSettings(), sigma: -1, count: 3, baseline: 'invariant' },
    } as never,
  });
  assert.deepEqual(init.neon, { model: 'kde', k: 10, gamma: 3, space: 'input', explain: 'outlierness', features: 2500, draws: 4 });
  assert.deepEqual(init.semantic, { representation: 'fourier', bins: 8, scope: 'global', examples: 16, background: 64 });
  assert.deepEqual(init.invariance, { ...defaultInvarianceSettings(), count: 3, baseline: 'invariant' });
  const fresh = await harness().page.call(PanelReadyRequest, { restored: { manifestPath, testIndex: 0, neon: 'junk' } as never });
  assert.deepEqual(fresh.neon, defaultNeonSettings());
});
