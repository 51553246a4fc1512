// The palette commands no other part of the e2e drives, each checked for what it must do, with a
// screenshot of each (test-results/e2e-cmd-<name>.png; `npm run screenshots` copies them to
// media/screenshots/). They run on the panel that is open (the supervised VAE's, after the sections).
// Nothing here changes state the later checks rely on: Select Backend and Clear Cache are cancelled,
// and after Restart Engine (last) the status bar must show the backend again.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RESULTS, WORKSPACE, focusWorkbench, log, pickRunIfAsked, pollFor, runCommand, checklist } from './workbench.mjs';

/** Each step's budget; the job steps wait for their result, so theirs is longer. */
const STEP_MS = 60_000;
const JOB_STEP_MS = 4 * 60_000;

export async function exercisePaletteCommands(page) {
  const view = page.frameLocator('iframe.webview').frameLocator('iframe#active-frame');
  const { check, done } = checklist('palette command');
  const shot = async (name) => {
    await page.mouse.move(0, 0);
    const path = join(RESULTS, `e2e-cmd-${name}.png`);
    await page.screenshot({ path });
    log(`screenshot: ${path}`);
  };
  const toast = (text) => page.locator('.notifications-toasts .notification-toast', { hasText: text });
  const clearNotifications = () => runCommand(page, 'Notifications: Clear All Notifications').catch(() => undefined);
  /** Runs a section command; waits for the section's result or its error, then scrolls it into view. */
  const section = async (name, title, result, ms) => {
    await runCommand(page, `Model Debugger: ${title}`);
    const anchor = `#section-${name}`;
    await view.locator(anchor).waitFor({ state: 'attached', timeout: 20_000 });
    const settled = await pollFor(`the ${title} result`, ms, async () => {
      if ((await view.locator(`${result} > *`).count()) > 0) return 'result';
      const error = view.locator(`[data-testid="${name}-status"] .task-error:not([hidden])`);
      if ((await error.count()) > 0) return `error: ${(await error.first().textContent())?.trim()}`;
      return undefined;
    }).catch((error) => `no result (${error.message})`);
    await view.locator(anchor).evaluate((element) => element.scrollIntoView({ block: 'start' }));
    await page.waitForTimeout(500);
    return settled;
  };
  const steps = [
    ['compare', STEP_MS + 60_000, async () => {
      const opened = await section('compare', 'Compare Representations', '.compare-result', 1000);
      check(!opened.startsWith('error'), `Compare Representations opens the panel's comparison (${opened})`);
      const other = await view.locator('#compare-with').evaluate((element) => element.value).catch(() => '');
      check(Boolean(other), `the comparison offers another encoder (${other || 'none'})`);
      if (!other) return;
      await view.locator('[data-testid="run-compare"]').click({ timeout: 5000 });
      const text = await pollFor('the comparison', STEP_MS, async () => {
        const shown = (await view.locator('.compare-result').textContent().catch(() => '')) ?? '';
        return /Pearson r/.test(shown) ? shown.trim() : undefined;
      }).catch(() => '');
      check(text !== '', `the comparison reports a Pearson r (${text.replace(/\s+/g, ' ').slice(0, 160)})`);
      await view.locator('#section-compare').evaluate((element) => element.scrollIntoView({ block: 'start' }));
      await shot('compare');
    }],
    ['consistency', JOB_STEP_MS, async () => {
      const settled = await section('consistency', 'Run Consistency Checks', '.consistency-result', JOB_STEP_MS - 20_000);
      check(settled === 'result', `Run Consistency Checks shows the consistency curve (${settled})`);
      await shot('consistency');
    }],
    ['units', JOB_STEP_MS, async () => {
      const settled = await section('units', 'Show Latent Units', '.units-result', JOB_STEP_MS - 20_000);
      check(settled === 'result', `Show Latent Units shows one map per latent unit (${settled})`);
      await shot('units');
    }],
    ['find-suspicious', JOB_STEP_MS, async () => {
      const progress = toast('finding suspicious');
      // Seen once on a fresh machine: neither the run picker nor the progress came; the second try is logged.
      for (let attempt = 0; ; attempt++) {
        await runCommand(page, 'Model Debugger: Find Suspicious Training Examples');
        const asked = await pickRunIfAsked(page, 'classifier', async () => (await progress.count()) > 0).then(() => true, (error) => {
          if (attempt > 0) throw error;
          return false;
        });
        if (asked) break;
        log('Find Suspicious Training Examples showed neither its run picker nor its progress in 30 s; running it again');
        await page.keyboard.press('Escape');
      }
      await progress.first().waitFor({ state: 'visible', timeout: 30_000 });
      await page.waitForTimeout(1000);
      await shot('find-suspicious');
      const done = await pollFor('the suspicious-label check to finish', JOB_STEP_MS - 60_000, async () => (await progress.count()) === 0).catch(() => false);
      const failed = await toast('finding suspicious training examples failed').count();
      check(done && failed === 0, `Find Suspicious Training Examples runs the check with progress and finishes without an error (${done ? 'finished' : 'still running'})`);
    }],
    ['engine-log', STEP_MS, async () => {
      await runCommand(page, 'Model Debugger: Show Engine Log');
      const lines = page.locator('.part.panel .monaco-editor .view-line');
      await lines.first().waitFor({ state: 'visible', timeout: 20_000 }).catch(() => undefined);
      const text = (await lines.allTextContents().catch(() => [])).join('\n');
      const channel = await page.locator('.part.panel .monaco-select-box[aria-label*="Output" i], .part.panel select.monaco-select-box').first().inputValue().catch(() => '');
      check(/engine|backend/i.test(text), `Show Engine Log opens the Output view on the engine's log (${channel || 'channel ?'}: ${text.split('\n')[0]?.slice(0, 100) ?? ''})`);
      await page.waitForTimeout(500);
      await shot('engine-log');
      // Leave focus in the workbench, not in the Output editor, for the palette of the next step.
      await focusWorkbench(page);
    }],
    ['select-backend', STEP_MS, async () => {
      await runCommand(page, 'Model Debugger: Select Backend');
      await pollFor('the backend quick pick', 20_000, async () => /backend/i.test((await page.locator('.quick-input-widget .quick-input-title').textContent({ timeout: 500 }).catch(() => '')) ?? ''));
      await page.locator('.quick-input-list .monaco-list-row').first().waitFor({ state: 'visible' });
      const rows = (await page.locator('.quick-input-list .monaco-list-row').allTextContents()).join(' | ');
      check(/wasm/.test(rows) && /cpu/.test(rows), `Select Backend offers the backends (${rows.slice(0, 160)})`);
      await page.waitForTimeout(500);
      await shot('select-backend');
      await page.keyboard.press('Escape');
      await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: 10_000 });
    }],
    ['clear-cache', STEP_MS, async () => {
      const cache = join(WORKSPACE, '.modeldebug', 'cache');
      const before = existsSync(cache);
      await runCommand(page, 'Model Debugger: Clear Cache');
      const dialog = page.locator('.monaco-dialog-box');
      await dialog.waitFor({ state: 'visible', timeout: 20_000 });
      const message = ((await dialog.textContent()) ?? '').replace(/\s+/g, ' ').trim();
      await page.waitForTimeout(500);
      await shot('clear-cache');
      const cancel = dialog.locator('.monaco-button', { hasText: /^Cancel$/ });
      if ((await cancel.count()) > 0) await cancel.first().click();
      else await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'hidden', timeout: 10_000 });
      check(before && existsSync(cache), `Clear Cache asks first ("${message.slice(0, 120)}") and Cancel keeps ${cache}`);
    }],
    ['export-report', JOB_STEP_MS, async () => {
      const folder = mkdtempSync(join(tmpdir(), 'modeldebug-e2e-report-'));
      try {
        await exportReport(page, folder, shot, check, toast);
      } finally {
        rmSync(folder, { recursive: true, force: true });
      }
    }],
    ['restart-engine', STEP_MS + 30_000, async () => {
      await runCommand(page, 'Model Debugger: Restart Engine');
      await toast('the engine restarted').first().waitFor({ state: 'visible', timeout: 50_000 });
      await page.waitForTimeout(500);
      await shot('restart-engine');
      const backend = await pollFor('the status bar to show the backend again', STEP_MS, async () => {
        const texts = await page.locator('.statusbar-item', { hasText: 'TF.js' }).allTextContents().catch(() => []);
        return texts.map((t) => t.trim()).find((t) => /TF\.js: (?!starting|restarting|failed)\w+/.test(t));
      }).catch(() => undefined);
      check(backend !== undefined, `Restart Engine restarts it: the status bar shows ${backend ?? 'no backend'}`);
    }],
  ];

  await clearNotifications();
  for (const [name, budget, step] of steps) {
    let timer;
    try {
      await Promise.race([step(), new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`more than ${budget / 1000} s`)), budget)))]);
    } catch (error) {
      check(false, `${name}: ${String(error?.message ?? error).split('\n')[0]}`);
      await page.screenshot({ path: join(RESULTS, `e2e-cmd-${name}-failed.png`) }).catch(() => undefined);
      await page.keyboard.press('Escape').catch(() => undefined);
      await page.keyboard.press('Escape').catch(() => undefined);
    } finally {
      clearTimeout(timer);
    }
    await clearNotifications();
  }
  done();
}

/**
 * Export Report on the open panel's run: the progress notification, then the save dialog (code-server's
 * simple file dialog, a quick input holding the path), then the HTML and the JSON on disk side by side.
 */
async function exportReport(page, folder, shot, check, toast) {
  await runCommand(page, 'Model Debugger: Export Report');
  const progress = toast('explaining for the report');
  const saveDialog = page.locator('.quick-input-widget .quick-input-title', { hasText: /save the report/i });
  await pickRunIfAsked(page, 'classifier', async () => (await progress.count()) > 0 || (await saveDialog.count()) > 0);
  await progress.first().waitFor({ state: 'visible', timeout: 30_000 }).catch(() => undefined);
  await page.waitForTimeout(1000);
  await shot('export-report');
  await pollFor('the report\'s save dialog', JOB_STEP_MS - 60_000, async () => {
    const title = await page.locator('.quick-input-widget .quick-input-title').textContent({ timeout: 500 }).catch(() => '');
    return /save the report/i.test(title ?? '') && (await page.locator('.quick-input-widget').isVisible());
  });
  const html = join(folder, 'e2e-report.html');
  const json = join(folder, 'e2e-report.json');
  const quickInput = page.locator('.quick-input-widget input');
  await quickInput.fill(html);
  await page.waitForTimeout(1000);
  let written = false;
  for (let attempt = 0; attempt < 3 && !written; attempt++) {
    if (attempt > 0) {
      // The simple file dialog may still be listing the folder, or may have completed the name: say what it shows.
      const title = await page.locator('.quick-input-widget .quick-input-title').textContent({ timeout: 500 }).catch(() => '');
      const value = await quickInput.inputValue({ timeout: 500 }).catch(() => '');
      const message = await page.locator('.quick-input-widget .quick-input-message').textContent({ timeout: 500 }).catch(() => '');
      log(`the save dialog is still open (${title}; value "${value}"; message "${message}"); Enter again`);
      await page.screenshot({ path: join(RESULTS, `e2e-cmd-export-report-dialog-${attempt}.png`) });
      if (!(await page.locator('.quick-input-widget').isVisible())) break;
      if (value !== html) await quickInput.fill(html);
    }
    await quickInput.press('Enter');
    written = await pollFor('the report files', 10_000, async () => existsSync(html) && existsSync(json)).catch(() => false);
  }
  let summary = 'not written';
  if (written) {
    const report = JSON.parse(readFileSync(json, 'utf8'));
    const markup = readFileSync(html, 'utf8');
    summary = `${Object.keys(report).slice(0, 6).join(', ')}; HTML ${markup.length} characters`;
    written = /<html/i.test(markup) && Object.keys(report).length > 0;
  }
  check(written, `Export Report writes the HTML and the JSON report side by side (${summary})`);
  if (await page.locator('.quick-input-widget').isVisible()) await page.keyboard.press('Escape');
}
