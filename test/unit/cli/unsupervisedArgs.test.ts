import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { UsageError } from '../../../src/cli/args';
import { parseCommand } from '../../../src/cli/commands';
import { neonParams, parseNeonArgs, parseSemanticArgs, semanticParams } from '../../../src/cli/unsupervisedArgs';

function usage(fn: () => unknown, pattern: RegExp): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof UsageError, String(error));
    assert.match(error.message, pattern);
    return true;
  });
}

test('neon: defaults, and the params sent to the engine', () => {
  const command = parseNeonArgs(['m.json', '--model', 'kmeans']);
  assert.deepEqual(command, { command: 'neon', manifest: 'm.json', model: 'kmeans', space: 'input', explain: 'clusterMembership', indices: [0, 1, 2, 3, 4, 5, 6, 7] });
  assert.deepEqual(neonParams(command), {
    manifestPath: path.resolve('m.json'),
    space: 'input',
    model: { kind: 'kmeans', k: 10 },
    explain: 'clusterMembership',
    testIndices: [0, 1, 2, 3, 4, 5, 6, 7],
  });
  assert.equal(parseNeonArgs(['m.json', '--model', 'kde']).explain, 'outlierness');
});

test('neon: every flag reaches its param', () => {
  const kmeans = parseNeonArgs(['m.json', '--model', 'k-means', '--k', '4', '--n-init', '3', '--space', 'representation', '--explain', 'cluster', '--indices', '2,5', '--beta', '0.5', '--fit-examples', '500', '--seed', '7', '--checkpoint', 'c/e1', '--batch-size', '64', '--json', 'out.json', '--backend', 'cpu']);
  assert.deepEqual(neonParams(kmeans), {
    manifestPath: path.resolve('m.json'),
    checkpoint: 'c/e1',
    space: 'representation',
    model: { kind: 'kmeans', k: 4, nInit: 3 },
    explain: 'clusterMembership',
    testIndices: [2, 5],
    batchSize: 64,
    seed: 7,
    beta: 0.5,
    fitExamples: 500,
  });
  assert.equal(kmeans.json, 'out.json');
  assert.equal(kmeans.backend, 'cpu');
  const inlier = parseNeonArgs(['m.json', '--model', 'kde', '--explain', 'inlier', '--gamma', '0.02', '--features', '1000', '--draws', '5', '--examples', '2']);
  assert.deepEqual(neonParams(inlier), {
    manifestPath: path.resolve('m.json'),
    space: 'input',
    model: { kind: 'kde', gamma: 0.02 },
    explain: 'inlierness',
    testIndices: [0, 1],
    features: 1000,
    draws: 5,
  });
});

test('neon: errors name the flag', () => {
  usage(() => parseNeonArgs(['m.json']), /neon needs --model kmeans or --model kde/);
  usage(() => parseNeonArgs(['--model', 'kde']), /neon needs a <manifest>/);
  usage(() => parseNeonArgs(['m.json', '--model', 'gmm']), /^--model must be one of kmeans, k-means, kde; got gmm/);
  usage(() => parseNeonArgs(['m.json', '--model', 'kde', '--explain', 'cluster']), /^--explain cluster needs --model kmeans, not kde/);
  usage(() => parseNeonArgs(['m.json', '--model', 'kmeans', '--explain', 'inlier']), /^--explain inlier needs --model kde, not kmeans/);
  usage(() => parseNeonArgs(['m.json', '--model', 'kmeans', '--explain', 'weird']), /^--explain must be one of cluster/);
  usage(() => parseNeonArgs(['m.json', '--model', 'kmeans', '--k', '1']), /^--k must be at least 2, got 1/);
  usage(() => parseNeonArgs(['m.json', '--model', 'kmeans', '--k', 'x']), /^--k needs a non-negative integer, got x/);
  usage(() => parseNeonArgs(['m.json', '--model', 'kde', '--k', '3']), /^--k applies to --model kmeans/);
  usage(() => parseNeonArgs(['m.json', '--model', 'kmeans', '--gamma', '1']), /^--gamma applies to --model kde/);
  usage(() => parseNeonArgs(['m.json', '--model', 'kde', '--gamma', '-1']), /^--gamma needs a positive number, got -1/);
  usage(() => parseNeonArgs(['m.json', '--model', 'kde', '--features', '10']), /^--features applies to --explain inlier/);
  usage(() => parseNeonArgs(['m.json', '--model', 'kde', '--draws', '10']), /^--draws applies to --explain inlier/);
  usage(() => parseNeonArgs(['m.json', '--model', 'kde', '--explain', 'inlier', '--draws', '1']), /^--draws must be at least 2/);
  usage(() => parseNeonArgs(['m.json', '--model', 'kde', '--explain', 'inlier', '--beta', '1']), /^--beta applies to --explain cluster and outlier, not inlier/);
  usage(() => parseNeonArgs(['m.json', '--model', 'kde', '--space', 'latent']), /^--space must be one of input, representation; got latent/);
  usage(() => parseNeonArgs(['m.json', '--model', 'kde', '--examples', '65']), /at most 64 test examples/);
  usage(() => parseNeonArgs(['m.json', '--model', 'kde', '--indices', '1,1']), /^--indices repeats an index/);
  usage(() => parseNeonArgs(['m.json', '--model', 'kde', '--bins', '3']), /^neon has no option --bins/);
  usage(() => parseNeonArgs(['m.json', '--model', 'kde', '--json']), /^--json needs a file name/);
});

test('semantic: defaults, every flag, and the params sent to the engine', () => {
  const command = parseSemanticArgs(['m.json']);
  assert.deepEqual(semanticParams(command), {
    manifestPath: path.resolve('m.json'),
    representation: { kind: 'fourier' },
    target: { kind: 'class' },
    testIndices: [0, 1, 2, 3, 4, 5, 6, 7],
    scope: 'local',
  });
  const full = parseSemanticArgs(['m.json', '--representation', 'fourier', '--bins', '8', '--scope', 'global', '--indices', '3,4', '--class', '2', '--background', '16', '--method', 'permutation', '--samples', '64', '--seed', '1', '--checkpoint', 'c/e2']);
  assert.deepEqual(semanticParams(full), {
    manifestPath: path.resolve('m.json'),
    checkpoint: 'c/e2',
    representation: { kind: 'fourier', bins: 8 },
    target: { kind: 'class', classIndex: 2 },
    testIndices: [3, 4],
    scope: 'global',
    seed: 1,
    background: 16,
    method: 'permutation',
    samples: 64,
  });
  const vae = parseSemanticArgs(['m.json', '--representation', 'vae', '--vae-manifest', 'v.json', '--vae-checkpoint', 'e/enc']);
  assert.deepEqual(semanticParams(vae).representation, { kind: 'vae', manifestPath: path.resolve('v.json'), checkpoint: 'e/enc' });
});

test('semantic: errors name the flag', () => {
  usage(() => parseSemanticArgs([]), /semantic needs a <manifest>/);
  usage(() => parseSemanticArgs(['m.json', '--representation', 'wavelet']), /^--representation must be one of fourier, vae; got wavelet/);
  usage(() => parseSemanticArgs(['m.json', '--representation', 'vae', '--bins', '4']), /^--bins applies to --representation fourier/);
  usage(() => parseSemanticArgs(['m.json', '--vae-manifest', 'v.json']), /^--vae-manifest applies to --representation vae/);
  usage(() => parseSemanticArgs(['m.json', '--bins', '0']), /^--bins must be at least 1/);
  usage(() => parseSemanticArgs(['m.json', '--scope', 'everywhere']), /^--scope must be one of local, global/);
  usage(() => parseSemanticArgs(['m.json', '--samples', '7']), /^--samples must be even/);
  usage(() => parseSemanticArgs(['m.json', '--method', 'exact', '--samples', '8']), /^--samples applies to --method permutation/);
  usage(() => parseSemanticArgs(['m.json', '--method', 'shap']), /^--method must be one of auto, exact, permutation/);
  usage(() => parseSemanticArgs(['m.json', '--class', '-1']), /^--class needs a non-negative integer/);
  usage(() => parseSemanticArgs(['m.json', '--model', 'kde']), /^semantic has no option --model/);
});

test('the command line dispatches neon and semantic', () => {
  assert.equal(parseCommand(['neon', 'm.json', '--model', 'kde']).command, 'neon');
  assert.equal(parseCommand(['semantic', 'm.json']).command, 'semantic');
});
