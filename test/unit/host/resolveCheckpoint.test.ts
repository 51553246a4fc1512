import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { resolveCheckpoint, type PathKind, type StatPath } from '../../../src/host/scriptPaths/resolveCheckpoint';

const root = path.resolve('/ws');
const script = path.join(root, 'autoencoder', 'train.ts');

/** A fake file system: paths ending in / are folders. */
function fakeStat(entries: string[]): StatPath & { asked: string[] } {
  const kinds = new Map<string, PathKind>();
  for (const entry of entries) {
    const isDirectory = entry.endsWith('/');
    kinds.set(path.join(root, entry.replace(/\/$/, '')), { isFile: !isDirectory, isDirectory });
  }
  const asked: string[] = [];
  const stat = async (p: string) => {
    asked.push(p);
    return kinds.get(p);
  };
  return Object.assign(stat, { asked });
}

test('a checkpoint folder next to the script resolves to its model.json', async () => {
  const stat = fakeStat(['autoencoder/checkpoints/epoch-1/', 'autoencoder/checkpoints/epoch-1/model.json']);
  assert.deepEqual(await resolveCheckpoint({ path: './checkpoints/epoch-1', anchoredAtScript: false }, { scriptPath: script, stat }), {
    modelJson: path.join(root, 'autoencoder/checkpoints/epoch-1/model.json'),
    folder: path.join(root, 'autoencoder/checkpoints/epoch-1'),
  });
});

test('a model.json path resolves to itself; other files and folders without model.json do not resolve', async () => {
  const stat = fakeStat(['autoencoder/ckpt/', 'autoencoder/ckpt/model.json', 'autoencoder/weights.pt', 'autoencoder/empty/']);
  assert.equal((await resolveCheckpoint({ path: 'ckpt/model.json', anchoredAtScript: true }, { scriptPath: script, stat }))?.folder, path.join(root, 'autoencoder/ckpt'));
  assert.equal(await resolveCheckpoint({ path: 'weights.pt', anchoredAtScript: false }, { scriptPath: script, stat }), undefined);
  assert.equal(await resolveCheckpoint({ path: 'empty', anchoredAtScript: false }, { scriptPath: script, stat }), undefined);
  assert.equal(await resolveCheckpoint({ path: 'missing', anchoredAtScript: false }, { scriptPath: script, stat }), undefined);
  assert.equal(await resolveCheckpoint({ path: '  ', anchoredAtScript: false }, { scriptPath: script, stat }), undefined);
});

test('a relative path is tried against the script folder, then the search folders; an anchored one only against the script', async () => {
  const stat = fakeStat(['runs/ckpt/', 'runs/ckpt/model.json']);
  const found = await resolveCheckpoint({ path: 'runs/ckpt', anchoredAtScript: false }, { scriptPath: script, searchFolders: [root], stat });
  assert.equal(found?.modelJson, path.join(root, 'runs/ckpt/model.json'));
  assert.deepEqual(stat.asked.slice(0, 2), [path.join(root, 'autoencoder/runs/ckpt'), path.join(root, 'runs/ckpt')]);
  assert.equal(await resolveCheckpoint({ path: 'runs/ckpt', anchoredAtScript: true }, { scriptPath: script, searchFolders: [root], stat }), undefined);
});

test('an absolute path is used as it is', async () => {
  const stat = fakeStat(['abs/', 'abs/model.json']);
  assert.equal((await resolveCheckpoint({ path: path.join(root, 'abs'), anchoredAtScript: false }, { scriptPath: script, stat }))?.folder, path.join(root, 'abs'));
});

test('the real file system is the default', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'resolve-ckpt-'));
  try {
    mkdirSync(path.join(dir, 'ckpt'));
    writeFileSync(path.join(dir, 'ckpt', 'model.json'), '{}');
    const found = await resolveCheckpoint({ path: 'ckpt', anchoredAtScript: true }, { scriptPath: path.join(dir, 'train.py') });
    assert.equal(found?.modelJson, path.join(dir, 'ckpt', 'model.json'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a script path is required', async () => {
  await assert.rejects(resolveCheckpoint({ path: 'x', anchoredAtScript: false }, { scriptPath: '' }), /scriptPath/);
});
