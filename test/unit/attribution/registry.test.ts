import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { blurredBaseline } from '../../../src/engine/attribution/baselines';
import { broadcastOverChannels, gridMask } from '../../../src/engine/attribution/featureMask';
import { gradientShap } from '../../../src/engine/attribution/gradientShap';
import { integratedGradients } from '../../../src/engine/attribution/integratedGradients';
import { kernelShap } from '../../../src/engine/attribution/kernelShap';
import { lime } from '../../../src/engine/attribution/lime';
import { occlusion } from '../../../src/engine/attribution/occlusion';
import { runAttribution, type AttributionContext } from '../../../src/engine/attribution/registry';
import { ATTRIBUTION_METHODS, parseAttributionRequest } from '../../../src/engine/attribution/requests';
import { saliencyMethod } from '../../../src/engine/attribution/saliency';
import { smoothGrad } from '../../../src/engine/attribution/smoothGrad';
import { superpixels } from '../../../src/engine/attribution/superpixels';
import type { Attribution } from '../../../src/engine/attribution/types';
import { expectClose, expectNoLeak, seededValues } from '../metrics/testUtils';
import { EVERY_METHOD, tanhMlp, useCpu } from './attributionTestUtils';

before(useCpu);

const shape = [1, 6, 6, 1];
const fn = tanhMlp(36, 5, 111);
const xValues = seededValues(36, 112, 0, 1);
const referenceValues = seededValues(5 * 36, 113, 0, 1);

async function take(result: Attribution): Promise<Float32Array> {
  const values = Float32Array.from(await result.attributions.data());
  result.attributions.dispose();
  return values;
}

test('every method runs through the registry with the input shape, full progress and no leaked tensors', async () => {
  assert.deepEqual(new Set(EVERY_METHOD.map((r) => r.method)), new Set(ATTRIBUTION_METHODS));
  const x = tf.tensor(xValues, shape);
  const referenceData = tf.tensor(referenceValues, [5, 6, 6, 1]);
  for (const request of EVERY_METHOD) {
    await expectNoLeak(async () => {
      let last = 0;
      const result = await runAttribution(request, { target: fn, input: x, referenceData, batchSize: 8, onProgress: (f) => (last = f) });
      assert.equal(result.method, request.method);
      assert.deepEqual(result.attributions.shape, shape, request.method);
      assert.equal(last, 1, `${request.method} reports completion`);
      const values = await take(result);
      assert.ok(values.every(Number.isFinite), request.method);
    });
  }
  tf.dispose([x, referenceData]);
});

test('the registry gives the same results as calling the methods directly', async () => {
  const x = tf.tensor(xValues, shape);
  const referenceData = tf.tensor(referenceValues, [5, 6, 6, 1]);
  const context: AttributionContext = { target: fn, input: x, referenceData };
  await expectNoLeak(async () => {
    const blur = blurredBaseline(x, 1);
    expectClose(await take(await runAttribution(EVERY_METHOD[2]!, context)), await take(await integratedGradients(fn, x, blur, { steps: 8, rule: 'riemann_middle' })), 1e-6, 1e-6);
    expectClose(await take(await runAttribution(EVERY_METHOD[3]!, context)), await take(await gradientShap(fn, x, referenceData, { samples: 12, sigma: 0.1, seed: 3 })), 1e-6, 1e-6);
    const smooth = await smoothGrad(saliencyMethod(fn), x, { samples: 4, sigma: 0.2, seed: 9 });
    expectClose(await take(await runAttribution({ method: 'smoothGrad', base: { method: 'saliency' }, samples: 4, sigma: 0.2, seed: 9 }, context)), await take(smooth), 1e-6, 1e-6);
    const half = tf.fill(shape, 0.5);
    expectClose(await take(await runAttribution(EVERY_METHOD[5]!, context)), await take(await occlusion(fn, x, { window: [2, 2], strides: [2, 2], baseline: half })), 1e-6, 1e-6);
    const segments = broadcastOverChannels(superpixels(xValues, [6, 6, 1], { segments: 4 }), [6, 6, 1]);
    const direct = await kernelShap(fn, x, { featureMask: segments, samples: 40, seed: 1 });
    const viaRegistry = await runAttribution(EVERY_METHOD[7]!, context);
    expectClose(viaRegistry.featureValues!, direct.featureValues, 1e-9, 1e-9);
    assert.deepEqual(viaRegistry.featureIds, direct.featureIds);
    tf.dispose([direct.attributions, viaRegistry.attributions]);
    const grid = gridMask([6, 6, 1], 2, 2);
    const limeDirect = await lime(fn, x, { featureMask: grid, samples: 30, seed: 2, surrogate: 'lasso', alpha: 0.001 });
    expectClose(await take(await runAttribution(EVERY_METHOD[8]!, context)), await take(limeDirect), 1e-9, 1e-9);
    tf.dispose([blur, half]);
  });
  tf.dispose([x, referenceData]);
});

test('request validation names the offending field', () => {
  const cases: Array<[unknown, RegExp]> = [
    [{ method: 'deepDream' }, /request\.method must be one of saliency, gradientXInput/],
    [null, /request\.method must be one of/],
    [{ method: 'integratedGradients', steps: 0 }, /request\.steps must be an integer >= 1/],
    [{ method: 'integratedGradients', rule: 'simpson' }, /request\.rule must be one of riemann_left/],
    [{ method: 'integratedGradients', stepz: 3 }, /request\.stepz is not a known setting/],
    [{ method: 'integratedGradients', baseline: { kind: 'black' } }, /request\.baseline\.kind must be one of zeros/],
    [{ method: 'integratedGradients', baseline: { kind: 'blur' } }, /request\.baseline\.sigma is required/],
    [{ method: 'integratedGradients', baseline: { kind: 'file', values: 'abc', shape: [1] } }, /request\.baseline\.values must be a typed array/],
    [{ method: 'smoothGrad', base: { method: 'occlusion', window: [1] } }, /request\.base\.method must be one of saliency, gradientXInput, integratedGradients, gradientShap/],
    [{ method: 'smoothGrad', base: { method: 'saliency', absolute: 'yes' } }, /request\.base\.absolute must be true or false/],
    [{ method: 'occlusion', window: [] }, /request\.window must be a list of 1 to 8 integers/],
    [{ method: 'occlusion', window: [2, 1.5] }, /request\.window\[1\] must be an integer >= 1/],
    [{ method: 'kernelShap' }, /request\.features\.kind must be one of grid, superpixels, mask/],
    [{ method: 'kernelShap', features: { kind: 'mask', values: [0, -1] } }, /request\.features\.values\[1\] must be a non-negative 32-bit integer/],
    [{ method: 'lime', features: { kind: 'grid', cellHeight: 2, cellWidth: 2 }, kernelWidth: 0 }, /request\.kernelWidth must be a finite number > 0/],
    [{ method: 'gradientShap', seed: 1.5 }, /request\.seed must be an integer/],
  ];
  for (const [raw, pattern] of cases) assert.throws(() => parseAttributionRequest(raw), pattern, JSON.stringify(raw));
  const file = parseAttributionRequest({ method: 'integratedGradients', baseline: { kind: 'file', values: [1, 2], shape: [2], file: 'b.npy' } });
  assert.ok(file.method === 'integratedGradients' && file.baseline?.kind === 'file' && file.baseline.values instanceof Float32Array);
  for (const request of EVERY_METHOD) assert.deepEqual(parseAttributionRequest(JSON.parse(JSON.stringify(request))), request);
});

test('the registry reports what a request needs from its context', async () => {
  const x = tf.tensor(xValues, shape);
  await assert.rejects(runAttribution({ method: 'integratedGradients', baseline: { kind: 'mean' } }, { target: fn, input: x }), /the "mean" baseline needs reference data/);
  await assert.rejects(runAttribution({ method: 'gradientShap', baselines: 'reference' }, { target: fn, input: x }), /needs reference data/);
  await assert.rejects(runAttribution({ method: 'kernelShap', features: { kind: 'mask', values: Int32Array.of(0, 1) } }, { target: fn, input: x }), /featureMask has 2 entries but one example of input has 36/);
  const flat = tf.zeros([1, 36]);
  await assert.rejects(runAttribution({ method: 'lime', features: { kind: 'superpixels' } }, { target: fn, input: flat }), /image features need an example shape/);
  tf.dispose([x, flat]);
});
