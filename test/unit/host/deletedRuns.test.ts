import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { manifestsUnder } from '../../../src/host/diagnostics/deletedRuns';

const root = path.resolve('/work/space');
const runA = path.join(root, 'runs', 'a', 'modeldebug.json');
const runB = path.join(root, 'runs', 'b', 'modeldebug.json');
const runAb = path.join(root, 'runs', 'ab', 'modeldebug.json');
const known = [runA, runB, runAb];

test('a deleted manifest takes only its own run', () => {
  assert.deepEqual(manifestsUnder(runA, known), [runA]);
});

test('a deleted run folder takes the manifest inside it, not a sibling whose name starts the same', () => {
  assert.deepEqual(manifestsUnder(path.join(root, 'runs', 'a'), known), [runA]);
});

test('a deleted ancestor folder takes every run below it', () => {
  assert.deepEqual(manifestsUnder(path.join(root, 'runs'), known), known);
});

test('deleting an unrelated file or a checkpoint inside a run takes nothing', () => {
  assert.deepEqual(manifestsUnder(path.join(root, 'notes.md'), known), []);
  assert.deepEqual(manifestsUnder(path.join(root, 'runs', 'a', 'checkpoints'), known), []);
});
