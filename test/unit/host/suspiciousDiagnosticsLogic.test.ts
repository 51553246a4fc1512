/** The vscode-free parts of the suspicious-label diagnostics: settings, result checks, words, labels, guards, timing, script lines. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { SuspiciousTrainingExample } from '../../../src/protocol/engineProtocol';
import type { RunManifest } from '../../../src/protocol/manifest';
import { readDiagnosticsSettings, DEFAULT_SETTINGS } from '../../../src/host/diagnostics/settings';
import { checkSuspiciousResult, SuspiciousResultError } from '../../../src/host/diagnostics/suspiciousResult';
import { changeLabelTitle, codeLensTitle, diagnosticCode, diagnosticMessage, pickRow, summaryMessage } from '../../../src/host/diagnostics/messages';
import { csvFieldValue, formatSuggestedLabel, jsonlFieldRange, labelMatches } from '../../../src/host/diagnostics/labelField';
import { labelTargetOf } from '../../../src/host/diagnostics/labelTarget';
import { LatestRun } from '../../../src/host/diagnostics/latestRun';
import { KeyedDebouncer, type Timers } from '../../../src/host/diagnostics/debounce';
import { shiftLine } from '../../../src/host/diagnostics/lineShift';
import { selectExamples, specsAt, type RowDiagnosticSpec } from '../../../src/host/diagnostics/flaggedRows';
import { findDatasetMention, positionAt } from '../../../src/host/diagnostics/scriptLine';

const reasons = [
  { signal: 'selfInfluence' as const, value: 12.3, percentile: 99.5, text: 'self-influence 12.3 (top 0.5%)' },
  { signal: 'neighbourDisagreement' as const, value: 0.9, percentile: 97, text: "9 of 10 nearest neighbours in representation space are labelled 'Shirt'" },
];

function example(extra: Partial<SuspiciousTrainingExample> = {}): SuspiciousTrainingExample {
  return { index: 3, row: 3, label: 0, labelName: 'T-shirt/top', score: 98.9, reasons, suggestedLabel: 6, suggestedLabelName: 'Shirt', suggestionSource: 'neighbours', ...extra };
}

test('settings: defaults, clamping and bad values', () => {
  assert.deepEqual(readDiagnosticsSettings(() => undefined), DEFAULT_SETTINGS);
  assert.deepEqual(readDiagnosticsSettings((k) => ({ enabled: false, maxShown: 12.7, minScore: 140 })[k]), { enabled: false, maxShown: 12, minScore: 100 });
  assert.deepEqual(readDiagnosticsSettings((k) => ({ enabled: 'yes', maxShown: 0, minScore: Number.NaN })[k]), DEFAULT_SETTINGS);
  assert.equal(readDiagnosticsSettings((k) => (k === 'maxShown' ? 1e9 : undefined)).maxShown, 10_000);
});

test('engine result: the envelope must hold; bad examples are dropped and counted, text is flattened', () => {
  const good = { index: 1, row: 1, line: 3, label: 2, score: 99, reasons: [{ ...reasons[0], text: 'a\nb\u2028c' }], suggestedLabel: 4, suggestedLabelName: 'Coat', suggestionSource: 'model' };
  const checked = checkSuspiciousResult(
    {
      checkpoint: 'checkpoints/epoch-6',
      trainFile: '/w/data/train-labels.csv',
      trainCount: 10,
      signals: [],
      examples: [
        good,
        good,
        { ...good, index: 10 },
        { ...good, index: 2, line: 0 },
        { ...good, index: 3, reasons: [] },
        { ...good, index: 4, reasons: [{ ...reasons[0], signal: 'other' }] },
        { ...good, index: 5, score: Number.NaN },
        { ...good, index: 6, suggestedLabel: -1 },
        { ...good, index: 7, suggestedLabel: 2 },
        'x',
      ],
    },
    '/w/modeldebug.json',
  );
  assert.equal(checked.dropped, 8);
  assert.deepEqual(
    checked.examples.map((e) => e.index),
    [1, 7],
  );
  assert.equal(checked.examples[0]!.reasons[0]!.text, 'a b c');
  assert.equal(checked.examples[1]!.suggestedLabel, undefined, 'a suggestion equal to the label is no suggestion');
  assert.throws(() => checkSuspiciousResult({ examples: [] }, '/w/modeldebug.json'), (error: unknown) => error instanceof SuspiciousResultError && /\/w\/modeldebug\.json/.test(error.message));
  assert.throws(() => checkSuspiciousResult(null, 'm.json'), SuspiciousResultError);
});

test('words: message, code, titles, summary and quick-pick rows', () => {
  const e = example();
  assert.equal(diagnosticMessage(e), "self-influence 12.3 (top 0.5%); 9 of 10 nearest neighbours in representation space are labelled 'Shirt'");
  assert.equal(diagnosticCode(e), 'selfInfluence,neighbourDisagreement');
  assert.equal(changeLabelTitle(e), "Change label to 'Shirt'");
  assert.equal(changeLabelTitle(example({ suggestedLabelName: undefined })), 'Change label to 6');
  assert.equal(changeLabelTitle(example({ suggestedLabel: undefined })), undefined);
  assert.equal(codeLensTitle(1), 'Review 1 suspicious example');
  assert.equal(codeLensTitle(7), 'Review 7 suspicious examples');
  const summary = summaryMessage([e, example({ index: 4 }), example({ index: 5 }), example({ index: 6 })], 'train-images.npy', 90);
  assert.match(summary, /^4 training examples in train-images\.npy have labels that look wrong \(score ≥ 90\.0\): #3 labelled 'T-shirt\/top', likely 'Shirt' \(score 98\.9\);/);
  assert.match(summary, /and 1 more$/);
  assert.deepEqual(pickRow(e), { label: "#3: 'T-shirt/top' → 'Shirt'", description: 'score 98.9, suggested by the neighbours', detail: diagnosticMessage(e) });
});

test('labels: read as the engine reads them, written the way the file writes them', () => {
  assert.equal(csvFieldValue(' "a ""b"" " '), 'a "b"');
  assert.equal(csvFieldValue(' 6 '), '6');
  assert.equal(labelMatches({ text: '0' }, example()), true);
  assert.equal(labelMatches({ text: '0.0' }, example()), true);
  assert.equal(labelMatches({ text: '1' }, example()), false);
  assert.equal(labelMatches({ text: 'T-shirt/top' }, example()), true);
  assert.equal(labelMatches({ text: 'Shirt' }, example()), false);
  assert.equal(labelMatches({ text: 'Shirt' }, example({ labelName: undefined })), false);
  assert.equal(formatSuggestedLabel('csv', { text: '0' }, example()), '6');
  assert.equal(formatSuggestedLabel('csv', { text: 'T-shirt/top' }, example()), 'Shirt');
  assert.equal(formatSuggestedLabel('csv', { text: 'x' }, example({ suggestedLabelName: 'Shirt, long' })), '"Shirt, long"');
  assert.equal(formatSuggestedLabel('csv', { text: 'x' }, example({ suggestedLabelName: undefined })), undefined);
  assert.equal(formatSuggestedLabel('jsonl', { text: '0', json: 'number' }, example()), '6');
  assert.equal(formatSuggestedLabel('jsonl', { text: '0', json: 'string' }, example()), '"6"');
  assert.equal(formatSuggestedLabel('jsonl', { text: 'T-shirt/top', json: 'string' }, example({ suggestedLabelName: 'Say "hi"' })), '"Say \\"hi\\""');
});

test('JSONL field: top-level keys only, nested values skipped, malformed lines never throw', () => {
  const line = '{"a":{"label":1},"b":[1,"]",{}],"label":"x\\"y","c":true}';
  const field = jsonlFieldRange(line, 'label')!;
  assert.equal(line.slice(field.start, field.end), '"x\\"y"');
  assert.equal(jsonlFieldRange('{"la\\u0062el": 3}', 'label')?.raw, '3');
  for (const bad of ['', '[1]', '{"label"', '{"label":', '{"a":1 "label":2}', '{"label":"unterminated', 'null']) {
    assert.doesNotThrow(() => jsonlFieldRange(bad, 'label'));
  }
  assert.equal(jsonlFieldRange('{"a":1 "label":2}', 'label'), undefined);
});

test('where labels live: labels CSV, CSV dataset column, PNG folder, binary labels, none', () => {
  const base: RunManifest = { version: 1, checkpoints: [{ path: 'c', epoch: 1, learningRate: 1 }], train: { path: '../data/x.npy' }, test: { path: 't.npy' }, loss: { kind: 'crossEntropy' }, representationLayer: 'r' };
  const at = '/w/run/modeldebug.json';
  assert.deepEqual(labelTargetOf({ ...base, train: { path: '../data/x.npy', labels: { path: '../data/y.csv' } } }, at), { kind: 'text', file: '/w/data/y.csv', format: 'csv', column: 'label' });
  assert.deepEqual(labelTargetOf({ ...base, train: { path: 'd.jsonl', labelColumn: 'cls' } }, at), { kind: 'text', file: '/w/run/d.jsonl', format: 'jsonl', column: 'cls' });
  assert.equal(labelTargetOf({ ...base, train: { path: 'd.csv' } }, at), undefined);
  assert.deepEqual(labelTargetOf({ ...base, train: { path: 'images', format: 'png-folder' } }, at), { kind: 'text', file: '/w/run/images/labels.csv', format: 'csv', column: 'label' });
  assert.deepEqual(labelTargetOf({ ...base, train: { path: 'x-ubyte', labels: { path: 'y-ubyte' } } }, at), { kind: 'binary', file: '/w/run/x-ubyte', labelsFile: '/w/run/y-ubyte' });
  assert.equal(labelTargetOf(base, at), undefined);
});

test('stale-result guard: a newer run or a cancel makes the older ticket stale and aborts it', () => {
  const latest = new LatestRun();
  const first = latest.begin('m');
  assert.equal(latest.isCurrent(first), true);
  const second = latest.begin('m');
  assert.equal(first.signal.aborted, true);
  assert.equal(latest.isCurrent(first), false);
  assert.equal(latest.isCurrent(second), true);
  const other = latest.begin('n');
  latest.cancel('m');
  assert.equal(latest.isCurrent(second), false);
  assert.equal(latest.isCurrent(other), true);
  latest.end(first);
  assert.equal(latest.running('n'), true);
  latest.end(other);
  assert.equal(latest.running('n'), false);
  const third = latest.begin('m');
  latest.cancel();
  assert.equal(latest.isCurrent(third), false);
});

class FakeTimers implements Timers {
  now = 0;
  private next = 0;
  readonly due = new Map<number, { at: number; run: () => void }>();
  setTimeout(run: () => void, ms: number): unknown {
    const id = ++this.next;
    this.due.set(id, { at: this.now + ms, run });
    return id;
  }
  clearTimeout(handle: unknown): void {
    this.due.delete(handle as number);
  }
  advance(ms: number): void {
    this.now += ms;
    for (const [id, entry] of [...this.due]) {
      if (entry.at <= this.now) {
        this.due.delete(id);
        entry.run();
      }
    }
  }
}

test('debounce: the last call per key wins once the delay passes; keys are independent; dispose drops all', () => {
  const timers = new FakeTimers();
  const debouncer = new KeyedDebouncer(2000, timers);
  const ran: string[] = [];
  debouncer.schedule('a', () => ran.push('a1'));
  timers.advance(1500);
  debouncer.schedule('a', () => ran.push('a2'));
  debouncer.schedule('b', () => ran.push('b1'));
  timers.advance(1500);
  assert.equal(ran.length, 0);
  timers.advance(500);
  assert.deepEqual(ran, ['a2', 'b1']);
  debouncer.schedule('a', () => ran.push('a3'));
  debouncer.dispose();
  timers.advance(5000);
  assert.deepEqual(ran, ['a2', 'b1']);
  assert.throws(() => new KeyedDebouncer(-1, timers), RangeError);
});

test('line shifts: lines above, the row line itself, deletions and merges', () => {
  const at = (line: number, character: number) => ({ line, character });
  const change = (sl: number, sc: number, el: number, ec: number, text: string) => ({ range: { start: at(sl, sc), end: at(el, ec) }, text });
  assert.equal(shiftLine(5, [change(1, 0, 1, 0, 'a\nb\n')]), 7, 'two lines inserted above');
  assert.equal(shiftLine(5, [change(1, 0, 3, 0, '')]), 3, 'two lines deleted above');
  assert.equal(shiftLine(5, [change(4, 3, 4, 3, '\r\n')]), 6, 'Enter at the end of the line above');
  assert.equal(shiftLine(5, [change(5, 0, 5, 0, 'x,y\n')]), 6, 'a line inserted right at the row');
  assert.equal(shiftLine(5, [change(5, 2, 5, 3, '7')]), 5, 'edited in place');
  assert.equal(shiftLine(5, [change(5, 0, 6, 0, '')]), undefined, 'the row line deleted');
  assert.equal(shiftLine(5, [change(4, 3, 5, 2, '')]), undefined, 'merged into the line above');
  assert.equal(shiftLine(5, [change(4, 0, 5, 0, 'p')]), undefined, 'the line above replaced by text that now prefixes the row');
  assert.equal(shiftLine(5, [change(4, 0, 5, 0, '')]), 4, 'the line above deleted');
  assert.equal(shiftLine(5, [change(5, 0, 5, 0, 'a\nb')]), undefined, 'text glued to the row start');
  assert.equal(shiftLine(5, [change(9, 0, 9, 0, '\n\n')]), 5, 'below does not matter');
  assert.equal(shiftLine(5, [change(8, 0, 8, 0, '\n'), change(1, 0, 2, 0, '')]), 4, 'several changes, last first');
});

test('selection and cursor matching', () => {
  const examples = [example({ index: 1, score: 91 }), example({ index: 2, score: 99 }), example({ index: 3, score: 80 }), example({ index: 4, score: 99 })];
  assert.deepEqual(
    selectExamples(examples, 90, 2).map((e) => e.index),
    [2, 4],
  );
  const r = (l: number, a: number, b: number) => ({ start: { line: l, character: a }, end: { line: l, character: b } });
  const spec = { range: r(3, 2, 3), rowRange: { start: { line: 3, character: 0 }, end: { line: 4, character: 5 } } } as RowDiagnosticSpec;
  assert.equal(specsAt([spec], r(4, 1, 1)).length, 1, 'a cursor on the second line of a multi-line row');
  assert.equal(specsAt([spec], r(5, 0, 0)).length, 0);
});

test('script line: the literal that names the dataset, a built name, the labels file, or line 0', () => {
  const ts = "import { join } from 'node:path';\n// load 'train-images.npy' here\nconst x = readNpy(join(dataDir, `${split}-images.npy`));\r\nconst y = 'data/train-labels.npy';\n";
  const built = findDatasetMention(ts, 'train.ts', ['/w/data/train-images.npy']);
  assert.equal(built.match, 'tail');
  assert.deepEqual(built.range.start, { line: 2, character: 32 });
  const labels = findDatasetMention(ts, 'train.ts', ['/w/data/other.npy', '/w/data/train-labels.npy']);
  assert.equal(labels.match, 'name');
  assert.equal(labels.range.start.line, 3);
  const py = "import numpy as np\nX = np.load(os.path.join(DATA, 'train-images.npy'))\n";
  assert.deepEqual(findDatasetMention(py, 'train.py', ['/d/train-images.npy']).range.start, { line: 1, character: 31 });
  assert.equal(findDatasetMention(py, 'train.py', ['/d/none.npy']).match, 'none');
  assert.equal(findDatasetMention('load train-images.npy', 'run.sh', ['/d/train-images.npy']).match, 'name');
  assert.deepEqual(positionAt('a\r\nb\rc\nd', 7), { line: 3, character: 0 });
});
