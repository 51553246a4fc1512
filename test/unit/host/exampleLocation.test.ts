import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { csvHasHeader, lineOfRow, locateExample } from '../../../src/host/panel/exampleLocation';
import type { RunManifest } from '../../../src/protocol/manifest';

const manifestPath = path.resolve('/ws/run/modeldebug.json');
const manifest: RunManifest = {
  version: 1,
  checkpoints: [{ path: 'c', epoch: 1, learningRate: 0.1 }],
  train: { path: 'data/train-images.npy', labels: { path: 'data/train-labels.csv', column: 'label' } },
  test: { path: 'data/test.csv', labelColumn: 'label' },
  loss: { kind: 'reconstruction' },
  representationLayer: 'enc_latent',
};

test('an .npy dataset with a labels CSV reveals the label row (the demo layout: line = index + 2, 1-based)', () => {
  const location = locateExample(manifest, manifestPath, 'train', 41);
  assert.deepEqual(location, { file: path.resolve('/ws/run/data/train-labels.csv'), row: 41, format: 'csv' });
  const zeroBasedLine = lineOfRow(location, 'index,label');
  assert.equal(zeroBasedLine! + 1, 41 + 2);
});

test('a CSV dataset reveals its own row; a headerless CSV starts at line 0', () => {
  const location = locateExample(manifest, manifestPath, 'test', 3);
  assert.equal(location.file, path.resolve('/ws/run/data/test.csv'));
  assert.equal(lineOfRow(location, '0.1,0.2,7'), 3);
  assert.equal(lineOfRow(location, 'p0,p1,label'), 4);
});

test('a binary dataset without a labels CSV has no row', () => {
  const bare: RunManifest = { ...manifest, train: { path: 'data/train.npy', labels: { path: 'data/train-labels.npy' } } };
  const location = locateExample(bare, manifestPath, 'train', 5);
  assert.deepEqual(location, { file: path.resolve('/ws/run/data/train.npy'), format: 'other' });
  assert.equal(lineOfRow(location, ''), undefined);
});

test('csvHasHeader: quoted numbers are data, words are a header', () => {
  assert.equal(csvHasHeader('"1","2"'), false);
  assert.equal(csvHasHeader('label'), true);
  assert.equal(csvHasHeader('3'), false);
  assert.equal(csvHasHeader(''), true);
});
