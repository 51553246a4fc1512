import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManifestError, parseManifest } from '../../../src/protocol/manifest';

const good = {
  version: 1,
  name: 'run',
  script: '../train.ts',
  checkpoints: [{ path: 'checkpoints/epoch-1', epoch: 1, learningRate: 0.001 }],
  train: { path: '../data/train.npy', format: 'npy', scale: 1 / 255, labels: { path: '../data/train-labels.csv', column: 'label' } },
  test: { path: '../data/test.npy' },
  classNames: ['a', 'b'],
  loss: { kind: 'denoising', noiseStd: 0.3, seed: 7 },
  representationLayer: 'enc_latent',
  relevantParameters: ['enc_conv1'],
};

function parse(value: unknown): ReturnType<typeof parseManifest> {
  return parseManifest(JSON.stringify(value), '/w/modeldebug.json');
}

test('a complete manifest parses into the same structure', () => {
  assert.deepEqual(parse(good), good);
});

test('labels are optional: a label-free run is valid', () => {
  const { classNames: _c, ...rest } = good;
  const manifest = parse({ ...rest, train: { path: 'x.npy' }, loss: { kind: 'reconstruction' } });
  assert.equal(manifest.train.labels, undefined);
  assert.equal(manifest.classNames, undefined);
});

test('every problem names the file and the field', () => {
  const cases: Array<[unknown, RegExp]> = [
    [{ ...good, version: 2 }, /"version" must be 1/],
    [{ ...good, checkpoints: [] }, /"checkpoints" must be a non-empty list/],
    [{ ...good, checkpoints: [{ path: 'a', epoch: 1, learningRate: 'fast' }] }, /"checkpoints\[0\]\.learningRate" must be a finite number/],
    [{ ...good, checkpoints: [{ path: 'a', epoch: -1, learningRate: 1 }] }, /"checkpoints\[0\]\.epoch"/],
    [{ ...good, train: { path: '' } }, /"train\.path" must be a non-empty string/],
    [{ ...good, train: { path: 'a', format: 'parquet' } }, /"train\.format" must be one of/],
    [{ ...good, loss: { kind: 'hinge' } }, /"loss\.kind" must be one of/],
    [{ ...good, loss: { kind: 'denoising' } }, /"loss\.noiseStd"/],
    [{ ...good, loss: { kind: 'inpainting', maskFraction: 2 } }, /"loss\.maskFraction" must be at most 1/],
    [{ ...good, representationLayer: 3 }, /"representationLayer"/],
    [{ ...good, classNames: ['a', 1] }, /"classNames\[1\]"/],
    [{ ...good, test: { path: 'a\u0000b' } }, /NUL/],
    [[], /must be an object/],
  ];
  for (const [value, pattern] of cases) {
    assert.throws(() => parse(value), (error: unknown) => {
      assert.ok(error instanceof ManifestError);
      assert.equal(error.file, '/w/modeldebug.json');
      assert.match(error.message, /^\/w\/modeldebug\.json: /);
      assert.match(error.message, pattern);
      return true;
    });
  }
});

test('invalid JSON and oversized text are refused with the file named', () => {
  assert.throws(() => parseManifest('{ nope', '/w/m.json'), /\/w\/m\.json: is not valid JSON/);
  assert.throws(() => parseManifest(' '.repeat((1 << 20) + 1), '/w/m.json'), /\/w\/m\.json: is larger than/);
});
