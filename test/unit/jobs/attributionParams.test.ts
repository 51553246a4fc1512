import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { RpcError } from '../../../src/protocol/rpc';
import { attribute } from '../../../src/engine/jobs/attributeJob';
import type { AttributionJobContext } from '../../../src/engine/jobs/attributionJobContext';
import { compareRepresentations } from '../../../src/engine/jobs/compareRepresentationsJob';
import { consistency } from '../../../src/engine/jobs/consistencyJob';
import { latentUnits } from '../../../src/engine/jobs/latentUnitsJob';
import { sanityCheck } from '../../../src/engine/jobs/sanityCheckJob';
import { RunStore } from '../../../src/engine/run/runStore';
import { jobContext, writeTinyRuns, type TinyRuns } from './fixtures';

let runs: TinyRuns;
const store = new RunStore();

before(async () => {
  await tf.setBackend('cpu');
  runs = await writeTinyRuns(await mkdtemp(path.join(tmpdir(), 'modeldebug-params-')));
});

after(async () => {
  store.dispose();
  await rm(runs.dir, { recursive: true, force: true });
});

type Job = (params: unknown, context: AttributionJobContext) => Promise<unknown>;

async function expectInvalid(job: Job, params: unknown, pattern: RegExp): Promise<void> {
  await assert.rejects(job(params, jobContext(store)), (error: unknown) => {
    assert.ok(error instanceof RpcError, `expected an RpcError for ${JSON.stringify(params)}, got ${String(error)}`);
    assert.equal(error.code, 'invalidParams', error.message);
    assert.match(error.message, pattern);
    return true;
  });
}

test('attribution/run names the offending field of every bad param', async () => {
  const good = { manifestPath: runs.classifierManifest, testIndex: 0, method: { method: 'saliency' }, target: { kind: 'labelFree' } };
  const cases: Array<[unknown, RegExp]> = [
    [null, /^params must be an object/],
    [[good], /^params must be an object/],
    [{ ...good, manifestPath: '' }, /^manifestPath must be a non-empty string/],
    [{ ...good, manifestPath: 3 }, /^manifestPath must be/],
    [{ ...good, checkpoint: 5 }, /^checkpoint must be/],
    [{ ...good, testIndex: undefined }, /^testIndex must be an integer/],
    [{ ...good, testIndex: -1 }, /^testIndex must be an integer in 0\.\./],
    [{ ...good, testIndex: 1.5 }, /^testIndex must be an integer/],
    [{ ...good, testIndex: 6 }, /^testIndex is 6, outside 0\.\.5 \(.*test-x\.npy\)/],
    [{ ...good, method: 'saliency' }, /^method must be an object/],
    [{ ...good, method: { method: 'deepDream' } }, /^method\.method must be one of saliency, .*lrp/],
    [{ ...good, method: { method: 'integratedGradients', steps: 0 } }, /^method\.steps must be an integer/],
    [{ ...good, method: { method: 'integratedGradients', stepz: 3 } }, /^method\.stepz is not a known setting/],
    [{ ...good, method: { method: 'smoothGrad', base: { method: 'lime' } } }, /^method\.base\.method must be one of/],
    [{ ...good, method: { method: 'lrp', rule: 'omega' } }, /^method\.rule must be one of epsilon, gamma, alphabeta, zplus/],
    [{ ...good, method: { method: 'lrp', rule: 'alphabeta', alpha: 3, beta: 1 } }, /^method alpha - beta must equal 1/],
    [{ ...good, method: { method: 'deepLift', rule: 'x' } }, /^method\.rule is not a known field/],
    [{ ...good, target: undefined }, /^target\.kind must be one of class, probabilityWeighted, labelFree, latentUnit, allUnits/],
    [{ ...good, target: { kind: 'latentUnit' } }, /^target\.unit is required/],
    [{ ...good, target: { kind: 'latentUnit', unit: 3 } }, /^target\.unit is 3, but the representation layer has 3 units/],
    [{ ...good, target: { kind: 'class', classIndex: 3 } }, /^target\.classIndex is 3, but the model has 3 classes/],
    [{ ...good, target: { kind: 'class', classIndex: 'two' } }, /^target\.classIndex must be an integer/],
    [{ ...good, target: { kind: 'labelFree', unit: 1 } }, /^target\.unit is not a known field/],
    [{ ...good, baseline: { kind: 'blur' } }, /^baseline\.sigma is required/],
    [{ ...good, baseline: { kind: 'sepia' } }, /^baseline\.kind must be one of/],
    [{ ...good, method: { method: 'integratedGradients', baseline: { kind: 'zeros' } }, baseline: { kind: 'mean' } }, /^method\.baseline and baseline are both given/],
    [{ ...good, batchSize: 0 }, /^batchSize must be an integer in 1\.\.4096/],
    [{ ...good, extra: true }, /^extra is not a known field/],
  ];
  for (const [params, pattern] of cases) await expectInvalid(attribute, params, pattern);
});

test('the checks name their bad params too', async () => {
  const common = { manifestPath: runs.classifierManifest, method: { method: 'saliency' } };
  await expectInvalid(latentUnits, { ...common, testIndices: [] }, /^testIndices must be a list of 1 to 64/);
  await expectInvalid(latentUnits, { ...common, testIndices: [0, 0] }, /^testIndices\[1\] repeats example 0/);
  await expectInvalid(latentUnits, { ...common, testIndices: [0, 9] }, /^testIndices\[1\] is 9, outside 0\.\.5/);
  await expectInvalid(latentUnits, { ...common, testIndices: [0], relativeThreshold: 2 }, /^relativeThreshold must be a number in \[0, 0\.999\]/);
  await expectInvalid(latentUnits, { ...common, testIndices: [0], target: { kind: 'allUnits' } }, /^target is not a known field/);
  const checks = { ...common, testIndices: [0, 1], target: { kind: 'labelFree' } };
  await expectInvalid(consistency, { ...checks, target: { kind: 'allUnits' } }, /^target\.kind cannot be allUnits/);
  await expectInvalid(consistency, { ...checks, fractions: [0.5, 2] }, /^fractions\[1\] must be a number in \[0, 1\]/);
  await expectInvalid(consistency, { ...checks, fractions: [0] }, /^fractions\[0\] must be a number in \(0, 1\]/);
  await expectInvalid(consistency, { ...checks, randomMasks: 0 }, /^randomMasks must be an integer/);
  await expectInvalid(consistency, { ...checks, rankBy: 'magnitude' }, /^rankBy must be one of value, absolute/);
  const sanity = { ...common, testIndex: 0, target: { kind: 'labelFree' } };
  await expectInvalid(sanityCheck, { ...sanity, layers: ['enc_nope'] }, /^layers\[0\] "enc_nope" is not a layer of the model/);
  await expectInvalid(sanityCheck, { ...sanity, layers: ['enc_flatten'] }, /^layers\[0\] "enc_flatten" has no trainable weights/);
  await expectInvalid(sanityCheck, { ...sanity, seed: -1 }, /^seed must be an integer/);
  await expectInvalid(compareRepresentations, { manifestPath: runs.classifierManifest, testIndices: [0], other: {} }, /^other must name a manifestPath, a checkpoint or both/);
  await expectInvalid(compareRepresentations, { manifestPath: runs.classifierManifest, testIndices: [0], other: { checkpont: 'x' } }, /^other\.checkpont is not a known field/);
});
