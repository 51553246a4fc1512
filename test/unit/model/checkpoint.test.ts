import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readFile, symlink, truncate, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { loadCheckpoint, modelJsonPath } from '../../../src/engine/model/checkpoint';
import { expectArraysClose, expectDataError, withTempDir } from '../data/helpers';

function buildModel(): tfl.Sequential {
  return tfl.sequential({
    layers: [
      tfl.layers.dense({ name: 'enc_dense', inputShape: [3], units: 4, activation: 'relu' }),
      tfl.layers.dense({ name: 'head', units: 2, activation: 'softmax' }),
    ],
  });
}

interface Saved {
  json: Record<string, unknown> & { weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[] };
  weights: Buffer;
}

/** Saves through our own IOHandler, as a training script would with tfjs-node's file:// handler, and writes the files. */
async function saveCheckpoint(model: tfl.LayersModel, dir: string, shards = 1): Promise<Saved> {
  let saved: Saved | undefined;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const data = artifacts.weightData!;
      const weights = Buffer.concat((Array.isArray(data) ? data : [data]).map((b) => Buffer.from(b)));
      const specs = artifacts.weightSpecs!;
      const json = { format: 'layers-model', generatedBy: 'test', modelTopology: artifacts.modelTopology, weightsManifest: [{ paths: [] as string[], weights: specs }] };
      saved = { json, weights };
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  await writeCheckpointFiles(dir, saved!, shards);
  return saved!;
}

/** Writes model.json and the weights split into `shards` files, as tfjs does for large models. */
async function writeCheckpointFiles(dir: string, saved: Saved, shards = 1): Promise<void> {
  await mkdir(dir, { recursive: true });
  const paths = Array.from({ length: shards }, (_, i) => `group1-shard${i + 1}of${shards}.bin`);
  saved.json.weightsManifest[0]!.paths = paths;
  await writeFile(path.join(dir, 'model.json'), JSON.stringify(saved.json));
  const cut = Math.ceil(saved.weights.length / shards / 4) * 4;
  for (const [i, name] of paths.entries()) await writeFile(path.join(dir, name), saved.weights.subarray(i * cut, (i + 1) * cut));
}

async function predict(model: tfl.LayersModel, input: number[][]): Promise<Float32Array> {
  const x = tf.tensor2d(input);
  const y = model.predict(x) as tf.Tensor;
  const values = (await y.data()) as Float32Array;
  tf.dispose([x, y]);
  return values;
}

const INPUT = [
  [0.5, -1, 2],
  [3, 0.25, -0.75],
];

test('modelJsonPath accepts a model.json or its folder', () => {
  assert.equal(modelJsonPath('/runs/a/epoch3'), path.join('/runs/a/epoch3', 'model.json'));
  assert.equal(modelJsonPath('/runs/a/epoch3/model.json'), '/runs/a/epoch3/model.json');
  assert.equal(modelJsonPath('/runs/a/other.JSON'), '/runs/a/other.JSON');
});

test('a saved tfjs model loads back with identical predictions and no leaked tensors', async () => {
  await tf.setBackend('cpu');
  await withTempDir(async (dir) => {
    const original = buildModel();
    const expected = await predict(original, INPUT);
    for (const shards of [1, 3]) {
      const folder = path.join(dir, `ckpt${shards}`);
      await saveCheckpoint(original, folder, shards);
      const before = tf.memory().numTensors;
      for (const target of [folder, path.join(folder, 'model.json')]) {
        const loaded = await loadCheckpoint(target);
        assert.deepEqual(
          loaded.layers.map((l) => l.name),
          ['enc_dense', 'head'],
        );
        expectArraysClose(await predict(loaded, INPUT), expected, 1e-6);
        loaded.dispose();
      }
      assert.equal(tf.memory().numTensors, before);
    }
    original.dispose();
  });
});

test('quantized weights (uint8 with scale/min, float16) are sized and dequantized as tfjs specifies', async () => {
  await tf.setBackend('cpu');
  await withTempDir(async (dir) => {
    const model = tfl.sequential({ layers: [tfl.layers.dense({ name: 'q', inputShape: [2], units: 3 })] });
    const saved = await saveCheckpoint(model, dir);
    model.dispose();
    const q = [0, 1, 2, 3, 4, 5];
    const halfBits = [0x3c00, 0xc000, 0x3800]; // 1, -2, 0.5
    const bias = Buffer.alloc(6);
    halfBits.forEach((bits, i) => bias.writeUInt16LE(bits, i * 2));
    saved.json.weightsManifest = [
      {
        paths: ['w.bin'],
        weights: [
          { name: 'q/kernel', shape: [2, 3], dtype: 'float32', quantization: { dtype: 'uint8', scale: 0.5, min: -1 } },
          { name: 'q/bias', shape: [3], dtype: 'float32', quantization: { dtype: 'float16' } },
        ],
      },
    ];
    await writeFile(path.join(dir, 'model.json'), JSON.stringify(saved.json));
    await writeFile(path.join(dir, 'w.bin'), Buffer.concat([Buffer.from(q), bias]));
    const loaded = await loadCheckpoint(dir);
    const [kernel, b] = loaded.getWeights();
    expectArraysClose(await kernel!.data(), q.map((v) => v * 0.5 - 1), 0);
    expectArraysClose(await b!.data(), [1, -2, 0.5], 0);
    loaded.dispose();
    // One byte short: the uint8 + float16 sizes (6 + 6) no longer match.
    await writeFile(path.join(dir, 'w.bin'), Buffer.concat([Buffer.from(q), bias]).subarray(1));
    await expectDataError(() => loadCheckpoint(dir), /holds 11 bytes, but the weight specs in model.json need 12/, path.join(dir, 'w.bin'));
  });
});

async function hostile(dir: string, edit: (saved: Saved) => void): Promise<void> {
  const model = buildModel();
  const saved = await saveCheckpoint(model, dir);
  model.dispose();
  edit(saved);
  await writeFile(path.join(dir, 'model.json'), JSON.stringify(saved.json));
}

test('weight paths that leave the folder are rejected before reading anything', async () => {
  await tf.setBackend('cpu');
  await withTempDir(async (dir) => {
    const folder = path.join(dir, 'ckpt');
    const file = path.join(folder, 'model.json');
    const cases: [string, RegExp][] = [
      ['../outside.bin', /"weightsManifest\[0\]\.paths\[0\]" "\.\.\/outside\.bin" contains '\.\.'/],
      ['sub/../../outside.bin', /contains '\.\.'/],
      ['/etc/passwd', /is an absolute path/],
      ['http://example.invalid/w.bin', /is a URL/],
      ['file:///etc/passwd', /is a URL/],
      ['\\\\server\\share\\w.bin', /is an absolute path/],
    ];
    for (const [shard, pattern] of cases) {
      await hostile(folder, (saved) => {
        saved.json.weightsManifest[0]!.paths = [shard];
      });
      const before = tf.memory().numTensors;
      await expectDataError(() => loadCheckpoint(folder), pattern, file);
      assert.equal(tf.memory().numTensors, before);
    }
  });
});

test('a shard symlinked outside the folder is rejected; one inside is followed', async () => {
  await tf.setBackend('cpu');
  await withTempDir(async (dir) => {
    const folder = path.join(dir, 'ckpt');
    await hostile(folder, (saved) => {
      saved.json.weightsManifest[0]!.paths = ['link.bin'];
    });
    const weights = await readFile(path.join(folder, 'group1-shard1of1.bin'));
    await writeFile(path.join(dir, 'outside.bin'), weights);
    await symlink(path.join(dir, 'outside.bin'), path.join(folder, 'link.bin'));
    await expectDataError(() => loadCheckpoint(folder), /resolves to .*outside\.bin, outside/, path.join(folder, 'link.bin'));
    await hostile(folder, (saved) => {
      saved.json.weightsManifest[0]!.paths = ['inside.bin'];
    });
    await symlink('group1-shard1of1.bin', path.join(folder, 'inside.bin'));
    const loaded = await loadCheckpoint(folder);
    loaded.dispose();
  });
});

test('shard bytes must equal the weight specs exactly; missing shards are named', async () => {
  await tf.setBackend('cpu');
  await withTempDir(async (dir) => {
    const model = buildModel();
    const saved = await saveCheckpoint(model, dir);
    model.dispose();
    const shard = path.join(dir, 'group1-shard1of1.bin');
    const expectedBytes = (3 * 4 + 4 + 4 * 2 + 2) * 4;
    assert.equal(saved.weights.length, expectedBytes);
    await truncate(shard, expectedBytes - 4);
    const before = tf.memory().numTensors;
    await expectDataError(() => loadCheckpoint(dir), new RegExp(`holds ${expectedBytes - 4} bytes, but the weight specs in model.json need ${expectedBytes}`), shard);
    await writeFile(shard, Buffer.concat([saved.weights, Buffer.alloc(4)]));
    await expectDataError(() => loadCheckpoint(dir), new RegExp(`holds ${expectedBytes + 4} bytes`), shard);
    await writeCheckpointFiles(dir, saved, 2);
    await truncate(path.join(dir, 'group1-shard2of2.bin'), 0);
    await expectDataError(() => loadCheckpoint(dir), /the 2 shards of weightsManifest\[0\] hold \d+ bytes/, path.join(dir, 'model.json'));
    saved.json.weightsManifest[0]!.paths = ['missing.bin'];
    await writeFile(path.join(dir, 'model.json'), JSON.stringify(saved.json));
    await expectDataError(() => loadCheckpoint(dir), /does not exist/, path.join(dir, 'missing.bin'));
    assert.equal(tf.memory().numTensors, before);
  });
});

test('model.json is size-capped, must be JSON and must have the expected structure', async () => {
  await tf.setBackend('cpu');
  await withTempDir(async (dir) => {
    const file = path.join(dir, 'model.json');
    const model = buildModel();
    await saveCheckpoint(model, dir);
    model.dispose();
    await expectDataError(() => loadCheckpoint(dir, { maxModelJsonBytes: 100 }), /is \d+ bytes, more than the limit of 100/, file);
    await writeFile(file, '{"modelTopology": {');
    await expectDataError(() => loadCheckpoint(dir), /is not valid JSON/, file);
    await writeFile(file, '[]');
    await expectDataError(() => loadCheckpoint(dir), /must hold a JSON object/, file);
    await expectDataError(() => loadCheckpoint(path.join(dir, 'nothing')), /does not exist/, path.join(dir, 'nothing', 'model.json'));
    const structural: [(saved: Saved) => void, RegExp][] = [
      [(s) => delete s.json.modelTopology, /"modelTopology" must be an object/],
      [(s) => (s.json.weightsManifest = {} as never), /"weightsManifest" must be a list/],
      [(s) => (s.json.weightsManifest[0]!.paths = 'w.bin' as never), /"weightsManifest\[0\]\.paths" must be a list of strings/],
      [(s) => (s.json.weightsManifest[0]!.weights[0]!.dtype = 'string'), /"weightsManifest\[0\]\.weights\[0\]\.dtype" is "string"; supported: float32, int32, bool/],
      [(s) => (s.json.weightsManifest[0]!.weights[0]!.shape = [-1]), /shape" must be a list of at most 8 non-negative integers/],
      [(s) => (s.json.weightsManifest[0]!.weights[1]!.name = s.json.weightsManifest[0]!.weights[0]!.name), /repeats the weight name/],
      [(s) => (s.json.weightsManifest[0]!.weights[0]!.quantization = { dtype: 'int4' as never }), /quantization\.dtype" is "int4"/],
      [(s) => (s.json.weightsManifest[0]!.weights[0]!.quantization = { dtype: 'uint8' }), /quantization\.scale" must be a finite number/],
      [(s) => (s.json.format = 'graph-model'), /"format" is "graph-model"; only tfjs layers models/],
      [(s) => (s.json.weightsManifest[0]!.weights[0]!.shape = [2 ** 30, 2 ** 30, 2 ** 30]), /needs more than the limit of 1073741824 bytes/],
    ];
    for (const [edit, pattern] of structural) {
      await hostile(dir, edit);
      await expectDataError(() => loadCheckpoint(dir), pattern, file);
    }
    await hostile(dir, () => undefined);
    await expectDataError(() => loadCheckpoint(dir, { maxWeightBytes: 64 }), /brings the weights past the limit of 64 bytes/, file);
  });
});

test('weights that do not match the topology fail cleanly, leaking no tensors or variables', async () => {
  await tf.setBackend('cpu');
  await withTempDir(async (dir) => {
    await hostile(dir, (saved) => {
      saved.json.weightsManifest[0]!.weights[0]!.name = 'enc_dense/renamed';
    });
    const tensors = tf.memory().numTensors;
    const variables = Object.keys(tf.engine().registeredVariables).length;
    await expectDataError(() => loadCheckpoint(dir), /does not describe a model tfjs-layers can load/, path.join(dir, 'model.json'));
    assert.equal(tf.memory().numTensors, tensors);
    assert.equal(Object.keys(tf.engine().registeredVariables).length, variables);
    await hostile(dir, (saved) => {
      (saved.json.modelTopology as { config: { layers: { class_name: string }[] } }).config.layers[0]!.class_name = 'NoSuchLayer';
    });
    await expectDataError(() => loadCheckpoint(dir), /does not describe a model tfjs-layers can load \(.*NoSuchLayer/);
    assert.equal(tf.memory().numTensors, tensors);
  });
});

test('a failing load running beside a good one leaves the good model intact', async () => {
  await tf.setBackend('cpu');
  await withTempDir(async (dir) => {
    const original = buildModel();
    const expected = await predict(original, INPUT);
    await saveCheckpoint(original, path.join(dir, 'good'));
    original.dispose();
    await hostile(path.join(dir, 'bad'), (saved) => {
      (saved.json.modelTopology as { config: { layers: { class_name: string }[] } }).config.layers[1]!.class_name = 'NoSuchLayer';
    });
    const [bad, good] = await Promise.allSettled([loadCheckpoint(path.join(dir, 'bad')), loadCheckpoint(path.join(dir, 'good'))]);
    assert.equal(bad.status, 'rejected');
    assert.equal(good.status, 'fulfilled');
    const model = (good as PromiseFulfilledResult<tfl.LayersModel>).value;
    expectArraysClose(await predict(model, INPUT), expected, 1e-6);
    model.dispose();
  });
});
