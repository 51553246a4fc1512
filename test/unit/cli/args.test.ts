import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseArgs, UsageError } from '../../../src/cli/args';

test('explain takes a manifest and defaults to the first 8 test examples', () => {
  const command = parseArgs(['explain', 'run/modeldebug.json']);
  assert.equal(command.manifest, 'run/modeldebug.json');
  assert.deepEqual(command.indices, [0, 1, 2, 3, 4, 5, 6, 7]);
});

test('options are parsed and validated', () => {
  const command = parseArgs(['explain', 'm.json', '--indices', '3,5', '--steps', '32', '--top-k', '3', '--backend', 'cpu', '--out', 'o']);
  assert.deepEqual(command.indices, [3, 5]);
  assert.equal(command.steps, 32);
  assert.equal(command.topK, 3);
  assert.equal(command.backend, 'cpu');
  assert.equal(command.out, 'o');
  assert.deepEqual(parseArgs(['explain', 'm.json', '--examples', '2']).indices, [0, 1]);
});

test('bad command lines are usage errors, not crashes', () => {
  for (const argv of [[], ['frobnicate'], ['explain'], ['explain', 'a', 'b'], ['explain', 'a', '--steps', '-1'], ['explain', 'a', '--backend', 'gpu'], ['explain', 'a', '--wat'], ['explain', 'a', '--indices', '1,x'], ['explain', 'a', '--examples', '0']]) {
    assert.throws(() => parseArgs(argv), UsageError, JSON.stringify(argv));
  }
});
