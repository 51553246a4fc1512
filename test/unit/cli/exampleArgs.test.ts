import { test } from 'node:test';
import assert from 'node:assert/strict';
import { USAGE, UsageError } from '../../../src/cli/args';
import { parseCommand } from '../../../src/cli/commands';
import { exampleCheckSpecs, exampleMethodSpec, parseExampleMethod } from '../../../src/cli/exampleArgs';
import { consistencyParams, importanceParams } from '../../../src/cli/runExamples';

function throwsNaming(argv: string[], flag: string | RegExp): void {
  assert.throws(
    () => parseCommand(argv),
    (error: unknown) => error instanceof UsageError && (typeof flag === 'string' ? error.message.includes(flag) : flag.test(error.message)),
    `${JSON.stringify(argv)} should fail naming ${String(flag)}`,
  );
}

test('examples parses the method, its settings, the examples and the output', () => {
  const command = parseCommand(['examples', 'run/modeldebug.json', '--method', 'tracin', '--mode', 'sketch', '--sketch-dim', '256', '--indices', '3,5', '--top-k', '4', '--checkpoint', 'checkpoints/epoch-2', '--json', 'out.json', '--backend', 'cpu', '--batch-size', '64']);
  assert.deepEqual(command, {
    command: 'examples',
    manifest: 'run/modeldebug.json',
    method: 'tracin',
    options: { mode: 'sketch', sketchDim: 256 },
    indices: [3, 5],
    topK: 4,
    checkpoint: 'checkpoints/epoch-2',
    json: 'out.json',
    backend: 'cpu',
    batchSize: 64,
  });
  assert.ok(command.command === 'examples');
  const params = importanceParams(command);
  assert.deepEqual(params.method, { method: 'tracin', mode: 'sketch', sketchDim: 256 });
  assert.deepEqual(params.testIndices, [3, 5]);
  assert.equal(params.topK, 4);
  assert.equal(params.checkpoint, 'checkpoints/epoch-2');
  assert.equal(params.batchSize, 64);
  assert.ok(params.manifestPath.endsWith('run/modeldebug.json') && params.manifestPath.startsWith('/'));
  const defaults = parseCommand(['examples', 'm.json', '--method', 'deep-knn']);
  assert.ok(defaults.command === 'examples');
  assert.deepEqual(defaults.indices, [0, 1, 2, 3, 4, 5, 6, 7]);
  assert.equal(defaults.method, 'deepKnn');
  assert.deepEqual(importanceParams(defaults).method, { method: 'deepKnn' });
  const few = parseCommand(['examples', 'm.json', '--method', 'simplex', '--examples', '2', '--epochs', '500', '--lr', '0.05', '--nearest', '20']);
  assert.ok(few.command === 'examples');
  assert.deepEqual(few.indices, [0, 1]);
  assert.deepEqual(importanceParams(few).method, { method: 'simplex', epochs: 500, learningRate: 0.05, nearest: 20 });
});

test('method names and TracIn modes accept the usual spellings', () => {
  assert.equal(parseExampleMethod('--method', 'DeepKNN'), 'deepKnn');
  assert.equal(parseExampleMethod('--method', 'deep_knn'), 'deepKnn');
  assert.equal(parseExampleMethod('--method', 'TracIn'), 'tracin');
  assert.equal(parseExampleMethod('--method', 'SimplEx'), 'simplex');
  assert.deepEqual(exampleMethodSpec('tracin', { mode: 'exact' }), { method: 'tracin', mode: 'exact' });
  assert.deepEqual(exampleMethodSpec('tracin', { lastLayers: 2 }), { method: 'tracin', mode: 'lastLayers', lastLayers: 2 }, '--last-layers alone implies the mode');
  const lastLayers = parseCommand(['examples', 'm.json', '--method', 'tracin', '--mode', 'last-layers', '--last-layers', '3']);
  assert.ok(lastLayers.command === 'examples');
  assert.deepEqual(importanceParams(lastLayers).method, { method: 'tracin', mode: 'lastLayers', lastLayers: 3 });
});

test('influence settings pick the inverse they belong to', () => {
  assert.deepEqual(exampleMethodSpec('influence', {}), { method: 'influence' });
  assert.deepEqual(exampleMethodSpec('influence', { depth: 50, scale: 100, damping: 0.01, samples: 2 }), { method: 'influence', inverse: 'lissa', depth: 50, scale: 100, damping: 0.01, samples: 2 });
  assert.deepEqual(exampleMethodSpec('influence', { rank: 20, iterations: 60 }), { method: 'influence', inverse: 'arnoldi', rank: 20, iterations: 60 });
  assert.deepEqual(exampleMethodSpec('influence', { inverse: 'arnoldi', damping: 0.001 }), { method: 'influence', inverse: 'arnoldi', damping: 0.001 });
  const command = parseCommand(['examples', 'm.json', '--method', 'influence', '--inverse', 'lissa', '--depth', '100', '--scale', '1e4', '--damping', '0', '--samples', '1']);
  assert.ok(command.command === 'examples');
  assert.deepEqual(importanceParams(command).method, { method: 'influence', inverse: 'lissa', depth: 100, scale: 10000, damping: 0, samples: 1 });
});

test('a setting of another method, mode or inverse is an error naming the flag', () => {
  throwsNaming(['examples', 'm.json', '--method', 'deepknn', '--sketch-dim', '64'], '--sketch-dim applies to --method tracin');
  throwsNaming(['examples', 'm.json', '--method', 'tracin', '--depth', '10'], '--depth applies to --method influence');
  throwsNaming(['examples', 'm.json', '--method', 'influence', '--epochs', '10'], '--epochs applies to --method simplex');
  throwsNaming(['examples', 'm.json', '--method', 'simplex', '--mode', 'exact'], '--mode applies to --method tracin');
  throwsNaming(['examples', 'm.json', '--method', 'tracin', '--mode', 'exact', '--sketch-dim', '64'], '--sketch-dim applies to --mode sketch');
  throwsNaming(['examples', 'm.json', '--method', 'tracin', '--mode', 'sketch', '--last-layers', '2'], '--last-layers applies to --mode last-layers');
  throwsNaming(['examples', 'm.json', '--method', 'influence', '--inverse', 'arnoldi', '--depth', '10'], '--depth applies to --inverse lissa');
  throwsNaming(['examples', 'm.json', '--method', 'influence', '--inverse', 'lissa', '--rank', '10'], '--rank applies to --inverse arnoldi');
  throwsNaming(['examples', 'm.json', '--method', 'influence', '--depth', '10', '--rank', '5'], /--depth .*--rank/);
});

test('bad values and missing pieces are usage errors that name the flag', () => {
  throwsNaming(['examples', 'm.json'], '--method');
  throwsNaming(['examples', '--method', 'tracin'], '<manifest>');
  throwsNaming(['examples', 'm.json', '--method', 'gradcam'], '--method');
  throwsNaming(['examples', 'm.json', '--method', 'tracin', '--mode', 'fast'], '--mode');
  throwsNaming(['examples', 'm.json', '--method', 'tracin', '--sketch-dim', '0'], '--sketch-dim');
  throwsNaming(['examples', 'm.json', '--method', 'tracin', '--top-k', 'x'], '--top-k');
  throwsNaming(['examples', 'm.json', '--method', 'tracin', '--indices', '1,1'], '--indices');
  throwsNaming(['examples', 'm.json', '--method', 'tracin', '--indices', '1,-2'], '--indices');
  throwsNaming(['examples', 'm.json', '--method', 'tracin', '--examples', '257'], 'at most 256');
  throwsNaming(['examples', 'm.json', '--method', 'influence', '--inverse', 'cg'], '--inverse');
  throwsNaming(['examples', 'm.json', '--method', 'influence', '--scale', '-1'], '--scale');
  throwsNaming(['examples', 'm.json', '--method', 'influence', '--damping', 'nan'], '--damping');
  throwsNaming(['examples', 'm.json', '--method', 'simplex', '--lr', '0'], '--lr');
  throwsNaming(['examples', 'm.json', '--method', 'tracin', '--json'], '--json');
  throwsNaming(['examples', 'm.json', '--method', 'tracin', '--json', '--top-k'], '--json');
  throwsNaming(['examples', 'm.json', '--method', 'tracin', '--steps', '5'], '--steps');
  throwsNaming(['examples', 'm.json', 'other.json', '--method', 'tracin'], 'other.json');
  throwsNaming(['examples', 'm.json', '--method', 'tracin', '--backend', 'gpu'], '--backend');
});

test('index, self-influence and suspicious parse their options', () => {
  assert.deepEqual(parseCommand(['index', 'm.json', '--sketch-dim', '512', '--batch-size', '128']), { command: 'index', manifest: 'm.json', sketchDim: 512, batchSize: 128 });
  assert.deepEqual(parseCommand(['index', 'm.json']), { command: 'index', manifest: 'm.json' });
  throwsNaming(['index', 'm.json', '--checkpoint', 'c'], '--checkpoint');
  throwsNaming(['index', 'm.json', '--sketch-dim', '-4'], '--sketch-dim');
  assert.deepEqual(parseCommand(['self-influence', 'm.json', '--method', 'influence', '--top-k', '7']), { command: 'self-influence', manifest: 'm.json', method: 'influence', topK: 7 });
  assert.deepEqual(parseCommand(['self-influence', 'm.json']), { command: 'self-influence', manifest: 'm.json', method: 'tracin' });
  throwsNaming(['self-influence', 'm.json', '--method', 'deepknn'], '--method');
  assert.deepEqual(parseCommand(['suspicious', 'm.json', '--limit', '30', '--neighbours', '15', '--signals', 'self-influence,neighbour_disagreement', '--checkpoint', 'c/e3']), {
    command: 'suspicious',
    manifest: 'm.json',
    limit: 30,
    neighbours: 15,
    signals: ['selfInfluence', 'neighbourDisagreement'],
    checkpoint: 'c/e3',
  });
  throwsNaming(['suspicious', 'm.json', '--limit', '0'], '--limit');
  throwsNaming(['suspicious', 'm.json', '--signals', 'loss'], '--signals');
  throwsNaming(['suspicious', 'm.json', '--method', 'tracin'], 'suspicious has no option --method');
});

test('example-checks takes a method list whose settings go to their own method', () => {
  const command = parseCommand(['example-checks', 'a.json', '--methods', 'tracin,deepknn,simplex', '--examples', '4', '--sketch-dim', '128', '--nearest', '50', '--ms', '1,5', '--compare', 'b.json']);
  assert.ok(command.command === 'example-checks');
  assert.deepEqual(command.indices, [0, 1, 2, 3]);
  assert.equal(command.compare, 'b.json');
  assert.deepEqual(exampleCheckSpecs(command), [{ method: 'tracin', sketchDim: 128 }, { method: 'deepKnn' }, { method: 'simplex', nearest: 50 }]);
  const params = consistencyParams(command);
  assert.deepEqual(params.ms, [1, 5]);
  assert.equal(params.methods.length, 3);
  const defaults = parseCommand(['example-checks', 'a.json']);
  assert.ok(defaults.command === 'example-checks');
  assert.deepEqual(defaults.methods, ['tracin', 'deepKnn']);
  assert.equal(defaults.indices.length, 32);
  throwsNaming(['example-checks', 'a.json', '--methods', 'tracin,tracin'], '--methods');
  throwsNaming(['example-checks', 'a.json', '--methods', 'tracin,lime'], '--methods');
  throwsNaming(['example-checks', 'a.json', '--methods', 'deepknn', '--depth', '3'], '--depth applies to --method influence');
  throwsNaming(['example-checks', 'a.json', '--ms', '1,0'], '--ms');
  throwsNaming(['example-checks', 'a.json', '--compare'], '--compare');
});

test('the usage text lists every new command and its flags', () => {
  for (const word of ['examples', 'index', 'self-influence', 'suspicious', 'example-checks', '--sketch-dim', '--last-layers', '--inverse', '--depth', '--scale', '--damping', '--rank', '--iterations', '--epochs', '--lr', '--nearest', '--neighbours', '--limit', '--methods', '--json', '--ms', '--signals']) {
    assert.ok(USAGE.includes(word), word);
  }
});
