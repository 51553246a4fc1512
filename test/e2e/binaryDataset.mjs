// A dataset without lines: a run whose training labels are an IDX file (the format Fashion-MNIST ships
// in) gets one summary warning on the training-script line that loads the images, and a CodeLens
// "Review N suspicious examples" there that opens the review quick pick. The run is written into the
// workspace while the window is open (the manifest watcher must pick it up) and removed at the end,
// which must take its warning away again.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { filterProblems, modelDebuggerWarning } from './labelDiagnostics.mjs';
import { RESULTS, WORKSPACE, goToLine, log, openFile, pollFor, runCommand, checklist } from './workbench.mjs';

const RUN = 'e2e-idx-labels';
const RUN_NAME = 'E2E run with IDX training labels';
const SCRIPT = 'train.ts';
const WAIT_MS = 5 * 60_000;

/** IDX1 unsigned bytes: magic 0x00000801, the count (big-endian), one byte per label. */
function idxLabels(labels) {
  const bytes = Buffer.alloc(8 + labels.length);
  bytes.writeUInt32BE(0x00000801, 0);
  bytes.writeUInt32BE(labels.length, 4);
  labels.forEach((label, i) => bytes.writeUInt8(label, 8 + i));
  return bytes;
}

function csvColumn(file, column) {
  const [header, ...rows] = readFileSync(file, 'utf8').split(/\r?\n/).filter((line) => line.length > 0);
  const at = header.split(',').indexOf(column);
  if (at < 0) throw new Error(`${file} has no "${column}" column`);
  return rows.map((row) => Number(row.split(',')[at]));
}

/** The classifier's run, its training labels moved into an IDX file beside the new manifest. */
function writeRun() {
  const classifier = JSON.parse(readFileSync(join(WORKSPACE, 'classifier', 'modeldebug.json'), 'utf8'));
  const folder = join(WORKSPACE, RUN);
  mkdirSync(folder, { recursive: true });
  writeFileSync(join(folder, 'train-labels-idx1-ubyte'), idxLabels(csvColumn(join(WORKSPACE, 'data', 'train-labels.csv'), 'label')));
  const manifest = {
    ...classifier,
    name: RUN_NAME,
    checkpoints: classifier.checkpoints.map((checkpoint) => ({ ...checkpoint, path: `../classifier/${checkpoint.path}` })),
    train: { ...classifier.train, labels: { path: 'train-labels-idx1-ubyte', format: 'idx' } },
  };
  writeFileSync(join(folder, 'modeldebug.json'), JSON.stringify(manifest, null, 2));
  return folder;
}

/** The Model Debugger warnings the Problems view (filtered to the script) lists, as { message, line }. */
async function scriptWarnings(page) {
  const labels = await page.locator('.markers-panel .monaco-list-row').evaluateAll((rows) => rows.map((row) => row.getAttribute('aria-label') ?? ''));
  return labels.map(modelDebuggerWarning).filter(Boolean);
}

export async function exerciseBinaryDataset(page) {
  const { check, done } = checklist('binary-dataset');
  const folder = writeRun();
  log(`wrote ${RUN}/modeldebug.json at ${new Date().toISOString()}: the classifier with its training labels in an IDX file`);
  try {
    await filterProblems(page, `**/${SCRIPT}`);
    let lastReport = Date.now();
    const warning = await pollFor(`the summary warning on ${SCRIPT}`, WAIT_MS, async () => {
      const found = (await scriptWarnings(page)).find((w) => /have labels that look wrong/.test(w.message));
      if (!found && Date.now() - lastReport > 15_000) {
        lastReport = Date.now();
        const rows = await page.locator('.markers-panel .monaco-list-row').evaluateAll((elements) => elements.map((e) => (e.getAttribute('aria-label') ?? '').slice(0, 60)));
        log(`waiting for the summary warning (${new Date().toISOString()}); the Problems view shows ${rows.length} row(s): ${rows.slice(0, 3).join(' | ')}`);
      }
      return found;
    });
    const lineText = readFileSync(join(WORKSPACE, SCRIPT), 'utf8').split(/\r?\n/)[warning.line - 1] ?? '';
    check(/images\.npy/.test(lineText), `one summary warning on ${SCRIPT} line ${warning.line}, the line that loads the images (${lineText.trim()}): "${warning.message.slice(0, 140)}…"`);

    await runCommand(page, 'View: Close All Editors');
    await openFile(page, SCRIPT);
    // Monaco renders only the lines in view: bring the warning's line (the lens sits above it) into view.
    await goToLine(page, warning.line);
    const lens = page.locator('.codelens-decoration a', { hasText: /^Review \d+ suspicious examples?$/ }).first();
    const lensText = await pollFor('the "Review N suspicious examples" CodeLens', 60_000, async () => ((await lens.count()) > 0 ? lens.textContent() : undefined));
    check(/^Review \d+ suspicious examples?$/.test(lensText ?? ''), `the CodeLens "${lensText}" sits in ${SCRIPT}`);
    await page.mouse.move(0, 0);
    await page.screenshot({ path: join(RESULTS, 'e2e-binary-summary.png') });
    await lens.click();
    const title = await pollFor('the review quick pick', 30_000, async () => {
      const text = await page.locator('.quick-input-widget .quick-input-title').textContent({ timeout: 1000 }).catch(() => '');
      return text?.trim() ? text.trim() : undefined;
    });
    const first = await pollFor('the first suspicious example', 15_000, async () => {
      const text = await page.locator('.quick-input-list .monaco-list-row').first().textContent().catch(() => '');
      return /^#\d+: /.test(text ?? '') ? text : undefined;
    }).catch(() => '');
    check(title.includes(RUN_NAME) && first !== '', `the CodeLens opens the review of ${RUN_NAME} (${title}; first: ${first.slice(0, 60)})`);
    await page.keyboard.press('Escape');
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
  await filterProblems(page, `**/${SCRIPT}`);
  const gone = await pollFor(`the summary warning to leave ${SCRIPT} once ${RUN}/ is deleted`, 60_000, async () => (await scriptWarnings(page)).length === 0).catch(() => false);
  check(gone, `deleting ${RUN}/ takes its warning off ${SCRIPT}`);
  await filterProblems(page, '');
  done();
}
