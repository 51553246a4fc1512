import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findCheckpointPathAt, findSaveCallPaths, stripFileScheme } from '../../../src/host/scriptPaths/checkpointPaths';
import { scriptLanguageOf } from '../../../src/host/scriptPaths/scriptTokens';

/** The offset of the first `|` in the marked text, and the text without it. */
function cursor(marked: string): { text: string; offset: number } {
  const offset = marked.indexOf('|');
  assert.ok(offset >= 0, 'the test text marks the cursor with |');
  return { text: marked.slice(0, offset) + marked.slice(offset + 1), offset };
}

function pathAt(marked: string, language: 'javascript' | 'python'): { path: string; anchored: boolean; covers: string; call?: string } | undefined {
  const { text, offset } = cursor(marked);
  const match = findCheckpointPathAt(text, offset, language);
  return match && { path: match.path, anchored: match.anchoredAtScript, covers: text.slice(match.start, match.end), ...(match.saveCall ? { call: match.saveCall } : {}) };
}

test('TypeScript: tfjs model.save with file:// in both quote styles and a plain template literal', () => {
  assert.deepEqual(pathAt("await model.sa|ve('file://./checkpoints/epoch-1');", 'javascript'), {
    path: './checkpoints/epoch-1',
    anchored: false,
    covers: "'file://./checkpoints/epoch-1'",
    call: 'model.save',
  });
  assert.equal(pathAt('await model.save("file://ckpt/|best");', 'javascript')?.path, 'ckpt/best');
  assert.equal(pathAt('await model.save(`file://ckpt/last`|);', 'javascript')?.path, 'ckpt/last');
  assert.equal(pathAt("await this.model.save(\n  'file:///abs/ckpt'\n)|;", 'javascript')?.path, '/abs/ckpt');
});

test('TypeScript: path.join(__dirname, ...) and file:// concatenation anchor the path at the script folder', () => {
  const joined = pathAt("const out = path.join(__dirname, 'checkpoints', 'ep|och-2');", 'javascript');
  assert.deepEqual(joined, { path: 'checkpoints/epoch-2', anchored: true, covers: "path.join(__dirname, 'checkpoints', 'epoch-2')" });
  const saved = pathAt("await model.save('file://' + path.join(__dirname, 'ckpt', `e1`)|);", 'javascript');
  assert.equal(saved?.path, 'ckpt/e1');
  assert.equal(saved?.anchored, true);
  assert.equal(pathAt("model.save(`file://${path.join(__dirname, 'x')}`|)", 'javascript'), undefined, 'an interpolated template has no known value');
  assert.equal(pathAt("model.save(__dirname + '/ckpt'|)", 'javascript')?.path, 'ckpt');
});

test('JavaScript: a string under the cursor, escapes resolved', () => {
  assert.deepEqual(pathAt("const dir = 'models\\\\ep|och-3';", 'javascript'), { path: 'models\\epoch-3', anchored: false, covers: "'models\\\\epoch-3'" });
  assert.equal(pathAt('const s = "a\\"b|";', 'javascript')?.path, 'a"b');
});

test('JavaScript: strings in comments, regex literals and other URL schemes are not paths', () => {
  assert.equal(pathAt("// model.save('file://ck|pt')\nfoo();", 'javascript'), undefined);
  assert.equal(pathAt("/* 'ck|pt' */", 'javascript'), undefined);
  assert.equal(pathAt("const r = /'/; const x = 'ck|pt';", 'javascript')?.path, 'ckpt', 'a quote in a regex does not open a string');
  assert.equal(pathAt("const half = a / 2; const x = 'ck|pt'; const y = b / 3;", 'javascript')?.path, 'ckpt');
  assert.equal(pathAt("model.save('indexeddb://my-m|odel')", 'javascript'), undefined);
  assert.equal(pathAt("model.save(dir|)", 'javascript'), undefined, 'a variable has no known value');
  assert.deepEqual(pathAt("save('ck|pt.json')", 'javascript'), { path: 'ckpt.json', anchored: false, covers: "'ckpt.json'" }, 'a bare save() is not a model save, but the string still counts');
  assert.equal(pathAt('const n = 4|2;', 'javascript'), undefined);
});

test('Python: torch.save, Keras save and save_weights, save_model, keyword arguments', () => {
  assert.deepEqual(pathAt("torch.save(model.state_dict(), 'ckpt/mo|del.pt')", 'python'), {
    path: 'ckpt/model.pt',
    anchored: false,
    covers: "'ckpt/model.pt'",
    call: 'torch.save',
  });
  assert.equal(pathAt('tor|ch.save(obj, f="weights.pt")', 'python')?.path, 'weights.pt');
  assert.equal(pathAt("model.sa|ve('saved/keras_model')", 'python')?.path, 'saved/keras_model');
  assert.equal(pathAt("model.save_weights(filepath='w/ep|och3.h5')", 'python')?.path, 'w/epoch3.h5');
  assert.equal(pathAt("tf.keras.models.save_model(m, 'expo|rt')", 'python')?.call, 'tf.keras.models.save_model');
  assert.equal(pathAt("tfjs.converters.save_keras_model(model, 'web/mo|del')", 'python')?.path, 'web/model');
  assert.equal(pathAt("cb = ModelCheckpoint(filepath='ck|pt.keras', save_best_only=True)", 'python')?.path, 'ckpt.keras');
});

test('Python: f-strings without fields, raw strings, triple quotes, os.path.join and pathlib', () => {
  assert.equal(pathAt("model.save(f'ck|pt/{{literal}}')", 'python')?.path, 'ckpt/{literal}');
  assert.equal(pathAt("model.save(f'ckpt/{epo|ch}')", 'python'), undefined);
  assert.equal(pathAt("p = r'C:\\data\\ck|pt'", 'python')?.path, 'C:\\data\\ckpt');
  assert.equal(pathAt('p = """ck|pt"""', 'python')?.path, 'ckpt');
  assert.deepEqual(pathAt("out = os.path.join(os.path.dirname(__file__), 'checkpoints', 'ep|och-1')", 'python'), {
    path: 'checkpoints/epoch-1',
    anchored: true,
    covers: "os.path.join(os.path.dirname(__file__), 'checkpoints', 'epoch-1')",
  });
  assert.equal(pathAt("torch.save(m, os.path.join('/abs', 'runs', 'x.pt')|)", 'python')?.path, '/abs/runs/x.pt');
  const pathlib = pathAt("model.save(Path(__file__).parent / 'checkpoints' / 'la|st')", 'python');
  assert.equal(pathlib?.path, 'checkpoints/last');
  assert.equal(pathlib?.anchored, true);
  assert.equal(pathAt("model.save(Path('runs') / 'la|st')", 'python')?.path, 'runs/last');
});

test('Python: comments and variables are not paths', () => {
  assert.equal(pathAt("# torch.save(m, 'ck|pt.pt')\nx = 1", 'python'), undefined);
  assert.equal(pathAt("x = 1  # 'ck|pt'", 'python'), undefined);
  assert.equal(pathAt("s = '# not a comment |ckpt'", 'python')?.path, '# not a comment ckpt');
  assert.equal(pathAt('torch.save(m, out_p|ath)', 'python'), undefined);
  assert.equal(pathAt("model.save(os.path.join(root, 'x')|)", 'python'), undefined);
});

test('every save call with a known path, in order, for CodeLens', () => {
  const script = [
    "import torch, os",
    "# torch.save(m, 'commented.pt')",
    "torch.save(model.state_dict(), 'a.pt')",
    "model.save(f'ckpt/{epoch}')",
    "model.save_weights(os.path.join('w', 'b.h5'))",
    "print('c.pt')",
  ].join('\n');
  const matches = findSaveCallPaths(script, 'python');
  assert.deepEqual(
    matches.map((m) => [m.path, m.saveCall]),
    [
      ['a.pt', 'torch.save'],
      ['w/b.h5', 'model.save_weights'],
    ],
  );
  assert.equal(script.slice(matches[0]!.callStart, matches[0]!.callEnd), "torch.save(model.state_dict(), 'a.pt')");
  const ts = "for (let e = 1; e <= 3; e++) {\n  await model.save(`file://${dir}/epoch-${e}`);\n}\nawait model.save('file://final');\n";
  assert.deepEqual(findSaveCallPaths(ts, 'javascript').map((m) => m.path), ['final']);
});

test('inputs are checked; languages come from file names and language ids', () => {
  assert.throws(() => findCheckpointPathAt('x', 5, 'python'), /outside the text/);
  assert.throws(() => findCheckpointPathAt('x', 0, 'ruby' as 'python'), /unknown language/);
  assert.equal(scriptLanguageOf('train.py'), 'python');
  assert.equal(scriptLanguageOf('/w/train.TS'), 'javascript');
  assert.equal(scriptLanguageOf('typescript'), 'javascript');
  assert.equal(scriptLanguageOf('notes.md'), undefined);
  assert.equal(stripFileScheme('file:///C:/runs/x'), 'C:/runs/x');
  assert.equal(stripFileScheme('https://x'), undefined);
  assert.equal(stripFileScheme('plain/dir'), 'plain/dir');
});
