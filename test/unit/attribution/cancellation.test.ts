import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { runAttribution } from '../../../src/engine/attribution/registry';
import { expectNoLeak, seededValues } from '../metrics/testUtils';
import { EVERY_METHOD, tanhMlp, useCpu } from './attributionTestUtils';

before(useCpu);

const shape = [1, 6, 6, 1];
const fn = tanhMlp(36, 5, 121);

function isAbortError(error: unknown): boolean {
  return error instanceof Error && error.name === 'AbortError';
}

test('an already-aborted signal rejects every method with AbortError and leaks no tensors', async () => {
  const x = tf.tensor(seededValues(36, 122, 0, 1), shape);
  const referenceData = tf.tensor(seededValues(4 * 36, 123, 0, 1), [4, 6, 6, 1]);
  const controller = new AbortController();
  controller.abort();
  for (const request of EVERY_METHOD) {
    await expectNoLeak(async () => {
      let calls = 0;
      const target = (t: tf.Tensor) => {
        calls++;
        return fn(t);
      };
      await assert.rejects(runAttribution(request, { target, input: x, referenceData, signal: controller.signal }), isAbortError, request.method);
      assert.equal(calls, 0, `${request.method} must not evaluate the model once aborted`);
    });
  }
  tf.dispose([x, referenceData]);
});

test('aborting between chunks stops a run with AbortError and leaks no tensors', async () => {
  const x = tf.tensor(seededValues(36, 124, 0, 1), shape);
  const referenceData = tf.tensor(seededValues(4 * 36, 125, 0, 1), [4, 6, 6, 1]);
  // Saliency and gradient x input are one chunk: there is no "between" to abort in.
  for (const request of EVERY_METHOD.filter((r) => r.method !== 'saliency' && r.method !== 'gradientXInput')) {
    await expectNoLeak(async () => {
      const controller = new AbortController();
      let reports = 0;
      const run = runAttribution(request, {
        target: fn,
        input: x,
        referenceData,
        batchSize: 2,
        signal: controller.signal,
        onProgress: () => {
          reports++;
          controller.abort();
        },
      });
      await assert.rejects(run, isAbortError, request.method);
      assert.equal(reports, 1, `${request.method} should stop after the first chunk`);
    });
  }
  tf.dispose([x, referenceData]);
});
