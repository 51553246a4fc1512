import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { draftManifest, epochFromName, fractionProblem, learningRateProblem, orderCheckpoints, proposedManifestFolder } from '../../../src/host/manifest/manifestDraft';
import { parseManifest } from '../../../src/protocol/manifest';

const root = path.resolve('/ws');
const p = (...parts: string[]): string => path.join(root, ...parts);

test('proposedManifestFolder: beside the checkpoint folder\'s parent, as in the demo layout', () => {
  assert.equal(proposedManifestFolder(p('run', 'checkpoints', 'epoch-3', 'model.json'), root), p('run'));
});

test('proposedManifestFolder never leaves the workspace folder', () => {
  assert.equal(proposedManifestFolder(p('ckpt', 'model.json'), root), root);
  assert.equal(proposedManifestFolder(p('model.json'), root), root);
});

test('epochFromName takes the last number in a folder name', () => {
  assert.equal(epochFromName('epoch-7'), 7);
  assert.equal(epochFromName('run2_ckpt_0012'), 12);
  assert.equal(epochFromName('final'), undefined);
});

test('orderCheckpoints sorts numerically, not lexically', () => {
  const ordered = orderCheckpoints([p('c', 'epoch-10', 'model.json'), p('c', 'epoch-2', 'model.json'), p('c', 'epoch-1', 'model.json')]);
  assert.deepEqual(
    ordered.map((c) => c.epoch),
    [1, 2, 10],
  );
});

test('draftManifest writes paths relative to the manifest folder with forward slashes, and reads back', () => {
  const manifest = draftManifest(
    {
      checkpoints: [{ file: p('run', 'checkpoints', 'epoch-1', 'model.json'), epoch: 1 }],
      trainFile: p('run', 'data', 'train.npy'),
      testFile: p('data', 'test.npy'),
      loss: { kind: 'denoising', noiseStd: 0.3 },
      representationLayer: 'enc_latent',
      learningRate: 0.001,
    },
    p('run'),
  );
  assert.equal(manifest.checkpoints[0]!.path, 'checkpoints/epoch-1/model.json');
  assert.equal(manifest.checkpoints[0]!.learningRate, 0.001);
  assert.equal(manifest.train.path, 'data/train.npy');
  assert.equal(manifest.test.path, '../data/test.npy');
  const file = p('run', 'modeldebug.json');
  assert.deepEqual(parseManifest(JSON.stringify(manifest), file), manifest);
});

test('draftManifest without a folder keeps absolute paths (for the private, unsaved copy)', () => {
  const manifest = draftManifest(
    { checkpoints: [{ file: p('m', 'model.json'), epoch: 0 }], trainFile: p('a.npy'), testFile: p('b.npy'), loss: { kind: 'reconstruction' }, representationLayer: 'z', learningRate: 0.1 },
    undefined,
  );
  assert.equal(manifest.train.path, p('a.npy'));
  assert.equal(manifest.checkpoints[0]!.path, p('m', 'model.json'));
});

test('draftManifest rejects no checkpoints and bad learning rates, naming the field', () => {
  const base = { trainFile: p('a.npy'), testFile: p('b.npy'), loss: { kind: 'reconstruction' as const }, representationLayer: 'z', learningRate: 0.1 };
  assert.throws(() => draftManifest({ ...base, checkpoints: [] }, root), /checkpoints/);
  assert.throws(() => draftManifest({ ...base, checkpoints: [{ file: p('m.json'), epoch: 0 }], learningRate: Number.NaN }, root), /learningRate/);
});

test('input validators accept valid numbers and explain invalid ones', () => {
  assert.equal(learningRateProblem('0.001'), undefined);
  assert.match(learningRateProblem('abc')!, /number/);
  assert.match(learningRateProblem('0')!, /greater than 0/);
  assert.match(learningRateProblem('')!, /number/);
  assert.equal(fractionProblem('0.5', 1), undefined);
  assert.match(fractionProblem('1.5', 1)!, /between 0 and 1/);
});
