import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { CheckpointFolderSet, MAX_CHECKPOINT_FOLDERS } from '../../../src/host/editor/checkpointFolders';
import { checkpointAtCursor, findLensCandidates, looksLikePath, resolveLenses, scriptLanguageForDocument } from '../../../src/host/editor/scriptCheckpoints';
import type { PathKind, StatPath } from '../../../src/host/scriptPaths/resolveCheckpoint';

const ws = path.resolve('/ws');
const p = (...parts: string[]): string => path.join(ws, ...parts);

test('checkpoint folders: each model.json gives its folder once; deleting a file or a parent folder removes them', () => {
  const set = new CheckpointFolderSet([p('a', 'epoch-1', 'model.json'), p('a', 'epoch-2', 'model.json'), p('notes.json')]);
  assert.deepEqual(set.folders(), [p('a', 'epoch-1'), p('a', 'epoch-2')]);
  assert.equal(set.add(p('a', 'epoch-1', 'model.json')), false, 'known already');
  assert.equal(set.add(p('b', 'model.json')), true);
  assert.equal(set.remove(p('a', 'epoch-1', 'model.json')), true);
  assert.deepEqual(set.folders(), [p('a', 'epoch-2'), p('b')]);
  assert.equal(set.remove(p('a')), true, 'a deleted folder takes its checkpoints with it');
  assert.deepEqual(set.folders(), [p('b')]);
  assert.equal(set.remove(p('b2')), false, 'a sibling with a common prefix is not a parent');
  assert.equal(set.remove(p('nothing')), false);
});

test('checkpoint folders are capped for the context key', () => {
  const set = new CheckpointFolderSet(Array.from({ length: MAX_CHECKPOINT_FOLDERS + 10 }, (_, i) => p(`c${i}`, 'model.json')));
  assert.equal(set.folders().length, MAX_CHECKPOINT_FOLDERS);
});

test('script languages: TS, JS and Python by language id or file name', () => {
  assert.equal(scriptLanguageForDocument('typescript', '/x/train.ts'), 'javascript');
  assert.equal(scriptLanguageForDocument('python', '/x/train.py'), 'python');
  assert.equal(scriptLanguageForDocument('plaintext', '/x/train.py'), 'python');
  assert.equal(scriptLanguageForDocument('json', '/x/model.json'), undefined);
});

test('literals worth a lookup look like paths', () => {
  assert.ok(looksLikePath('./autoencoder/checkpoints/epoch-1'));
  assert.ok(looksLikePath('file://ckpt/best'));
  assert.ok(looksLikePath('model.json'));
  assert.ok(!looksLikePath('utf8'));
  assert.ok(!looksLikePath('https://example.com/a'));
  assert.ok(!looksLikePath('a\nb/c'));
});

/** A fake disk: folders end in '/', files do not. */
function disk(entries: string[]): StatPath {
  const kinds = new Map<string, PathKind>();
  for (const entry of entries) {
    const folder = entry.endsWith('/');
    kinds.set(path.resolve(ws, entry), { isFile: !folder, isDirectory: folder });
  }
  return async (absolute) => kinds.get(path.resolve(absolute));
}

const DEMO_TS = `import { join } from 'node:path';
export const SEED = 42;
/** The first checkpoint. */
export const FIRST_AUTOENCODER_CHECKPOINT = './autoencoder/checkpoints/epoch-1';
const other = 'data/train-images.npy';
// 'autoencoder/checkpoints/epoch-2' in a comment is no candidate
async function save(model) {
  await model.save('file://./autoencoder/checkpoints/epoch-2');
  await model.save(\`file://./autoencoder/checkpoints/epoch-\${epoch}\`);
  const p = join(__dirname, 'autoencoder', 'checkpoints', 'epoch-3');
}
`;

const DEMO_DISK = disk([
  'autoencoder/checkpoints/epoch-1/',
  'autoencoder/checkpoints/epoch-1/model.json',
  'autoencoder/checkpoints/epoch-2/',
  'autoencoder/checkpoints/epoch-2/model.json',
  'autoencoder/checkpoints/epoch-3/',
  'autoencoder/checkpoints/epoch-3/model.json',
  'data/train-images.npy',
]);

test('CodeLens candidates: save calls, joins and path-like literals, not comments or interpolations', () => {
  const found = findLensCandidates(DEMO_TS, 'javascript').map((m) => ({ path: m.path, call: m.saveCall }));
  assert.deepEqual(found, [
    { path: './autoencoder/checkpoints/epoch-1', call: undefined },
    { path: 'data/train-images.npy', call: undefined },
    { path: './autoencoder/checkpoints/epoch-2', call: 'model.save' },
    { path: 'autoencoder/checkpoints/epoch-3', call: undefined },
  ]);
});

test('CodeLenses: only candidates that lead to a checkpoint on disk, one per line', async () => {
  const lineOf = (offset: number): number => DEMO_TS.slice(0, offset).split('\n').length - 1;
  const lenses = await resolveLenses(findLensCandidates(DEMO_TS, 'javascript'), lineOf, { scriptPath: p('train.ts'), stat: DEMO_DISK });
  assert.deepEqual(
    lenses.map((l) => [lineOf(l.match.callStart ?? l.match.start), path.relative(ws, l.checkpoint.modelJson)]),
    [
      [3, path.join('autoencoder', 'checkpoints', 'epoch-1', 'model.json')],
      [7, path.join('autoencoder', 'checkpoints', 'epoch-2', 'model.json')],
      [9, path.join('autoencoder', 'checkpoints', 'epoch-3', 'model.json')],
    ],
  );
});

test('Python: a ModelCheckpoint path and an os.path.join anchored at the script', async () => {
  const py = "import os\nck = tf.keras.callbacks.ModelCheckpoint('runs/ckpt')\nlast = os.path.join(os.path.dirname(__file__), 'runs', 'ckpt')\n";
  const found = findLensCandidates(py, 'python').map((m) => [m.path, m.anchoredAtScript]);
  assert.deepEqual(found, [
    ['runs/ckpt', false],
    ['runs/ckpt', true],
  ]);
});

test('the cursor context: on a literal leading to a checkpoint, yes; elsewhere or on a missing one, no', async () => {
  const options = { scriptPath: p('train.ts'), searchFolders: [ws], stat: DEMO_DISK };
  const at = (needle: string, delta = 3): number => DEMO_TS.indexOf(needle) + delta;
  const onFirst = await checkpointAtCursor(DEMO_TS, at("'./autoencoder/checkpoints/epoch-1'"), 'javascript', options);
  assert.equal(onFirst?.folder, p('autoencoder', 'checkpoints', 'epoch-1'));
  assert.equal(await checkpointAtCursor(DEMO_TS, at('SEED'), 'javascript', options), undefined);
  assert.equal(await checkpointAtCursor(DEMO_TS, at("'data/train"), 'javascript', options), undefined, 'a data file is no checkpoint');
  assert.equal(await checkpointAtCursor(DEMO_TS, at("'autoencoder/checkpoints/epoch-2' in a comment"), 'javascript', options), undefined, 'comments do not count');
  const inSave = await checkpointAtCursor(DEMO_TS, at('model.save(\'file'), 'javascript', options);
  assert.equal(inSave?.folder, p('autoencoder', 'checkpoints', 'epoch-2'), 'anywhere in a save call');
  assert.equal(await checkpointAtCursor(DEMO_TS, DEMO_TS.length + 5, 'javascript', options), undefined, 'an offset past the end is no error');
});
