import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { PNG } from 'pngjs';
import { UsageError } from '../../../src/cli/args';
import { parseCommand } from '../../../src/cli/commands';
import { invarianceParams, parseInvarianceArgs } from '../../../src/cli/invarianceArgs';
import { imageGeometry, stripPng } from '../../../src/cli/invariancePng';
import { formatInvariance } from '../../../src/cli/invarianceSummary';
import { invarianceFiles } from '../../../src/cli/runInvariance';
import type { InvarianceCounterfactualReply, InvarianceCurveReply, InvarianceDivergenceReply, InvarianceSamplesReply } from '../../../src/protocol/engineProtocol';

function usage(fn: () => unknown, pattern: RegExp): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof UsageError, String(error));
    assert.match(error.message, pattern);
    return true;
  });
}

const m = path.resolve('vae.json');

test('invariance: defaults per kind, and the params sent to the engine', () => {
  const samples = parseCommand(['invariance', 'vae.json', '--kind', 'samples']);
  assert.deepEqual(samples, { command: 'invariance', manifest: 'vae.json', kind: 'samples', indices: [0, 1, 2, 3] });
  assert.deepEqual(invarianceParams(parseInvarianceArgs(['vae.json', '--kind', 'samples'])), { manifestPath: m, kind: 'samples', testIndices: [0, 1, 2, 3] });
  assert.deepEqual(invarianceParams(parseInvarianceArgs(['vae.json', '--kind', 'curve'])), { manifestPath: m, kind: 'curve' });
  assert.deepEqual(invarianceParams(parseInvarianceArgs(['vae.json', '--kind', 'counterfactuals'])), { manifestPath: m, kind: 'counterfactuals', testIndices: [0, 1, 2, 3] });
  assert.deepEqual(invarianceParams(parseInvarianceArgs(['vae.json', '--kind', 'divergence'])), { manifestPath: m, kind: 'divergence', testIndices: [0, 1, 2, 3] });
});

test('invariance: every flag reaches its param', () => {
  const common = ['--checkpoint', 'c/e1', '--seed', '7', '--batch-size', '64', '--backend', 'cpu', '--json', 'o.json', '--out', 'pngs'];
  const samples = parseInvarianceArgs(['vae.json', '--kind', 'samples', '--indices', '3,5', '--sigma', '1.5', '--count', '9', ...common]);
  assert.equal(samples.out, 'pngs');
  assert.equal(samples.json, 'o.json');
  assert.equal(samples.backend, 'cpu');
  assert.deepEqual(invarianceParams(samples), { manifestPath: m, checkpoint: 'c/e1', seed: 7, batchSize: 64, kind: 'samples', testIndices: [3, 5], count: 9, sigma: 1.5 });
  assert.deepEqual(invarianceParams(parseInvarianceArgs(['vae.json', '--kind', 'curve', '--sigma', '0.5,1, 2', '--examples', '50', '--count', '10'])), {
    manifestPath: m,
    kind: 'curve',
    examples: 50,
    sigmas: [0.5, 1, 2],
    count: 10,
  });
  assert.deepEqual(invarianceParams(parseInvarianceArgs(['vae.json', '--kind', 'curve', '--indices', '1,2'])), { manifestPath: m, kind: 'curve', testIndices: [1, 2] });
  assert.deepEqual(invarianceParams(parseInvarianceArgs(['vae.json', '--kind', 'counterfactuals', '--indices', '4', '--background', '500', '--step-size', '0.1', '--max-step', '3', '--criterion', 'latent'])), {
    manifestPath: m,
    kind: 'counterfactuals',
    testIndices: [4],
    background: 500,
    stepSize: 0.1,
    maxStep: 3,
    criterion: 'latent',
  });
  assert.deepEqual(
    invarianceParams(parseInvarianceArgs(['vae.json', '--kind', 'divergence', '--indices', '0', '--baseline', 'invariant', '--sigma', '2', '--background', '8', '--samples', '100', '--noise', '0.1'])),
    { manifestPath: m, kind: 'divergence', testIndices: [0], baseline: 'invariant', background: 8, sigma: 2, samples: 100, noise: 0.1 },
  );
});

test('invariance: bad command lines name the flag', () => {
  usage(() => parseInvarianceArgs(['vae.json']), /needs --kind samples\|curve\|counterfactuals\|divergence/);
  usage(() => parseInvarianceArgs(['--kind', 'samples']), /needs a <manifest>/);
  usage(() => parseInvarianceArgs(['vae.json', '--kind', 'gallery']), /--kind must be one of samples, curve, counterfactuals, divergence; got gallery/);
  usage(() => parseInvarianceArgs(['vae.json', '--kind', 'samples', '--sigma', '0']), /--sigma needs a positive number, got 0/);
  usage(() => parseInvarianceArgs(['vae.json', '--kind', 'samples', '--sigma', '1,2']), /--sigma takes one value for --kind samples/);
  usage(() => parseInvarianceArgs(['vae.json', '--kind', 'samples', '--samples', '5']), /--samples applies to --kind divergence, not samples/);
  usage(() => parseInvarianceArgs(['vae.json', '--kind', 'curve', '--background', '5']), /--background applies to --kind counterfactuals or divergence, not curve/);
  usage(() => parseInvarianceArgs(['vae.json', '--kind', 'divergence', '--sigma', '1']), /--sigma applies to --baseline invariant/);
  usage(() => parseInvarianceArgs(['vae.json', '--kind', 'curve', '--examples', '5', '--indices', '1']), /--examples and --indices/);
  usage(() => parseInvarianceArgs(['vae.json', '--kind', 'samples', '--indices', Array.from({ length: 65 }, (_, i) => i).join(',')]), /at most 64 test examples/);
  usage(() => parseInvarianceArgs(['vae.json', '--kind', 'samples', '--count', '0']), /--count must be at least 1/);
  usage(() => parseInvarianceArgs(['vae.json', '--kind', 'curve', '--criterion', 'latent']), /--criterion applies to --kind counterfactuals, not curve/);
  usage(() => parseInvarianceArgs(['vae.json', '--kind', 'samples', '--bogus']), /invariance has no option --bogus/);
  usage(() => parseInvarianceArgs(['vae.json', 'other.json', '--kind', 'samples']), /unexpected argument other.json/);
  usage(() => parseInvarianceArgs(['vae.json', '--kind', 'samples', '--out']), /--out needs a folder/);
});

const info = { checkpoint: 'c/e3', decoder: 'c/d3', classifier: 'c/k3', latentDim: 3, classDims: 2, classes: 2, shape: [2, 2, 1], classNames: ['a', 'b'], seconds: 1 };
const img = (v: number) => new Float32Array([v, v, v, v]);

test('summaries: the curve as a table, match rates, steps, map sums and completeness', () => {
  const curve: InvarianceCurveReply = { ...info, kind: 'curve', testIndices: [0, 1], count: 5, reconstruction: 0.9, points: [{ sigma: 0.5, nuisance: 0.95, classUnits: 0.4, total: 10 }, { sigma: 4, nuisance: 0.7, classUnits: 0.1, total: 10 }] };
  const text = formatInvariance(curve);
  assert.match(text, /σ = 0 \(reconstruction decode\(μ\(x\)\)\): 0\.900/);
  assert.match(text, /^0\.5 +0\.950 +0\.400$/m);
  assert.match(text, /^4 +0\.700 +0\.100$/m);
  const samples: InvarianceSamplesReply = {
    ...info,
    kind: 'samples',
    sigma: 1,
    count: 2,
    matchRate: 0.5,
    examples: [{ index: 3, label: 1, predicted: 1, mu: [0, 0, 0], reconstruction: img(0.5), reconstructionPredicted: 1, matchRate: 0.5, samples: [{ values: img(0), z2: [1], predicted: 1, matches: true }, { values: img(1), z2: [-1], predicted: 0, matches: false }] }],
  };
  assert.match(formatInvariance(samples), /^3 +b +b +same +0\.500 \(1\/2\)$/m);
  assert.match(formatInvariance(samples), /overall match rate 0\.500 over 2 samples/);
  const counterfactuals: InvarianceCounterfactualReply = {
    ...info,
    kind: 'counterfactuals',
    criterion: 'decoded',
    stepSize: 0.05,
    maxStep: 2,
    classMeans: [[1, 0], []],
    classCounts: [10, 0],
    backgroundCount: 10,
    examples: [
      {
        index: 0,
        predicted: 0,
        mu: [0, 0, 0],
        counterfactuals: [
          { classIndex: 0, className: 'a', available: true, step: 0, reached: true, distance: 0, probability: 0.8, values: img(0.2), decodedPredicted: 0 },
          { classIndex: 1, className: 'b', available: false, step: 0, reached: false, distance: 0, probability: 0.2 },
        ],
      },
    ],
  };
  const cf = formatInvariance(counterfactuals);
  assert.match(cf, /^ {2}a\* +0\.00 +0\.00 +0\.800 +a$/m);
  assert.match(cf, /^ {2}b +n\/a /m);
  const divergence: InvarianceDivergenceReply = {
    ...info,
    kind: 'divergence',
    baseline: 'train',
    background: 4,
    samples: 50,
    examples: [
      {
        index: 2,
        predicted: 1,
        mu: [0, 0, 0],
        maps: [
          { k: 1, values: new Float32Array([0.5, -0.25, 0, 1]), completeness: { sum: 1.25, expected: 1.2 }, absoluteSum: 1.75 },
          { k: 2, values: new Float32Array([0, 0, 0.1, 0.2]), completeness: { sum: 0.3, expected: 0.31 }, absoluteSum: 0.3 },
        ],
      },
    ],
  };
  const dv = formatInvariance(divergence);
  assert.match(dv, /^2 +b +z1 +1\.250 +1\.200 +0\.050 +1\.750$/m);
  assert.match(dv, /^ +z2 +0\.300 +0\.310 +-0\.010 +0\.300$/m);

  // --out: one PNG per example (original first), the curve as CSV.
  const files = invarianceFiles(samples, new Map([[3, img(1)]]));
  assert.deepEqual(files.map((f) => f.name), ['invariant-samples-3.png']);
  const png = PNG.sync.read(files[0]!.bytes as Buffer);
  const zoom = 56; // 112 / 2
  assert.equal(png.height, 2 * zoom);
  assert.equal(png.width, 4 * 2 * zoom + 3 * 4, 'original, reconstruction and two samples');
  assert.deepEqual(Array.from(png.data.subarray(0, 4)), [255, 255, 255, 255], 'the original is white');
  const second = (2 * zoom + 4) * 4;
  assert.deepEqual(Array.from(png.data.subarray(second, second + 4)), [128, 128, 128, 255], 'the reconstruction is mid-grey');
  assert.equal(invarianceFiles(curve, new Map())[0]!.bytes, 'sigma,z2_resampled_keeps_class,z1_resampled_keeps_class,samples\n0.5,0.95,0.4,10\n4,0.7,0.1,10\n');
  assert.deepEqual(invarianceFiles(counterfactuals, new Map()).map((f) => f.name), ['counterfactuals-0.png']);
  const maps = PNG.sync.read(invarianceFiles(divergence, new Map())[0]!.bytes as Buffer);
  assert.equal(maps.width, 2 * 2 * zoom + 4, 'two maps (no original known)');
  // Pixel (0, 1) of the z1 map is -0.25 of max 1: light blue.
  const at = (zoom * 1) * 4;
  assert.deepEqual(Array.from(maps.data.subarray(at, at + 4)), [191, 191, 255, 255]);
});

test('PNG strips refuse shapes that are not images', () => {
  assert.equal(imageGeometry([5]), undefined);
  assert.deepEqual(imageGeometry([28, 28, 1]), { height: 28, width: 28, channels: 1 });
  assert.throws(() => stripPng([{ values: [1], kind: 'image' }], [5]), /not images/);
});
