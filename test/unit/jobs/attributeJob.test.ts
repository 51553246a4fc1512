import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { ATTRIBUTE_METHOD_NAMES, type AttributeMethodSpec, type AttributeParams } from '../../../src/protocol/engineProtocol';
import { ATTRIBUTION_METHODS } from '../../../src/engine/attribution/requests';
import { createAttributionCache } from '../../../src/engine/cache/attributionCache';
import { attribute } from '../../../src/engine/jobs/attributeJob';
import { RunStore } from '../../../src/engine/run/runStore';
import { expectClose } from '../metrics/testUtils';
import { CLASSES, classifierWeights, encode, example, FEATURES, jobContext, LATENT, overwriteClassifier, probabilities, TABULAR_COLUMNS, TRAIN_COUNT, writeTabularRun, writeTinyRuns, type TinyRuns } from './fixtures';

let runs: TinyRuns;
const store = new RunStore();

before(async () => {
  await tf.setBackend('cpu');
  runs = await writeTinyRuns(await mkdtemp(path.join(tmpdir(), 'modeldebug-jobs-')));
});

after(async () => {
  store.dispose();
  await rm(runs.dir, { recursive: true, force: true });
});

function params(overrides: Partial<AttributeParams>): AttributeParams {
  return { manifestPath: runs.classifierManifest, checkpoint: runs.checkpoints[0]!.path, testIndex: 2, method: { method: 'integratedGradients', steps: 8 }, target: { kind: 'labelFree' }, ...overrides };
}

function trainMean(): Float64Array {
  const mean = new Float64Array(FEATURES);
  for (let n = 0; n < TRAIN_COUNT; n++) for (let i = 0; i < FEATURES; i++) mean[i] += runs.train[n * FEATURES + i]! / TRAIN_COUNT;
  return mean;
}

test('IG of a linear latent unit through the request path is (x - baseline) ⊙ w, for the zeros, constant and training-mean baselines', async () => {
  const w = runs.checkpoints[0]!.weights;
  const x = example(runs.test, 2);
  const mean = trainMean();
  const baselines: Array<[AttributeParams['baseline'], (i: number) => number]> = [
    [undefined, () => 0],
    [{ kind: 'constant', value: 0.3 }, () => 0.3],
    [{ kind: 'mean' }, (i) => mean[i]!],
  ];
  for (const [baseline, at] of baselines) {
    for (let unit = 0; unit < LATENT; unit++) {
      const result = await attribute(params({ target: { kind: 'latentUnit', unit }, baseline }), jobContext(store));
      assert.deepEqual(result.shape, [4, 4, 1]);
      assert.deepEqual(result.target, { kind: 'latentUnit', unit });
      assert.equal(result.labelFree, true);
      assert.equal(result.maps.length, 1);
      const expected = Float64Array.from({ length: FEATURES }, (_, i) => (x[i]! - at(i)) * w.W[i * LATENT + unit]!);
      expectClose(result.maps[0]!.values, expected, 1e-5, 1e-4);
      const c = result.maps[0]!.completeness!;
      expectClose(c.sum, c.expected, 1e-5, 1e-4);
    }
  }
});

test('allUnits gives one map per unit, and sum_j f_j(x) a(f_j) is the label-free IG map', async () => {
  const w = runs.checkpoints[0]!.weights;
  const x = example(runs.test, 2);
  const f = encode(w, x);
  const baseline = { kind: 'constant' as const, value: 0.1 };
  const units = await attribute(params({ target: { kind: 'allUnits' }, baseline }), jobContext(store));
  assert.deepEqual(units.target, { kind: 'allUnits', units: LATENT });
  assert.deepEqual(units.maps.map((m) => m.unit), [0, 1, 2]);
  const labelFree = await attribute(params({ target: { kind: 'labelFree' }, baseline }), jobContext(store));
  const combined = Float64Array.from({ length: FEATURES }, (_, i) => units.maps.reduce((s, m, j) => s + f[j]! * m.values[i]!, 0));
  expectClose(labelFree.maps[0]!.values, combined, 1e-5, 1e-4);
  // And both agree with the closed form x_i - 0.1 times (W f(x))_i.
  const closed = Float64Array.from({ length: FEATURES }, (_, i) => (x[i]! - 0.1) * f.reduce((s, fj, j) => s + fj * w.W[i * LATENT + j]!, 0));
  expectClose(labelFree.maps[0]!.values, closed, 1e-5, 1e-4);
});

test('probability-weighted equals sum_j p_j(x) times the class-j maps, and a class target without an index explains the argmax', async () => {
  const x = example(runs.test, 4);
  const p = probabilities(runs.checkpoints[0]!.weights, x);
  const method: AttributeMethodSpec = { method: 'integratedGradients', steps: 12, rule: 'gauss_legendre' };
  const weighted = await attribute(params({ testIndex: 4, method, target: { kind: 'probabilityWeighted' } }), jobContext(store));
  assert.equal(weighted.labelFree, false);
  const sum = new Float64Array(FEATURES);
  for (let k = 0; k < CLASSES; k++) {
    const perClass = await attribute(params({ testIndex: 4, method, target: { kind: 'class', classIndex: k } }), jobContext(store));
    assert.deepEqual(perClass.target, { kind: 'class', classIndex: k, className: ['zero', 'one', 'two'][k] });
    for (let i = 0; i < FEATURES; i++) sum[i] += p[k]! * perClass.maps[0]!.values[i]!;
  }
  expectClose(weighted.maps[0]!.values, sum, 1e-6, 1e-4);
  const argmax = await attribute(params({ testIndex: 4, method, target: { kind: 'class' } }), jobContext(store));
  assert.equal(argmax.target.kind === 'class' && argmax.target.classIndex, p.indexOf(Math.max(...p)));
});

test('DeepLIFT on the linear encoder equals the exact IG map; propagation explains class logits and says so', async () => {
  const w = runs.checkpoints[0]!.weights;
  const x = example(runs.test, 1);
  const lift = await attribute(params({ testIndex: 1, method: { method: 'deepLift' }, target: { kind: 'latentUnit', unit: 1 } }), jobContext(store));
  expectClose(lift.maps[0]!.values, Float64Array.from({ length: FEATURES }, (_, i) => x[i]! * w.W[i * LATENT + 1]!), 1e-5, 1e-4);
  assert.deepEqual(lift.settings, { method: 'deepLift', baseline: { kind: 'zeros' } });
  const logit = await attribute(params({ testIndex: 1, method: { method: 'lrp', rule: 'epsilon', epsilon: 0 }, target: { kind: 'class', classIndex: 2 } }), jobContext(store));
  assert.match(logit.notes?.join(' ') ?? '', /logit of class 2, before the softmax of layer 'head'/);
});

test('every method runs through the request path on every target kind, leaving no tensors behind', async () => {
  assert.deepEqual([...ATTRIBUTE_METHOD_NAMES].sort(), [...ATTRIBUTION_METHODS, 'deepLift', 'lrp'].sort(), 'the protocol lists every registry method');
  const methods: AttributeMethodSpec[] = [
    { method: 'saliency' },
    { method: 'gradientXInput' },
    { method: 'integratedGradients', steps: 4 },
    { method: 'gradientShap', samples: 6 },
    { method: 'smoothGrad', samples: 3 },
    { method: 'occlusion' },
    { method: 'featureAblation' },
    { method: 'kernelShap', samples: 20 },
    { method: 'lime', samples: 20 },
    { method: 'deepLift' },
    { method: 'lrp' },
  ];
  const context = jobContext(store, createAttributionCache(0));
  await attribute(params({}), context);
  for (const method of methods) {
    for (const target of [{ kind: 'labelFree' }, { kind: 'allUnits' }, { kind: 'class' }, { kind: 'probabilityWeighted' }] as const) {
      const before = tf.memory().numTensors;
      const result = await attribute(params({ method, target }), context);
      assert.equal(tf.memory().numTensors, before, `${method.method} on ${target.kind} leaked tensors`);
      assert.equal(result.maps.length, target.kind === 'allUnits' ? LATENT : 1);
      for (const map of result.maps) {
        assert.equal(map.values.length, FEATURES);
        assert.ok(map.values.every(Number.isFinite), `${method.method} on ${target.kind}`);
      }
    }
  }
});

test('a class target on an autoencoder is an error that names the target and suggests label-free targets', async () => {
  for (const kind of ['class', 'probabilityWeighted'] as const) {
    await assert.rejects(
      attribute(params({ manifestPath: runs.autoencoderManifest, checkpoint: undefined, target: { kind } }), jobContext(store)),
      (e: Error & { code?: string }) => e.code === 'invalidParams' && /^target\.kind/.test(e.message) && /loss is "reconstruction"/.test(e.message) && /labelFree/.test(e.message),
    );
  }
  const ok = await attribute(params({ manifestPath: runs.autoencoderManifest, checkpoint: undefined, target: { kind: 'allUnits' } }), jobContext(store));
  assert.equal(ok.maps.length, 2);
});

test('a repeated request is served from the cache with identical values; rewriting the checkpoint invalidates it', async () => {
  const cache = createAttributionCache();
  const request = params({ checkpoint: runs.checkpoints[1]!.path, target: { kind: 'latentUnit', unit: 0 } });
  const first = await attribute(request, jobContext(store, cache));
  const second = await attribute({ ...request, method: { steps: 8, method: 'integratedGradients' } }, jobContext(store, cache));
  assert.equal(first.cached, false);
  assert.equal(second.cached, true);
  assert.deepEqual(second.maps, first.maps);
  second.maps[0]!.values[0] = 1e9;
  assert.notEqual((await attribute(request, jobContext(store, cache))).maps[0]!.values[0], 1e9, 'callers get copies of cached maps');

  const fresh = classifierWeights(99);
  await overwriteClassifier(runs.checkpoints[1]!.file, fresh, 10);
  const third = await attribute(request, jobContext(store, cache));
  assert.equal(third.cached, false);
  const x = example(runs.test, 2);
  expectClose(third.maps[0]!.values, Float64Array.from({ length: FEATURES }, (_, i) => x[i]! * fresh.W[i * LATENT]!), 1e-5, 1e-4);
});

test('a cancelled request stops with an AbortError', async () => {
  const controller = new AbortController();
  controller.abort();
  await assert.rejects(attribute(params({ method: { method: 'integratedGradients', steps: 32 } }), jobContext(store, createAttributionCache(), controller.signal)), { name: 'AbortError' });
});

test('tabular rows: column names come back, each column is its own feature group, and KernelSHAP of a linear unit is w_i (x_i - baseline_i)', async () => {
  const W = Float32Array.from([0.5, -1, 2, 0.25, -1.5, 1]);
  const { manifest, rows } = await writeTabularRun(runs.dir, W, Float32Array.from([0.1, -0.2]));
  const result = await attribute(
    { manifestPath: manifest, testIndex: 2, method: { method: 'kernelShap' }, target: { kind: 'latentUnit', unit: 1 }, baseline: { kind: 'constant', value: 0.5 } },
    jobContext(store),
  );
  assert.deepEqual(result.columns, TABULAR_COLUMNS);
  assert.deepEqual(result.shape, [3]);
  assert.deepEqual(Array.from((result.settings.features as { values: Int32Array }).values), [0, 1, 2]);
  // With three features KernelSHAP enumerates every coalition: the exact Shapley values of a linear function.
  expectClose(result.maps[0]!.values, rows[2]!.map((x, i) => W[i * 2 + 1]! * (x - 0.5)), 1e-5, 1e-4);
  const ignored = await attribute({ manifestPath: manifest, testIndex: 0, method: { method: 'saliency' }, target: { kind: 'labelFree' }, baseline: { kind: 'mean' } }, jobContext(store));
  assert.match(ignored.notes?.join(' ') ?? '', /saliency takes no baseline/);
});
