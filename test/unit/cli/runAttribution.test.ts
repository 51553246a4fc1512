import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { parseCommand } from '../../../src/cli/commands';
import { runAttribute } from '../../../src/cli/runAttribute';
import { runChecks } from '../../../src/cli/runChecks';
import { writeNpy } from '../../../src/engine/data/npy';
import { expectClose } from '../metrics/testUtils';
import { example, FEATURES, LATENT, writeTinyRuns, type TinyRuns } from '../jobs/fixtures';

let runs: TinyRuns;

before(async () => {
  await tf.setBackend('cpu');
  runs = await writeTinyRuns(await mkdtemp(path.join(tmpdir(), 'modeldebug-cli-')));
});

after(async () => {
  await rm(runs.dir, { recursive: true, force: true });
});

test('modeldebug attribute sends a file baseline through the engine and writes plain JSON', async () => {
  const baseline = Float32Array.from({ length: FEATURES }, (_, i) => i / 100);
  const baselineFile = path.join(runs.dir, 'baseline.npy');
  await writeFile(baselineFile, writeNpy([1, 4, 4, 1], 'float32', baseline));
  const out = path.join(runs.dir, 'out', 'attribution.json');
  const command = parseCommand(['attribute', runs.classifierManifest, '--method', 'ig', '--steps', '4', '--target', 'unit:1', '--index', '3', '--baseline', `file:${baselineFile}`, '--backend', 'cpu', '--checkpoint', runs.checkpoints[0]!.path, '--out', out]);
  assert.equal(command.command, 'attribute');
  if (command.command !== 'attribute') return;
  const { result, jsonPath } = await runAttribute(command, () => undefined);
  const w = runs.checkpoints[0]!.weights;
  const x = example(runs.test, 3);
  const expected = Float64Array.from({ length: FEATURES }, (_, i) => (x[i]! - baseline[i]!) * w.W[i * LATENT + 1]!);
  expectClose(result.maps[0]!.values, expected, 1e-5, 1e-4);
  const written = JSON.parse(await readFile(jsonPath!, 'utf8')) as { testIndex: number; maps: Array<{ values: number[] }>; settings: { baseline: { values: number[] } } };
  assert.equal(written.testIndex, 3);
  assert.ok(Array.isArray(written.maps[0]!.values), 'maps are plain lists in the JSON');
  expectClose(written.maps[0]!.values, expected, 1e-5, 1e-4);
  assert.equal(written.settings.baseline.values.length, FEATURES);
});

test('modeldebug checks runs every check, keeps going past a failing one, and writes the results', async () => {
  const out = path.join(runs.dir, 'checks.json');
  const command = parseCommand(['checks', runs.classifierManifest, '--examples', '3', '--method', 'saliency', '--compare', path.join(runs.dir, 'missing', 'modeldebug.json'), '--backend', 'cpu', '--out', out]);
  if (command.command !== 'checks') return assert.fail('not a checks command');
  const { results, jsonPath } = await runChecks(command, () => undefined);
  assert.equal(results.units?.units, LATENT);
  assert.equal(results.consistency?.fractions.length, 4);
  assert.deepEqual(results.sanity?.steps.map((s) => s.layer), [null, 'enc_latent']);
  assert.equal(results.compare, undefined);
  assert.match(results.errors['representation comparison'] ?? '', /missing.*does not exist/);
  const written = JSON.parse(await readFile(jsonPath!, 'utf8')) as { units: { examples: Array<{ maps?: unknown }> } };
  assert.equal(written.units.examples.length, 3);
  assert.equal(written.units.examples[0]!.maps, undefined, 'per-unit map values stay out of the checks JSON');
});
