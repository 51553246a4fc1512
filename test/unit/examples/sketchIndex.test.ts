import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import '@tensorflow/tfjs-backend-cpu';
import { tracInScores } from '../../../src/engine/influence/tracin';
import { RandomProjection } from '../../../src/engine/examples/sketch';
import { buildSketchIndex, chunkFileName, readSketchIndex, sketchDatasetRows, sketchedTracInScores, type SketchIndexSpec } from '../../../src/engine/examples/sketchIndex';
import { randomizeWeights } from '../influence/models';
import { normalArray } from './random';

const COUNT = 10;
const DIM = 3;

async function checkpointDir(): Promise<{ root: string; files: string[] }> {
  const root = await fs.mkdtemp(join(tmpdir(), 'sketch-index-'));
  const files = [join(root, 'model.json'), join(root, 'weights.bin')];
  await fs.writeFile(files[0]!, '{"modelTopology":{}}');
  await fs.writeFile(files[1]!, Buffer.from([1, 2, 3, 4]));
  return { root, files };
}

function spec(root: string, files: string[], cache = 'cache'): SketchIndexSpec {
  return { cacheRoot: join(root, cache), checkpointFiles: files, settings: { seed: 1, loss: 'reconstruction' }, count: COUNT, sketchDim: DIM, chunkSize: 3 };
}

/** Deterministic fake sketches: row n is [n, n + 0.5, -n]. */
function fakeChunk(start: number, end: number): Float32Array {
  const out = new Float32Array((end - start) * DIM);
  for (let n = start; n < end; n++) out.set([n, n + 0.5, -n], (n - start) * DIM);
  return out;
}

test('an index is written in chunks, read back whole, and reused without recomputing', async () => {
  const { root, files } = await checkpointDir();
  const first = await buildSketchIndex(spec(root, files), { computeChunk: fakeChunk });
  assert.deepEqual(first.computedChunks, [0, 1, 2, 3]);
  assert.deepEqual(Array.from(await readSketchIndex(first.index)), Array.from(fakeChunk(0, COUNT)));
  const again = await buildSketchIndex(spec(root, files), { computeChunk: fakeChunk });
  assert.deepEqual(again.computedChunks, []);
  assert.equal(again.index.key, first.index.key);
  await fs.rm(root, { recursive: true });
});

test('a changed checkpoint file or setting gets a new key; the old entry is not reused', async () => {
  const { root, files } = await checkpointDir();
  const first = await buildSketchIndex(spec(root, files), { computeChunk: fakeChunk });
  await fs.writeFile(files[1]!, Buffer.from([1, 2, 3, 5]));
  const changed = await buildSketchIndex(spec(root, files), { computeChunk: fakeChunk });
  assert.notEqual(changed.index.key, first.index.key);
  assert.deepEqual(changed.computedChunks, [0, 1, 2, 3]);
  const otherSettings = await buildSketchIndex({ ...spec(root, files), settings: { seed: 2, loss: 'reconstruction' } }, { computeChunk: fakeChunk });
  assert.notEqual(otherSettings.index.key, changed.index.key);
  assert.deepEqual(otherSettings.computedChunks, [0, 1, 2, 3]);
  await fs.rm(root, { recursive: true });
});

test('a cancelled build resumes at the missing chunks and equals an uninterrupted build', async () => {
  const { root, files } = await checkpointDir();
  const controller = new AbortController();
  const calls: number[] = [];
  await assert.rejects(
    buildSketchIndex(spec(root, files), {
      signal: controller.signal,
      computeChunk: (start, end) => {
        calls.push(start);
        if (start === 6) controller.abort();
        return fakeChunk(start, end);
      },
    }),
    { name: 'AbortError' },
  );
  assert.deepEqual(calls, [0, 3, 6]);
  // A half-written temporary file from a crash and a truncated chunk must not be taken as done.
  // The key does not depend on the cache root, so a build elsewhere names the interrupted folder.
  const dir = join(root, 'cache', (await buildSketchIndex(spec(root, files, 'probe'), { computeChunk: fakeChunk })).index.key);
  await fs.writeFile(join(dir, `${chunkFileName(2)}.tmp-1-abcd`), Buffer.from([9]));
  await fs.writeFile(join(dir, chunkFileName(1)), Buffer.from([0, 0, 0, 0]));
  const resumed = await buildSketchIndex(spec(root, files), { computeChunk: fakeChunk });
  assert.deepEqual(resumed.computedChunks, [1, 2, 3]);
  const uninterrupted = await buildSketchIndex(spec(root, files, 'fresh'), { computeChunk: fakeChunk });
  assert.deepEqual(Array.from(await readSketchIndex(resumed.index)), Array.from(await readSketchIndex(uninterrupted.index)));
  await fs.rm(root, { recursive: true });
});

test('missing and unreadable files are named in the error', async () => {
  const { root, files } = await checkpointDir();
  await assert.rejects(buildSketchIndex(spec(root, [join(root, 'nope.bin')]), { computeChunk: fakeChunk }), /nope\.bin/);
  await assert.rejects(buildSketchIndex(spec(root, files), { computeChunk: () => new Float32Array(2) }), /must return a Float32Array of 9 numbers/);
  const built = await buildSketchIndex(spec(root, files, 'other'), { computeChunk: fakeChunk });
  await fs.rm(join(built.index.dir, chunkFileName(3)));
  await assert.rejects(readSketchIndex(built.index), /chunk-000003\.f32 is missing/);
  await fs.rm(root, { recursive: true });
});

function mlp(seed: number): tfl.LayersModel {
  const model = tfl.sequential({
    layers: [
      tfl.layers.dense({ name: 'h', inputShape: [8], units: 6, activation: 'tanh' }),
      tfl.layers.dense({ name: 'out', units: 8, activation: 'linear' }),
    ],
  });
  randomizeWeights(model, seed);
  return model;
}

test('sketched TracIn ranks approximate exact TracIn (top-10 overlap)', async () => {
  const trainCount = 80;
  const train = { values: normalArray(trainCount * 8, 21), count: trainCount, exampleShape: [8] };
  const test_ = { values: normalArray(2 * 8, 22), count: 2, exampleShape: [8], ids: [0, 1] };
  const checkpoints = [mlp(5), mlp(6)].map((model, c) => ({ model, learningRate: [0.1, 0.05][c]! }));
  const loss = { kind: 'reconstruction' } as const;
  const exact = await tracInScores({ checkpoints, loss, train, test: test_ });

  const k = 512;
  const before = tf.memory().numTensors;
  const sketches = checkpoints.map(({ model, learningRate }, c) => {
    const projection = new RandomProjection({ inputDim: model.countParams(), sketchDim: k, seed: 100 + c });
    try {
      return {
        learningRate,
        train: sketchDatasetRows(model, train, projection, { loss, split: 'train', batchSize: 32 }, 0, trainCount),
        test: sketchDatasetRows(model, test_, projection, { loss, split: 'test', ids: test_.ids }, 0, 2),
      };
    } finally {
      projection.dispose();
    }
  });
  const approx = sketchedTracInScores(sketches, trainCount, 2, k);
  assert.equal(tf.memory().numTensors, before, 'tensors leaked');
  for (let t = 0; t < 2; t++) {
    const top = (scores: Float32Array): number[] =>
      Array.from({ length: trainCount }, (_, i) => i)
        .sort((a, b) => scores[t * trainCount + b]! - scores[t * trainCount + a]!)
        .slice(0, 10);
    const overlap = top(approx).filter((i) => top(exact).includes(i)).length;
    assert.ok(overlap >= 7, `test ${t}: top-10 overlap ${overlap}/10`);
  }
  checkpoints.forEach(({ model }) => model.dispose());
});
