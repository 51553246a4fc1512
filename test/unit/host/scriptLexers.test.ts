import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lexJavaScript } from '../../../src/host/scriptPaths/javascriptLexer';
import { lexPython } from '../../../src/host/scriptPaths/pythonLexer';
import { findCheckpointPathAt } from '../../../src/host/scriptPaths/checkpointPaths';

const values = (tokens: { literals: { value: string; interpolated: boolean }[] }) => tokens.literals.map((l) => (l.interpolated ? `~${l.value}` : l.value));

test('JavaScript: nested templates, braces in interpolations and comment-like text in strings', () => {
  const text = "const a = `x${ {k: `in${'q'}`}.k }y`; const b = '//not a comment'; // real 'c'\nconst d = \"/* no */\";";
  const tokens = lexJavaScript(text);
  assert.deepEqual(values(tokens), ['~xy', '~in', 'q', '//not a comment', '/* no */']);
  assert.equal(tokens.comments.length, 1);
  assert.equal(tokens.masked.length, text.length, 'the mask keeps every offset');
  assert.ok(!tokens.masked.includes("'"), 'literals are blanked');
});

test('JavaScript: division is not a regex, a regex is not a string', () => {
  assert.deepEqual(values(lexJavaScript("x = a / b / c; y = 'p';")), ['p']);
  assert.deepEqual(values(lexJavaScript("x = s.split(/['\"]/); y = 'p';")), ['p']);
  assert.deepEqual(values(lexJavaScript("if (ok) return /'/.test(s); y = 'p';")), ['p']);
});

test('JavaScript: an unterminated string ends at the line break', () => {
  assert.deepEqual(values(lexJavaScript("x = 'open\ny = 'p';")), ['open', 'p']);
});

test('Python: prefixes, triple quotes with hashes and quotes inside, comments', () => {
  const tokens = lexPython('"""doc with # and \'quotes\'"""\nx = rb\'raw\\n\'  # note \'c\'\nname = fR"{a}"\nprint(u"u")');
  assert.deepEqual(values(tokens), ["doc with # and 'quotes'", 'raw\\n', '~{a}', 'u']);
  assert.equal(tokens.comments.length, 1);
  assert.deepEqual(values(lexPython("rf = 'not a prefix'")), ['not a prefix']);
});

test('a bare join from node:path or os.path is a path join', () => {
  const text = "import { join } from 'node:path';\nconst p = join(__dirname, 'ck', 'pt');";
  assert.equal(findCheckpointPathAt(text, text.indexOf("'ck'"), 'javascript')?.path, 'ck/pt');
  const py = "from os.path import join\np = join('/a', '/b', 'c')";
  assert.equal(findCheckpointPathAt(py, py.indexOf("'c'"), 'python')?.path, '/b/c');
});
