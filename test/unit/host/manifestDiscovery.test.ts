import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { candidateFolders, findManifestFor, isInside, matchCheckpoint } from '../../../src/host/manifest/manifestDiscovery';
import { parseManifest } from '../../../src/protocol/manifest';

const root = path.resolve('/ws');
const p = (...parts: string[]): string => path.join(root, ...parts);

function fakeFs(files: string[]): { exists: (file: string) => Promise<boolean>; asked: string[] } {
  const set = new Set(files.map((f) => path.resolve(f)));
  const asked: string[] = [];
  return {
    asked,
    exists: async (file) => {
      asked.push(file);
      return set.has(path.resolve(file));
    },
  };
}

test('isInside: a folder contains itself and its descendants, not its siblings or parents', () => {
  assert.equal(isInside(p('a'), p('a')), true);
  assert.equal(isInside(p('a'), p('a', 'b', 'c')), true);
  assert.equal(isInside(p('a'), p('ab')), false);
  assert.equal(isInside(p('a', 'b'), p('a')), false);
});

test('candidateFolders walks from the checkpoint folder up to the workspace folder and stops there', () => {
  const folders = candidateFolders(p('run', 'checkpoints', 'epoch-3', 'model.json'), root);
  assert.deepEqual(folders, [p('run', 'checkpoints', 'epoch-3'), p('run', 'checkpoints'), p('run'), root]);
});

test('candidateFolders outside the workspace looks only in the checkpoint folder', () => {
  assert.deepEqual(candidateFolders('/elsewhere/x/model.json', root), [path.resolve('/elsewhere/x')]);
});

test('findManifestFor finds the demo layout manifest two levels up', async () => {
  const fs = fakeFs([p('autoencoder', 'modeldebug.json')]);
  const found = await findManifestFor(p('autoencoder', 'checkpoints', 'epoch-2', 'model.json'), root, fs.exists);
  assert.equal(found, p('autoencoder', 'modeldebug.json'));
});

test('findManifestFor prefers the nearest manifest', async () => {
  const fs = fakeFs([p('modeldebug.json'), p('run', 'checkpoints', 'modeldebug.json')]);
  assert.equal(await findManifestFor(p('run', 'checkpoints', 'e1', 'model.json'), root, fs.exists), p('run', 'checkpoints', 'modeldebug.json'));
});

test('findManifestFor never looks above the workspace folder', async () => {
  const fs = fakeFs([path.join(path.dirname(root), 'modeldebug.json')]);
  assert.equal(await findManifestFor(p('run', 'model.json'), root, fs.exists), undefined);
  assert.ok(fs.asked.every((file) => isInside(root, path.dirname(file))), `asked outside the workspace: ${fs.asked.join(', ')}`);
});

test('matchCheckpoint accepts a checkpoint written as the folder or as the model.json', () => {
  const manifestPath = p('run', 'modeldebug.json');
  const manifest = parseManifest(
    JSON.stringify({
      version: 1,
      checkpoints: [
        { path: 'checkpoints/epoch-1', epoch: 1, learningRate: 0.01 },
        { path: 'checkpoints/epoch-2/model.json', epoch: 2, learningRate: 0.01 },
      ],
      train: { path: 'data/train.npy' },
      test: { path: 'data/test.npy' },
      loss: { kind: 'reconstruction' },
      representationLayer: 'enc_latent',
    }),
    manifestPath,
  );
  assert.equal(matchCheckpoint(manifest, manifestPath, p('run', 'checkpoints', 'epoch-1', 'model.json'))?.epoch, 1);
  assert.equal(matchCheckpoint(manifest, manifestPath, p('run', 'checkpoints', 'epoch-2', 'model.json'))?.epoch, 2);
  assert.equal(matchCheckpoint(manifest, manifestPath, p('run', 'checkpoints', 'epoch-3', 'model.json')), undefined);
});
