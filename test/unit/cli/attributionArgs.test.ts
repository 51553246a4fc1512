import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UsageError } from '../../../src/cli/args';
import { methodSpec, parseBaselineArg, parseMethodArg, parseTargetArg } from '../../../src/cli/attributionArgs';
import { parseCommand } from '../../../src/cli/commands';

test('attribute parses its method, target, example, baseline and settings', () => {
  const command = parseCommand(['attribute', 'run/modeldebug.json', '--method', 'integrated-gradients', '--target', 'class:3', '--index', '7', '--steps', '32', '--baseline', 'blur:1.5', '--settings', '{"rule":"riemann_trapezoid"}', '--out', 'a.json', '--backend', 'cpu', '--checkpoint', 'checkpoints/epoch-2']);
  assert.deepEqual(command, {
    command: 'attribute',
    manifest: 'run/modeldebug.json',
    method: 'integratedGradients',
    target: { kind: 'class', classIndex: 3 },
    index: 7,
    steps: 32,
    baseline: { kind: 'blur', sigma: 1.5 },
    settings: { rule: 'riemann_trapezoid' },
    out: 'a.json',
    backend: 'cpu',
    checkpoint: 'checkpoints/epoch-2',
  });
  assert.deepEqual(methodSpec(command as Parameters<typeof methodSpec>[0]), { method: 'integratedGradients', rule: 'riemann_trapezoid', steps: 32 });
  const defaults = parseCommand(['attribute', 'm.json', '--method', 'lrp']);
  assert.equal(defaults.command === 'attribute' && defaults.index, 0);
  assert.deepEqual(defaults.command === 'attribute' && defaults.target, { kind: 'labelFree' });
});

test('every target and baseline spelling maps to the protocol', () => {
  assert.deepEqual(parseTargetArg('label-free'), { kind: 'labelFree' });
  assert.deepEqual(parseTargetArg('class'), { kind: 'class' });
  assert.deepEqual(parseTargetArg('class:0'), { kind: 'class', classIndex: 0 });
  assert.deepEqual(parseTargetArg('prob-weighted'), { kind: 'probabilityWeighted' });
  assert.deepEqual(parseTargetArg('unit:2'), { kind: 'latentUnit', unit: 2 });
  assert.deepEqual(parseTargetArg('all-units'), { kind: 'allUnits' });
  assert.throws(() => parseTargetArg('all-units', false), UsageError);
  for (const bad of [undefined, '', 'unit', 'unit:x', 'class:-1', 'label-free:1', 'logits']) assert.throws(() => parseTargetArg(bad), UsageError, String(bad));
  assert.deepEqual(parseBaselineArg('zeros'), { kind: 'zeros' });
  assert.deepEqual(parseBaselineArg('mean'), { kind: 'mean' });
  assert.deepEqual(parseBaselineArg('blur'), { kind: 'blur', sigma: 2 });
  assert.deepEqual(parseBaselineArg('uniform'), { kind: 'uniform' });
  assert.deepEqual(parseBaselineArg('uniform:5'), { kind: 'uniform', seed: 5 });
  assert.deepEqual(parseBaselineArg('constant:-0.5'), { kind: 'constant', value: -0.5 });
  assert.deepEqual(parseBaselineArg('file:C:/b.npy'), { kind: 'file', path: 'C:/b.npy' });
  for (const bad of [undefined, 'grey', 'blur:x', 'constant', 'file:', 'zeros:1']) assert.throws(() => parseBaselineArg(bad), UsageError, String(bad));
  assert.equal(parseMethodArg('KernelSHAP'), 'kernelShap');
  assert.equal(parseMethodArg('ig'), 'integratedGradients');
  assert.throws(() => parseMethodArg('gradcam'), UsageError);
});

test('--steps and --samples go where the method takes them, and nowhere else', () => {
  assert.deepEqual(methodSpec({ method: 'smoothGrad', samples: 10, steps: 8, settings: { base: { method: 'integratedGradients' } } }), { method: 'smoothGrad', base: { method: 'integratedGradients', steps: 8 }, samples: 10 });
  assert.deepEqual(methodSpec({ method: 'kernelShap', samples: 500 }), { method: 'kernelShap', samples: 500 });
  assert.throws(() => methodSpec({ method: 'saliency', steps: 8 }), /--steps applies to integratedGradients/);
  assert.throws(() => methodSpec({ method: 'deepLift', samples: 8 }), /--samples applies to/);
});

test('checks defaults to integrated gradients, label-free, examples 0..7, and parses its own options', () => {
  const command = parseCommand(['checks', 'm.json']);
  assert.equal(command.command, 'checks');
  if (command.command !== 'checks') return;
  assert.equal(command.method, 'integratedGradients');
  assert.deepEqual(command.target, { kind: 'labelFree' });
  assert.deepEqual(command.indices, [0, 1, 2, 3, 4, 5, 6, 7]);
  const full = parseCommand(['checks', 'm.json', '--indices', '4,2', '--method', 'deepLift', '--target', 'class', '--sanity-index', '9', '--compare', 'other.json', '--compare-checkpoint', 'c/e1', '--examples', '3']);
  assert.ok(full.command === 'checks');
  if (full.command !== 'checks') return;
  assert.deepEqual(full.indices, [0, 1, 2], 'the later flag wins');
  assert.equal(full.sanityIndex, 9);
  assert.equal(full.compare, 'other.json');
  assert.equal(full.compareCheckpoint, 'c/e1');
});

test('bad attribute and checks command lines are usage errors, and explain still parses as before', () => {
  const bad = [
    ['attribute', 'm.json'],
    ['attribute', '--method', 'ig'],
    ['attribute', 'm.json', '--method', 'ig', 'extra.json'],
    ['attribute', 'm.json', '--method', 'ig', '--index', '-1'],
    ['attribute', 'm.json', '--method', 'ig', '--steps', '0'],
    ['attribute', 'm.json', '--method', 'ig', '--settings', '[1]'],
    ['attribute', 'm.json', '--method', 'ig', '--settings', '{"method":"lime"}'],
    ['attribute', 'm.json', '--method', 'ig', '--settings', '{nope'],
    ['attribute', 'm.json', '--method', 'ig', '--top-k', '3'],
    ['checks', 'm.json', '--target', 'all-units'],
    ['checks', 'm.json', '--indices', '1,1'],
    ['checks', 'm.json', '--examples', '0'],
    ['checks', 'm.json', '--compare'],
  ];
  for (const argv of bad) assert.throws(() => parseCommand(argv), UsageError, JSON.stringify(argv));
  const explain = parseCommand(['explain', 'm.json', '--examples', '2']);
  assert.equal(explain.command, 'explain');
  assert.deepEqual(explain.command === 'explain' && explain.indices, [0, 1]);
});
