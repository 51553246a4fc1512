// What every part of the e2e shares: the paths, the log, polling, and driving the workbench's
// quick input (the command palette and Quick Open) from the keyboard.
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const RESULTS = join(ROOT, 'test-results');
export const WORKSPACE = join(ROOT, 'demo-workspace');
export const EXPLAIN_TIMEOUT_MS = Number(process.env.E2E_EXPLAIN_TIMEOUT_MS ?? 10 * 60_000);

const started = Date.now();
export const log = (message) => console.log(`[e2e +${((Date.now() - started) / 1000).toFixed(1)}s] ${message}`);

/** The result of the first call of `check` that returns something truthy; throws after `ms`. */
export async function pollFor(what, ms, check) {
  const deadline = Date.now() + ms;
  for (;;) {
    const result = await check();
    if (result) return result;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms / 1000} s waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

/**
 * A part's checks: `check` logs each as ok or FAIL and goes on, so one run reports every failure;
 * `done` then throws if any failed, naming `what` ("3 diagnostics check(s) failed: …").
 */
export function checklist(what) {
  const failures = [];
  return {
    check: (ok, message) => {
      log(`${ok ? 'ok  ' : 'FAIL'} ${message}`);
      if (!ok) failures.push(message);
    },
    done: () => {
      if (failures.length > 0) throw new Error(`${failures.length} ${what ? `${what} ` : ''}check(s) failed:\n  ${failures.join('\n  ')}`);
    },
  };
}

export function escapeRegExp(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Clicks a folder row in the explorer until it is expanded (a click during a re-render can be lost). */
export async function expandFolder(page, name) {
  const row = page.locator('.explorer-folders-view .monaco-list-row', { has: page.locator('.label-name', { hasText: new RegExp(`^${escapeRegExp(name)}$`) }) }).first();
  await row.waitFor({ timeout: 30_000 });
  for (let attempt = 0; attempt < 5; attempt++) {
    if ((await row.getAttribute('aria-expanded')) === 'true') return;
    await row.click();
    await page.waitForTimeout(1000);
  }
  if ((await row.getAttribute('aria-expanded')) !== 'true') throw new Error(`the explorer did not expand ${name}`);
}

/**
 * Opens the quick input with F1. A key pressed while a webview (an iframe) has focus goes to the
 * webview's document, and the workbench may never see it: when the quick input does not open, focus
 * is taken back from the iframe and F1 pressed again.
 */
export async function openQuickInput(page) {
  const quickInput = page.locator('.quick-input-widget input');
  for (let attempt = 0; attempt < 3; attempt++) {
    await page.keyboard.press('F1');
    if (await quickInput.waitFor({ state: 'visible', timeout: 5000 }).then(() => true, () => false)) return quickInput;
    await focusWorkbench(page);
  }
  throw new Error('F1 does not open the quick input');
}

/** Moves keyboard focus out of any webview iframe back to the workbench's own document. */
export async function focusWorkbench(page) {
  await page.evaluate(() => {
    const active = document.activeElement;
    if (active instanceof HTMLIFrameElement) active.blur();
  });
  await page.waitForTimeout(300);
}

/**
 * Picks `label` in the quick input (F1) after typing `typed`: the first row that names it, moved to
 * with the arrow keys when a better-ranked row comes first ("Preferences: Browse Color Themes in
 * Marketplace" above "Preferences: Color Theme").
 */
export async function quickPick(page, typed, label) {
  const quickInput = await openQuickInput(page);
  await quickInput.fill(typed);
  const position = await pollFor(`"${label}" in the quick input`, 30_000, async () => {
    const rows = await page.locator('.quick-input-list .monaco-list-row').allTextContents().catch(() => []);
    const at = rows.findIndex((row) => row.includes(label));
    return at >= 0 ? at + 1 : undefined;
  });
  for (let i = 1; i < position; i++) await quickInput.press('ArrowDown');
  await quickInput.press('Enter');
}

export async function runCommand(page, title) {
  await quickPick(page, `>${title}`, title);
}

/**
 * Answers a command's "… which run?" quick pick with the run in folder `run`, unless `started` says the
 * command went on without asking (one run only, or a panel to act on).
 */
export async function pickRunIfAsked(page, run, started) {
  const asked = await pollFor('the run picker, or the command under way', 30_000, async () => {
    const title = await page.locator('.quick-input-widget .quick-input-title').textContent({ timeout: 500 }).catch(() => '');
    if (/which run/i.test(title ?? '') && (await page.locator('.quick-input-widget').isVisible())) return 'picker';
    return (await started()) ? 'started' : undefined;
  });
  if (asked !== 'picker') return;
  const quickInput = page.locator('.quick-input-widget input');
  // The folder name alone: some pickers show the run's name with its path as a description they do not filter on.
  await quickInput.fill(run);
  await pollFor(`${run} first in the run picker`, 15_000, async () => (await page.locator('.quick-input-list .monaco-list-row').first().textContent().catch(() => ''))?.includes(run));
  await quickInput.press('Enter');
}

/** Quick Open (F1 without the ">"); Ctrl+P would reach the browser's print in code-server. */
export async function openFile(page, name) {
  await quickPick(page, name, name);
  await page.locator('.tab.active', { hasText: name }).waitFor({ timeout: 30_000 });
}

/** Moves the active editor's cursor to a 1-based line (Quick Open ":line"), which scrolls it into view and focuses the editor. */
export async function goToLine(page, line) {
  const quickInput = await openQuickInput(page);
  await quickInput.fill(`:${line}`);
  await page.waitForTimeout(300);
  await quickInput.press('Enter');
  await page.locator('.monaco-editor.focused').first().waitFor({ timeout: 5000 }).catch(() => undefined);
}

/**
 * "Developer: Reload Window" shuts the workbench down properly (saving the editor layout) before
 * reloading; a bare browser reload may not get to save it.
 */
export async function reloadWindow(page) {
  await runCommand(page, 'Developer: Reload Window');
  await page.waitForTimeout(2000);
  await page.waitForSelector('.explorer-folders-view .monaco-list-row', { timeout: 120_000 });
}
