import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BenchUsageError, parseBenchParts } from '../../../bench/benchParts';
import { parseVmHwm, precisionRecallAtK } from '../../../bench/benchMetrics';
import { fullsetManifest, parseFlippedLabels } from '../../../bench/benchWorkspace';
import { parseManifest } from '../../../src/protocol/manifest';

test('bench parts come from argv, else from MODELDEBUG_BENCH, else everything runs', () => {
  assert.deepEqual(parseBenchParts([], undefined), { attribution: true, examples: ['autoencoder', 'classifier', 'fullset'] });
  assert.deepEqual(parseBenchParts([], ' '), { attribution: true, examples: ['autoencoder', 'classifier', 'fullset'] });
  assert.deepEqual(parseBenchParts(['examples'], undefined), { attribution: false, examples: ['autoencoder', 'classifier', 'fullset'] });
  assert.deepEqual(parseBenchParts(['attribution'], 'examples'), { attribution: true, examples: [] }, 'argv wins over the variable');
  assert.deepEqual(parseBenchParts(['examples:fullset,autoencoder'], undefined), { attribution: false, examples: ['autoencoder', 'fullset'] });
  assert.deepEqual(parseBenchParts([], 'attribution,examples:classifier,fullset'), { attribution: true, examples: ['classifier', 'fullset'] });
  assert.deepEqual(parseBenchParts(['examples:classifier', 'attribution'], undefined), { attribution: true, examples: ['classifier'] });
  for (const bad of [['everything'], ['examples:gan'], ['fullset'], ['attribution:x']]) assert.throws(() => parseBenchParts(bad, undefined), BenchUsageError, JSON.stringify(bad));
});

test('precision and recall at k count the known answers among the first k', () => {
  const relevant = new Set([1, 2, 3, 4]);
  assert.deepEqual(precisionRecallAtK([1, 9, 3, 8, 2], relevant, 4), { k: 4, hits: 2, relevant: 4, precision: 0.5, recall: 0.5 });
  assert.deepEqual(precisionRecallAtK([1, 2], relevant, 4), { k: 4, hits: 2, relevant: 4, precision: 0.5, recall: 0.5 }, 'a short list still divides by k');
  assert.equal(precisionRecallAtK([5, 6], relevant, 2).precision, 0);
  assert.equal(precisionRecallAtK([1, 1, 1], new Set([1]), 3).hits, 1, 'a repeated index counts once');
  assert.throws(() => precisionRecallAtK([1], relevant, 0));
});

test('VmHWM is read from /proc/<pid>/status text, in bytes', () => {
  assert.equal(parseVmHwm('Name:\tnode\nVmPeak:\t 1000 kB\nVmHWM:\t  204800 kB\nVmRSS:\t 1 kB\n'), 204800 * 1024);
  assert.equal(parseVmHwm('Name:\tnode\n'), undefined);
});

test('the flipped-label file of the demo and the full-set manifest', () => {
  const text = '{ "seed": 7, "fraction": 0.05, "count": 2, "flipped": [ {"index":3,"original":1,"flipped":2}, {"index":10,"original":0,"flipped":5} ] }';
  assert.deepEqual([...parseFlippedLabels(text, 'f.json')], [3, 10]);
  assert.throws(() => parseFlippedLabels('{"count": 3, "flipped": [{"index": 1}]}', 'f.json'), /count/);
  assert.throws(() => parseFlippedLabels('{"flipped": [{"index": -1}]}', 'f.json'), /flipped\[0\]/);
  assert.throws(() => parseFlippedLabels('{}', 'f.json'), /f\.json/);
  const manifest = fullsetManifest({
    version: 1,
    name: 'demo',
    script: '../train.ts',
    checkpoints: [{ path: 'checkpoints/epoch-1', epoch: 1, learningRate: 0.001 }],
    train: { path: '../data/train-images.npy' },
    test: { path: '../data/test-images.npy' },
    loss: { kind: 'crossEntropy' },
    representationLayer: 'enc_latent',
    relevantParameters: ['enc_latent'],
  });
  assert.equal(manifest.script, undefined);
  assert.deepEqual(manifest.checkpoints, [{ path: 'checkpoints/epoch-1', epoch: 1, learningRate: 0.001 }]);
  assert.deepEqual(manifest.train, { path: '../data/train-images-idx3-ubyte.gz', format: 'idx', scale: 1 / 255, labels: { path: '../data/train-labels-idx1-ubyte.gz', format: 'idx' } });
  assert.equal(manifest.test.path, '../data/t10k-images-idx3-ubyte.gz');
  assert.deepEqual(manifest.relevantParameters, ['enc_latent']);
  assert.deepEqual(parseManifest(JSON.stringify(manifest), 'modeldebug.json'), manifest, 'the manifest reader accepts it as written');
});
