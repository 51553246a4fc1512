// The panel from the keyboard alone, and in the light, dark and high-contrast themes. Runs on the one
// panel the first checks leave open (the autoencoder's). Keyboard: Tab walks the panel's controls,
// each of our own elements shows a focus ring when focused, Alt+→ moves to the next test example, and
// Enter on a proponent opens its row in train-labels.csv. Themes: after each switch (Preferences: Color
// Theme) the panel's body carries the theme's class, its text keeps a readable contrast against its
// background (the colours come from the theme's variables), and the heatmap is still drawn.
import { join } from 'node:path';
import { RESULTS, log, pollFor, runCommand, checklist } from './workbench.mjs';

const THEMES = [
  { name: 'Default Dark Modern', bodyClass: 'vscode-dark', file: 'dark' },
  { name: 'Default High Contrast', bodyClass: 'vscode-high-contrast', file: 'high-contrast' },
  { name: 'Default High Contrast Light', bodyClass: 'vscode-high-contrast-light', file: 'high-contrast-light' },
  { name: 'Default Light Modern', bodyClass: 'vscode-light', file: 'light' },
];
/** WCAG AA for body text. */
const MIN_CONTRAST = 4.5;

/** The panel's own document (the inner frame holding the heatmap). */
async function panelFrame(page) {
  return pollFor('the panel\'s frame', 30_000, async () => {
    for (const frame of page.frames()) {
      if (await frame.locator('[data-testid="saliency-heatmap"]').count().catch(() => 0)) return frame;
    }
    return undefined;
  });
}

/** What has focus in the panel, and whether it shows a focus ring (an outline or a box shadow). */
function focusedElement(frame) {
  return frame.evaluate(() => {
    let element = document.activeElement;
    while (element?.shadowRoot?.activeElement) element = element.shadowRoot.activeElement;
    const host = document.activeElement;
    if (!element || element === document.body) return { what: 'body', ring: false, custom: false };
    const style = getComputedStyle(element);
    const ring = (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0) || (style.boxShadow !== 'none' && style.boxShadow !== '');
    const testId = host?.getAttribute('data-testid') ?? '';
    return {
      what: `${host?.tagName.toLowerCase()}${host?.id ? `#${host.id}` : ''}${testId ? `[${testId}]` : ''}${host?.classList.length ? `.${[...host.classList].join('.')}` : ''}`,
      ring,
      custom: (host?.tagName ?? '').includes('-'),
      testId,
    };
  });
}

function luminance(rgb) {
  const [r, g, b] = rgb.map((c) => {
    const v = c / 255;
    return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

function contrast(a, b) {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

export async function exerciseKeyboard(page) {
  const { check, done } = checklist('keyboard');
  const frame = await panelFrame(page);
  // One click puts focus into the panel (the way a user enters a webview); everything after is keys.
  await frame.locator('header').first().click();
  const seen = [];
  let noRing = [];
  for (let step = 0; step < 60; step++) {
    await page.keyboard.press('Tab');
    const focused = await focusedElement(frame);
    seen.push(focused);
    if (!focused.custom && focused.what !== 'body' && !focused.ring) noRing.push(focused.what);
    if (focused.testId === 'proponent') break;
  }
  noRing = [...new Set(noRing)];
  const path = seen.map((f) => f.what);
  check(path.some((w) => w.startsWith('input#test-index')), `Tab reaches the test example field (${path.slice(0, 8).join(' → ')} …)`);
  check(seen.some((f) => f.testId === 'proponent'), `Tab reaches the first proponent after ${seen.length} presses`);
  check(noRing.length === 0, `every element Tab reached shows a focus ring${noRing.length ? ` (none on ${noRing.join(', ')})` : ''}`);

  if (seen.at(-1)?.testId === 'proponent') {
    await page.keyboard.press('Enter');
    const opened = await page.locator('.tab.active', { hasText: 'train-labels.csv' }).waitFor({ timeout: 20_000 }).then(() => true, () => false);
    check(opened, 'Enter on a focused proponent opens its row in train-labels.csv');
  }

  const frameAgain = await panelFrame(page);
  const before = Number(await frameAgain.locator('#test-index').inputValue());
  await frameAgain.locator('#test-index').focus();
  await page.keyboard.press('Alt+ArrowRight');
  const after = await pollFor('Alt+→ to move to the next test example', 15_000, async () => {
    const value = Number(await frameAgain.locator('#test-index').inputValue());
    return value !== before ? value : undefined;
  }).catch(() => before);
  check(after === before + 1, `Alt+→ moves from test example #${before} to #${after}`);
  await pollFor('the heatmap of the next example', 120_000, async () => (await frameAgain.locator('[data-testid="saliency-heatmap"][data-state="ready"]').count()) > 0).catch(() => undefined);
  done();
}

/** Switches through the themes, ending on `finalTheme` (the profile's own). */
export async function exerciseThemes(page, finalTheme = 'Default Light Modern') {
  const { check, done } = checklist('theme');
  const last = THEMES.find((theme) => theme.name === finalTheme) ?? { name: finalTheme, bodyClass: '', file: 'final' };
  for (const theme of [...THEMES.filter((t) => t !== last), last]) {
    await runCommand(page, 'Preferences: Color Theme');
    const quickInput = page.locator('.quick-input-widget input');
    await quickInput.fill(theme.name);
    // "Default High Contrast" also matches "Default High Contrast Light": find the row named exactly.
    const position = await pollFor(`${theme.name} in the theme picker`, 15_000, async () => {
      // A row shows the theme's label ("Dark Modern") and, as its description, the setting's value ("Default Dark Modern").
      const rows = await page.locator('.quick-input-list .monaco-list-row').evaluateAll((elements) =>
        elements.map((row) => [...row.querySelectorAll('.label-name, .label-description')].map((part) => (part.textContent ?? '').trim())),
      );
      const at = rows.findIndex((parts) => parts.includes(theme.name));
      return at >= 0 ? at + 1 : undefined;
    });
    for (let i = 1; i < position; i++) await quickInput.press('ArrowDown');
    await quickInput.press('Enter');
    const frame = await panelFrame(page);
    const shown = await pollFor(`the panel in ${theme.name}`, 20_000, async () => {
      const state = await frame.evaluate(() => {
        const parse = (value) => (value.match(/\d+(\.\d+)?/g) ?? []).slice(0, 3).map(Number);
        const style = getComputedStyle(document.body);
        return { classes: [...document.body.classList], color: parse(style.color), background: parse(style.backgroundColor) };
      });
      return !theme.bodyClass || state.classes.includes(theme.bodyClass) ? state : undefined;
    }).catch(() => undefined);
    const ratio = shown ? contrast(shown.color, shown.background) : 0;
    const heatmap = await frame.locator('[data-testid="saliency-heatmap"][data-state="ready"]').count();
    check(shown !== undefined && ratio >= MIN_CONTRAST && heatmap > 0, `${theme.name}: the panel follows (body.${theme.bodyClass}), text contrast ${ratio.toFixed(1)}:1 (at least ${MIN_CONTRAST}), heatmap drawn`);
    await page.mouse.move(0, 0);
    await page.screenshot({ path: join(RESULTS, `e2e-theme-${theme.file}.png`) });
  }
  done();
}
