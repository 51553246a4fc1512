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

const vaeRun = {
  ...good,
  checkpoints: [
    { path: 'checkpoints/epoch-1/encoder', epoch: 1, learningRate: 0.001, decoder: 'checkpoints/epoch-1/decoder', classifier: 'checkpoints/epoch-1/classifier', labelledEncoder: 'checkpoints/epoch-1/labelled-encoder' },
  ],
  loss: { kind: 'vae', beta: 0.9 },
  representationLayer: 'z_mean',
  vae: {
    objective: 'supervised',
    latentDim: 6,
    classDims: 4,
    alpha: 60,
    muLayer: 'z_mean',
    logVarLayer: 'z_log_var',
    decoder: 'checkpoints/epoch-1/decoder',
    classifier: 'checkpoints/epoch-1/classifier',
    labelledEncoder: 'checkpoints/epoch-1/labelled-encoder',
  },
};

test('the optional "vae" section and the checkpoints\' VAE parts parse into the same structure', () => {
  assert.deepEqual(parse(vaeRun), vaeRun);
  const betaVae = {
    ...good,
    checkpoints: [{ path: 'e1/encoder', epoch: 1, learningRate: 0.001, decoder: 'e1/decoder' }],
    loss: { kind: 'vae', beta: 5 },
    vae: { latentDim: 3, muLayer: 'z_mean', logVarLayer: 'z_log_var' },
  };
  assert.deepEqual(parse(betaVae), betaVae, 'objective, classDims, alpha and the parts are optional');
  assert.equal(parse(good).vae, undefined, 'a manifest without the section has none');
});

test('every problem in the "vae" section names its field', () => {
  const { classifier: _c, labelledEncoder: _l, ...betaCheckpoint } = vaeRun.checkpoints[0]!;
  const unsupervised = { ...vaeRun, checkpoints: [betaCheckpoint], loss: { kind: 'vae', beta: 5 }, vae: { objective: 'betaTcVae', latentDim: 3, muLayer: 'z_mean', logVarLayer: 'z_log_var' } };
  const cases: Array<[unknown, RegExp]> = [
    [{ ...vaeRun, vae: 'yes' }, /"vae" must be an object/],
    [{ ...vaeRun, loss: { kind: 'reconstruction' } }, /"vae" describes a VAE, but "loss\.kind" is "reconstruction"/],
    [{ ...vaeRun, vae: { ...vaeRun.vae, objective: 'wae' } }, /"vae\.objective" must be one of betaVae, betaTcVae, supervised/],
    [{ ...vaeRun, vae: { ...vaeRun.vae, latentDim: 0 } }, /"vae\.latentDim" must be an integer >= 1/],
    [{ ...vaeRun, vae: { ...vaeRun.vae, latentDim: 2.5 } }, /"vae\.latentDim" must be an integer/],
    [{ ...vaeRun, vae: { ...vaeRun.vae, muLayer: '' } }, /"vae\.muLayer" must be a non-empty string/],
    [{ ...vaeRun, vae: { ...vaeRun.vae, logVarLayer: undefined } }, /"vae\.logVarLayer" must be a non-empty string/],
    [{ ...vaeRun, vae: { ...vaeRun.vae, logVarLayer: 'z_mean' } }, /"vae\.logVarLayer" must name a different layer/],
    [{ ...vaeRun, vae: { ...vaeRun.vae, classDims: 6 } }, /"vae\.classDims" must be less than "vae\.latentDim" \(6\)/],
    [{ ...vaeRun, vae: { ...vaeRun.vae, classDims: 0 } }, /"vae\.classDims" must be an integer >= 1/],
    [{ ...vaeRun, vae: { ...vaeRun.vae, classDims: undefined } }, /"vae\.classDims" is required by the supervised objective/],
    [{ ...vaeRun, vae: { ...vaeRun.vae, alpha: 0 } }, /"vae\.alpha" must be greater than 0/],
    [{ ...vaeRun, vae: { ...vaeRun.vae, alpha: 'big' } }, /"vae\.alpha" must be a finite number/],
    [{ ...vaeRun, loss: { kind: 'vae', beta: 5 } }, /"loss\.beta" must be at most 1 for the supervised objective/],
    [{ ...vaeRun, vae: { ...vaeRun.vae, decoder: 3 } }, /"vae\.decoder" must be a non-empty string/],
    [{ ...unsupervised, vae: { ...unsupervised.vae, classDims: 2 } }, /"vae\.classDims" applies to the supervised objective only/],
    [{ ...unsupervised, vae: { ...unsupervised.vae, alpha: 1 } }, /"vae\.alpha" applies to the supervised objective only/],
    [{ ...unsupervised, vae: { ...unsupervised.vae, classifier: 'c' } }, /"vae\.classifier" applies to the supervised objective only/],
    [{ ...unsupervised, checkpoints: vaeRun.checkpoints }, /"checkpoints\[0\]\.classifier" applies to the supervised objective only/],
    [{ ...good, checkpoints: [{ path: 'a', epoch: 1, learningRate: 1, decoder: 'd' }] }, /"checkpoints\[0\]\.decoder" needs a "vae" section/],
    [{ ...vaeRun, checkpoints: [{ ...vaeRun.checkpoints[0], labelledEncoder: '' }] }, /"checkpoints\[0\]\.labelledEncoder" must be a non-empty string/],
  ];
  assert.doesNotThrow(() => parse(unsupervised));
  for (const [value, pattern] of cases) {
    assert.throws(() => parse(value), (error: unknown) => {
      assert.ok(error instanceof ManifestError);
      assert.match(error.message, /^\/w\/modeldebug\.json: /);
      assert.match(error.message, pattern);
      return true;
    });
  }
});
