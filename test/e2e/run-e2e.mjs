#!/usr/bin/env node
// End-to-end test in a real VS Code workbench: code-server (VS Code served over HTTP,
// installed from the npm registry by scripts/install-code-server.sh) driven by Debian's
// Chromium through playwright-core. It packages the VSIX, installs it into a fresh
// code-server profile, opens demo-workspace/, right-clicks a checkpoint's model.json,
// runs "Explain this checkpoint" and checks what the panel shows. Then, in order:
//   - keyboardAndThemes.mjs: the panel from the keyboard alone, and in the light, dark and
//     high-contrast themes;
//   - train.ts: the CodeLens and the editor context menu on the checkpoint path, and the Explorer
//     entry on a checkpoint folder, each open the panel;
//   - labelDiagnostics.mjs: the warnings on data/train-labels.csv and their quick fixes;
//   - binaryDataset.mjs: a run with IDX labels gets a summary warning and a CodeLens on train.ts;
//   - the on-demand sections: NEON and semantic Shapley values on the classifier's panel, the
//     invariance curve on the supervised VAE's (a fresh machine builds the demo with --vae=supervised);
//   - paletteCommands.mjs: every other palette command, each checked;
//   - 10 window reloads leave at most one engine; a second code-server with Workspace Trust on
//     (never granted) spawns no engine process.
//
// Usage: node test/e2e/run-e2e.mjs [--vsix path/to/prebuilt.vsix] [--keep]
// Environment: E2E_TIMEOUT_MS (whole run, default 35 min), E2E_EXPLAIN_TIMEOUT_MS,
// E2E_COLOR_THEME (e.g. "Default Dark Modern", "Default High Contrast"; the screenshot name
// then carries the theme), E2E_SKIP_RELOAD=1.
// Writes screenshots to test-results/ (and e2e-failure.png plus logs when it fails).
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, cpSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { exerciseBinaryDataset } from './binaryDataset.mjs';
import { DIAGNOSTICS_MAX_SHOWN, exerciseDiagnostics } from './labelDiagnostics.mjs';
import { exerciseKeyboard, exerciseThemes } from './keyboardAndThemes.mjs';
import { exercisePaletteCommands } from './paletteCommands.mjs';
import { EXPLAIN_TIMEOUT_MS, RESULTS, ROOT, WORKSPACE, expandFolder, log, openFile, pickRunIfAsked, pollFor, reloadWindow, runCommand, checklist } from './workbench.mjs';

const OVERALL_TIMEOUT_MS = Number(process.env.E2E_TIMEOUT_MS ?? 35 * 60_000);
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const THEME = process.env.E2E_COLOR_THEME;
const SCREENSHOT = join(RESULTS, THEME ? `e2e-explain-${THEME.toLowerCase().replace(/[^a-z0-9]+/g, '-')}.png` : 'e2e-explain.png');

const args = process.argv.slice(2);
const prebuiltVsix = args.includes('--vsix') ? resolve(args[args.indexOf('--vsix') + 1]) : undefined;
const keep = args.includes('--keep');

/** Everything that must be undone however the run ends. */
const cleanup = { server: undefined, browser: undefined, tmp: undefined, logFd: undefined, page: undefined };
const cspViolations = [];

async function stopServer() {
  const server = cleanup.server;
  cleanup.server = undefined;
  if (server?.pid) {
    // code-server forks an extension host, the engine and a file watcher: stop its whole process group.
    killGroup(server.pid, 'SIGTERM');
    const exited = await waitForExit(server, 5000);
    if (!exited) killGroup(server.pid, 'SIGKILL');
  }
  if (cleanup.logFd !== undefined) closeSync(cleanup.logFd);
  cleanup.logFd = undefined;
}

async function stopAll() {
  const { browser } = cleanup;
  cleanup.browser = undefined;
  if (browser) await browser.close().catch(() => undefined);
  await stopServer();
  if (cleanup.tmp && !keep) rmSync(cleanup.tmp, { recursive: true, force: true });
}

function killGroup(pid, signal) {
  try {
    process.kill(-pid, signal);
  } catch {
    // Already gone.
  }
}

function waitForExit(child, ms) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolveWait) => {
    const timer = setTimeout(() => resolveWait(false), ms);
    child.once('exit', () => {
      clearTimeout(timer);
      resolveWait(true);
    });
  });
}

const watchdog = setTimeout(() => {
  console.error(`[e2e] the whole run exceeded ${OVERALL_TIMEOUT_MS / 1000} s; stopping.`);
  void stopAll().finally(() => process.exit(1));
}, OVERALL_TIMEOUT_MS);
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    void stopAll().finally(() => process.exit(1));
  });
}

function run(command, commandArgs, options = {}) {
  log(`$ ${command} ${commandArgs.join(' ')}`);
  const result = spawnSync(command, commandArgs, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], timeout: 15 * 60_000, ...options });
  if (result.status !== 0) throw new Error(`${command} ${commandArgs.join(' ')} failed with ${result.status ?? result.signal}: ${result.error?.message ?? ''}\n${result.stdout ?? ''}`);
  return result.stdout ?? '';
}

function freePort() {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolvePort(port));
    });
  });
}

async function waitForHttp(url, ms) {
  const deadline = Date.now() + ms;
  let lastError;
  while (Date.now() < deadline) {
    if (cleanup.server && cleanup.server.exitCode !== null) throw new Error(`code-server exited with ${cleanup.server.exitCode} before it answered`);
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
      if (response.ok) return;
      lastError = new Error(`HTTP ${response.status}`);
    } catch (error) {
      lastError = error;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${url} did not answer within ${ms / 1000} s: ${lastError?.message}`);
}

function lastCheckpoint(manifestPath) {
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
  const last = [...manifest.checkpoints].sort((a, b) => a.epoch - b.epoch).at(-1);
  const folder = resolve(dirname(manifestPath), last.path.endsWith('model.json') ? dirname(last.path) : last.path);
  return { manifest, folder };
}

/** A checksum of the heatmap's pixels and how many are tinted, to tell a redraw from the same picture. */
function heatmapDigest(heatmap) {
  return heatmap.evaluate((canvas) => {
    const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
    let digest = 0;
    let coloured = 0;
    for (let i = 0; i < data.length; i += 4) {
      digest = (digest * 31 + data[i] * 3 + data[i + 1] * 5 + data[i + 2] * 7) % 2147483647;
      if (Math.abs(data[i] - data[i + 2]) > 24) coloured++;
    }
    return { digest, coloured };
  });
}

async function main() {
  mkdirSync(RESULTS, { recursive: true });

  log('installing code-server and Chromium when missing');
  const entry = run('bash', [join(ROOT, 'scripts/install-code-server.sh')]).trim().split('\n').at(-1);
  if (!entry || !existsSync(entry)) throw new Error(`install-code-server.sh did not print the code-server entry point (got ${entry})`);

  ensureDemoWorkspace();
  const manifestPath = join(WORKSPACE, 'autoencoder', 'modeldebug.json');
  const { manifest, folder: checkpointFolder } = lastCheckpoint(manifestPath);

  const tmp = mkdtempSync(join(tmpdir(), 'modeldebug-e2e-'));
  cleanup.tmp = tmp;
  let vsix = prebuiltVsix;
  if (!vsix) {
    run('npm', ['run', 'build'], { stdio: ['ignore', 'inherit', 'inherit'] });
    vsix = join(tmp, 'model-debugger.vsix');
    run(join(ROOT, 'node_modules/.bin/vsce'), ['package', '--allow-missing-repository', '--no-rewrite-relative-links', '--out', vsix], { stdio: ['ignore', 'inherit', 'inherit'] });
  }

  const extensionsDir = join(tmp, 'extensions');
  const userDataDir = join(tmp, 'user-data');
  mkdirSync(join(userDataDir, 'User'), { recursive: true });
  writeFileSync(
    join(userDataDir, 'User', 'settings.json'),
    JSON.stringify(
      {
        'workbench.startupEditor': 'none',
        'security.workspace.trust.enabled': false,
        'telemetry.telemetryLevel': 'off',
        'extensions.autoCheckUpdates': false,
        'extensions.autoUpdate': false,
        'update.mode': 'none',
        'workbench.tips.enabled': false,
        'workbench.enableExperiments': false,
        'window.restoreWindows': 'none',
        'git.enabled': false,
        'explorer.compactFolders': false,
        // The Problems tree's sticky header would sit over the rows the diagnostics check reads.
        'workbench.tree.enableStickyScroll': false,
        'modelDebugger.diagnostics.maxShown': DIAGNOSTICS_MAX_SHOWN,
        'modelDebugger.diagnostics.minScore': 0,
        'files.exclude': { '**/node_modules': true },
        ...(THEME ? { 'workbench.colorTheme': THEME } : {}),
      },
      null,
      2,
    ),
  );
  run(process.execPath, [entry, '--extensions-dir', extensionsDir, '--user-data-dir', userDataDir, '--install-extension', vsix]);

  const port = await freePort();
  const serverLog = join(RESULTS, 'e2e-code-server.log');
  cleanup.logFd = openSync(serverLog, 'w');
  log(`starting code-server on 127.0.0.1:${port} (log: ${serverLog})`);
  cleanup.server = spawn(
    process.execPath,
    [entry, '--bind-addr', `127.0.0.1:${port}`, '--auth', 'none', '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust', '--extensions-dir', extensionsDir, '--user-data-dir', userDataDir, WORKSPACE],
    { cwd: tmp, detached: true, stdio: ['ignore', cleanup.logFd, cleanup.logFd] },
  );
  await waitForHttp(`http://127.0.0.1:${port}/healthz`, 60_000);

  const { chromium } = await import('playwright-core');
  cleanup.browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  const page = await cleanup.browser.newPage({ viewport: { width: 1600, height: 1000 } });
  page.setDefaultTimeout(30_000);
  // The panel's page must run under its CSP without violations (the toolkit's styles included).
  page.on('console', (message) => {
    const text = message.text();
    if (/Content[- ]Security[- ]Policy/i.test(text) && /webview|vscode-cdn|vscode-resource|panel\.css|webview\.js/i.test(`${text} ${message.location().url}`)) cspViolations.push(text);
  });
  try {
    await exercise(page, port, checkpointFolder, manifest);
    await exerciseKeyboard(page);
    await exerciseThemes(page, THEME);
    await exerciseScriptEntryPoints(page);
    await exerciseDiagnostics(page, manifest);
    await exerciseBinaryDataset(page);
    await exerciseSections(page);
    await exercisePaletteCommands(page);
    if (process.env.E2E_SKIP_RELOAD !== '1') await exerciseReloads(page, extensionsDir);
    // The ps filter below must see a real engine, or its "none in Restricted Mode" would prove nothing.
    const running = engineProcesses(extensionsDir);
    if (running.length === 0) throw new Error(`no engine process found with ps for ${extensionsDir} while panels are open`);
    log(`ok   ps sees the engine of the trusted window (${running.length} process(es))`);
    await page.close();
    await stopServer();
    await exerciseRestrictedMode(entry, vsix, tmp);
  } catch (error) {
    await (cleanup.page ?? page).screenshot({ path: join(RESULTS, 'e2e-failure.png') }).catch(() => undefined);
    const logs = join(userDataDir, 'logs');
    if (existsSync(logs)) cpSync(logs, join(RESULTS, 'e2e-logs'), { recursive: true });
    throw error;
  }
}

async function exercise(page, port, checkpointFolder, manifest) {
  await page.goto(`http://127.0.0.1:${port}/?folder=${encodeURIComponent(WORKSPACE)}`);
  await page.waitForSelector('.explorer-folders-view .monaco-list-row', { timeout: 120_000 });
  log('workbench is up; expanding the explorer down to the checkpoint');

  const relative = checkpointFolder.slice(WORKSPACE.length + 1).split(/[\\/]/);
  for (const name of relative) await expandFolder(page, name);
  const modelRow = page.locator('.explorer-folders-view .monaco-list-row', { has: page.locator('.label-name', { hasText: /^model\.json$/ }) });
  await modelRow.first().waitFor();
  if ((await modelRow.count()) !== 1) throw new Error(`expected one model.json row in the explorer, found ${await modelRow.count()}`);
  await modelRow.click({ button: 'right' });
  const item = page.locator('.monaco-menu .action-label', { hasText: 'Explain this checkpoint' });
  await item.waitFor({ timeout: 30_000 });
  log(`right-clicked ${relative.join('/')}/model.json; choosing "Explain this checkpoint"`);
  // A click that lands while the menu is still settling can be swallowed; the menu then stays open.
  for (let attempt = 0; attempt < 3 && (await item.isVisible()); attempt++) {
    await item.hover();
    await item.click();
    await page.waitForTimeout(1500);
  }
  if (await item.isVisible()) await page.keyboard.press('Enter');

  const view = page.frameLocator('iframe.webview').frameLocator('iframe#active-frame');
  const heatmap = view.locator('[data-testid="saliency-heatmap"]');
  await heatmap.waitFor({ state: 'attached', timeout: 120_000 });
  log('the panel is up; waiting for the explanation');
  await pollFor('the proponents, opponents, the attribution heatmap or an error in the panel', EXPLAIN_TIMEOUT_MS, async () => {
    const error = view.locator('.error:not([hidden]) p, .task-error:not([hidden])');
    if ((await error.count()) > 0) {
      const text = (await error.first().textContent())?.trim();
      if (text) throw new Error(`the panel shows an error: ${text}`);
    }
    return (
      (await view.locator('[data-testid="proponent"]').count()) > 0 &&
      (await view.locator('[data-testid="opponent"]').count()) > 0 &&
      (await view.locator('[data-testid="saliency-heatmap"][data-state="ready"]').count()) > 0
    );
  });

  const { check, done } = checklist('panel');

  const pixels = await canvasPixels(heatmap);
  check(pixels.width > 0 && pixels.height > 0 && pixels.nonZero > 0, `the saliency heatmap has non-zero pixels (${pixels.nonZero} of ${pixels.width}x${pixels.height}, ${pixels.coloured} tinted)`);
  check(pixels.coloured > 0, 'the heatmap shows saliency colour, not only the grayscale image');
  const proponents = await view.locator('[data-testid="proponent"]').count();
  const opponents = await view.locator('[data-testid="opponent"]').count();
  check(proponents === 5, `5 proponents (found ${proponents})`);
  check(opponents === 5, `5 opponents (found ${opponents})`);
  const thumbPixels = await view.locator('[data-testid="proponent"] canvas').first().evaluate((canvas) => {
    const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
    let nonZero = 0;
    for (let i = 0; i < data.length; i += 4) if (data[i] || data[i + 1] || data[i + 2]) nonZero++;
    return nonZero;
  });
  check(thumbPixels > 0, `the first proponent thumbnail is drawn (${thumbPixels} non-zero pixels)`);
  const completeness = await view.locator('[data-testid="completeness"]').textContent().catch(() => '');
  log(`completeness readout: ${completeness?.trim() || '(none)'}`);

  const statusText = await pollFor('the TF.js status bar item', 30_000, async () => {
    const items = page.locator('.statusbar-item', { hasText: 'TF.js' });
    return (await items.count()) > 0 ? (await items.first().textContent())?.trim() : undefined;
  }).catch(() => undefined);
  check(statusText !== undefined, `the status bar shows the backend (${statusText ?? 'missing'})`);

  const groups = await page.locator('.editor-group-container').evaluateAll((containers) =>
    containers.map((container) => [...container.querySelectorAll('.tab')].map((tab) => tab.getAttribute('aria-label') ?? tab.textContent ?? '')),
  );
  const scriptName = manifest.script ? manifest.script.split('/').at(-1) : 'train.ts';
  const scriptGroup = groups.findIndex((tabs) => tabs.some((tab) => tab.includes(scriptName)));
  const panelGroup = groups.findIndex((tabs) => tabs.some((tab) => tab.includes('Explain') || tab.includes('Model Debugger')));
  check(scriptGroup >= 0, `the training script ${scriptName} is open in an editor tab (groups: ${JSON.stringify(groups)})`);
  check(panelGroup >= 0 && panelGroup !== scriptGroup, `the panel sits in its own editor group beside ${scriptName}`);

  await page.mouse.move(0, 0);
  await page.screenshot({ path: SCREENSHOT });
  log(`screenshot: ${SCREENSHOT}`);

  // Changing the attribution method re-runs the attribution and redraws the heatmap.
  const before = await heatmapDigest(heatmap);
  const beforeMethod = await heatmap.getAttribute('data-method');
  await view.locator('#method').click();
  await view.locator('#method vscode-option[value="saliency"]').click();
  const redrawn = await pollFor('the heatmap to redraw with saliency', EXPLAIN_TIMEOUT_MS, async () => {
    const error = view.locator('.task-error:not([hidden])');
    if ((await error.count()) > 0) throw new Error(`the attribution shows an error: ${(await error.first().textContent())?.trim()}`);
    return (await heatmap.getAttribute('data-method')) === 'saliency' && (await heatmap.getAttribute('data-state')) === 'ready';
  }).catch((error) => {
    log(String(error));
    return false;
  });
  const after = redrawn ? await heatmapDigest(heatmap) : before;
  check(redrawn && after.coloured > 0 && after.digest !== before.digest, `switching the method from ${beforeMethod} to saliency redraws the heatmap (${before.digest} -> ${after.digest}, ${after.coloured} tinted pixels)`);

  // Revealing a proponent opens the labels file at its row (the demo keeps labels in a CSV).
  const labels = manifest.train?.labels?.path;
  if (labels && labels.endsWith('.csv')) {
    await view.locator('[data-testid="proponent"]').first().click();
    const labelsName = labels.split('/').at(-1);
    const opened = await pollFor(`an editor tab for ${labelsName}`, 30_000, async () => (await page.locator('.tab', { hasText: labelsName }).count()) > 0).catch(() => false);
    check(opened, `clicking a proponent opens ${labelsName}`);
  }

  check(cspViolations.length === 0, `no Content-Security-Policy violations in the panel${cspViolations.length ? `: ${cspViolations.slice(0, 3).join(' | ')}` : ''}`);

  if (process.env.E2E_SKIP_RELOAD !== '1') {
    // The panel comes back after a window reload (WebviewPanelSerializer + the page's saved state).
    // "Developer: Reload Window" shuts the workbench down properly (saving the editor layout) before
    // reloading; a bare browser reload may not get to save it.
    log('reloading the window (Developer: Reload Window); the panel should be restored');
    await reloadWindow(page);
    const reloadedAt = Date.now();
    const restored = page.frameLocator('iframe.webview').frameLocator('iframe#active-frame');
    const back = await pollFor('the restored panel to show its explanation again', EXPLAIN_TIMEOUT_MS, async () => {
      if (Date.now() - reloadedAt > 60_000 && (await page.locator('iframe.webview').count()) === 0) throw new Error('no webview came back within 60 s of the reload');
      const error = restored.locator('.error:not([hidden]) p');
      if ((await error.count()) > 0) {
        const text = (await error.first().textContent())?.trim();
        if (text) throw new Error(`the restored panel shows an error: ${text}`);
      }
      return (await restored.locator('[data-testid="proponent"]').count()) === 5 && (await restored.locator('[data-testid="saliency-heatmap"][data-state="ready"]').count()) === 1;
    }).catch((error) => {
      log(String(error));
      return false;
    });
    check(back, 'the panel is restored after a window reload');
    const restoredMethod = back ? await restored.locator('[data-testid="saliency-heatmap"]').getAttribute('data-method') : undefined;
    check(restoredMethod === 'saliency', `the restored panel keeps the attribution settings (method ${restoredMethod})`);
  }

  done();
}

/** What every explanation panel's page shows: its checkpoint picker and heatmap state (webviews are nested, cross-origin frames). */
async function panelStates(page) {
  const states = [];
  for (const frame of page.frames()) {
    const state = await frame
      .evaluate(() => {
        const picker = document.querySelector('#checkpoint');
        const heatmap = document.querySelector('[data-testid="saliency-heatmap"]');
        if (!picker && !heatmap && !document.querySelector('[data-testid="restricted"]')) return null;
        return {
          checkpoint: picker ? picker.value || picker.getAttribute('current-value') || '' : '',
          heatmap: heatmap?.getAttribute('data-state') ?? '',
          restricted: document.querySelector('[data-testid="restricted"]') !== null,
          error: document.querySelector('.error:not([hidden]) p')?.textContent?.trim() ?? '',
        };
      })
      .catch(() => null);
    if (state) states.push(state);
  }
  return states;
}

/** Waits for an explanation panel on `checkpoint` whose heatmap is drawn; fails on a panel error. */
async function waitForPanelOn(page, checkpoint, what) {
  return pollFor(`${what}: a panel on ${checkpoint} with its heatmap`, EXPLAIN_TIMEOUT_MS, async () => {
    const states = await panelStates(page);
    const mine = states.find((state) => state.checkpoint === checkpoint);
    if (mine?.error) throw new Error(`${what}: the panel shows an error: ${mine.error}`);
    return mine && mine.heatmap === 'ready' ? mine : undefined;
  });
}

/**
 * The training-script entry points in demo-workspace/train.ts: the CodeLens above the line that names
 * the first checkpoint, and the editor context menu with the cursor on that path. Each must open the panel.
 */
async function exerciseScriptEntryPoints(page) {
  const script = readFileSync(join(WORKSPACE, 'train.ts'), 'utf8');
  const match = /FIRST_AUTOENCODER_CHECKPOINT = '([^']+)'/.exec(script);
  if (!match) throw new Error('demo-workspace/train.ts names no FIRST_AUTOENCODER_CHECKPOINT; rebuild it with npm run demo');
  const checkpoint = match[1].replace(/^\.\/autoencoder\//, '');
  const literal = match[1].split('/').at(-1);

  // CodeLens: close everything so the panel that opens is the lens's own.
  await runCommand(page, 'View: Close All Editors');
  await page.waitForTimeout(1000);
  await openFile(page, 'train.ts');
  const lens = page.locator('.codelens-decoration a', { hasText: 'Explain this checkpoint' }).first();
  await lens.waitFor({ timeout: 60_000 });
  log(`CodeLens: "${(await lens.textContent())?.trim()}"; clicking it`);
  await lens.click();
  const viaLens = await waitForPanelOn(page, checkpoint, 'CodeLens');
  log(`ok   the CodeLens opened the panel on ${viaLens.checkpoint} (heatmap ${viaLens.heatmap})`);
  await page.mouse.move(0, 0);
  await page.screenshot({ path: join(RESULTS, 'e2e-codelens.png') });

  // Editor context menu: put the cursor on the path, give the debounced context key time, right-click there.
  await runCommand(page, 'View: Close All Editors');
  await page.waitForTimeout(1000);
  if ((await panelStates(page)).length > 0) throw new Error('a panel is still open after closing all editors');
  await openFile(page, 'train.ts');
  const token = page.locator('.monaco-editor .view-lines span', { hasText: literal }).last();
  await token.waitFor({ timeout: 30_000 });
  await token.click();
  await page.waitForTimeout(1500);
  await token.click({ button: 'right' });
  const item = page.locator('.monaco-menu .action-label', { hasText: 'Explain this checkpoint' });
  await item.waitFor({ timeout: 30_000 });
  log('editor context menu: choosing "Explain this checkpoint"');
  for (let attempt = 0; attempt < 3 && (await item.isVisible()); attempt++) {
    await item.hover();
    await item.click();
    await page.waitForTimeout(1500);
  }
  const viaMenu = await waitForPanelOn(page, checkpoint, 'editor context menu');
  log(`ok   the editor context menu opened the panel on ${viaMenu.checkpoint} (heatmap ${viaMenu.heatmap})`);
  const groups = await page.locator('.editor-group-container').evaluateAll((containers) =>
    containers.map((container) => [...container.querySelectorAll('.tab')].map((tab) => tab.getAttribute('aria-label') ?? tab.textContent ?? '')),
  );
  const scriptGroup = groups.findIndex((tabs) => tabs.some((tab) => tab.includes('train.ts')));
  const panelGroup = groups.findIndex((tabs) => tabs.some((tab) => tab.includes('Explain')));
  if (scriptGroup < 0 || panelGroup < 0 || scriptGroup === panelGroup) throw new Error(`the panel is not beside train.ts (groups: ${JSON.stringify(groups)})`);
  log('ok   the panel sits beside train.ts');
  await page.mouse.move(0, 0);
  await page.screenshot({ path: join(RESULTS, 'e2e-editor-context.png') });

  // Explorer, on a checkpoint folder rather than its model.json (the autoencoder's checkpoints are expanded by now).
  await runCommand(page, 'View: Close All Editors');
  await page.waitForTimeout(1000);
  const folderName = checkpoint.split('/').at(-1);
  const folderRow = page.locator('.explorer-folders-view .monaco-list-row', { has: page.locator('.label-name', { hasText: new RegExp(`^${folderName}$`) }) }).first();
  await folderRow.waitFor({ timeout: 30_000 });
  await folderRow.click({ button: 'right' });
  const folderItem = page.locator('.monaco-menu .action-label', { hasText: 'Explain this checkpoint' });
  await folderItem.waitFor({ timeout: 30_000 });
  log(`explorer: right-clicked the folder ${folderName}; choosing "Explain this checkpoint"`);
  for (let attempt = 0; attempt < 3 && (await folderItem.isVisible()); attempt++) {
    await folderItem.hover();
    await folderItem.click();
    await page.waitForTimeout(1500);
  }
  const viaFolder = await waitForPanelOn(page, checkpoint, 'explorer folder');
  log(`ok   the Explorer entry on the checkpoint folder opened the panel on ${viaFolder.checkpoint} (heatmap ${viaFolder.heatmap})`);
}

/** The supervised VAE run the invariance section needs (trainVae.ts writes it beside the other runs). */
const VAE_MANIFEST = join(WORKSPACE, 'vae-supervised', 'modeldebug.json');

/**
 * demo-workspace/ is generated (git-ignored): on a fresh machine build it with the supervised VAE only
 * (`npm run demo -- --vae=supervised`, not the β-VAEs); a workspace from before the VAE demo gets just
 * the supervised VAE trained by its own trainVae.ts. Each prints how long it took.
 */
function ensureDemoWorkspace() {
  if (!existsSync(join(WORKSPACE, 'autoencoder', 'modeldebug.json'))) {
    log('demo-workspace/ is missing: building it with npm run demo -- --vae=supervised');
    const t0 = Date.now();
    run('npm', ['run', 'demo', '--', '--vae=supervised'], { stdio: ['ignore', 'inherit', 'inherit'] });
    log(`built demo-workspace/ with the supervised VAE in ${((Date.now() - t0) / 1000).toFixed(1)} s (the demo's phase table above shows the VAE training on its own)`);
    return;
  }
  if (existsSync(VAE_MANIFEST)) return;
  const t0 = Date.now();
  if (existsSync(join(WORKSPACE, 'trainVae.ts'))) {
    log('demo-workspace/vae-supervised/ is missing: training the supervised VAE (trainVae.ts --models supervised)');
    run(process.execPath, ['--import', 'tsx', join(WORKSPACE, 'trainVae.ts'), '--models', 'supervised'], { stdio: ['ignore', 'inherit', 'inherit'] });
  } else {
    log('demo-workspace/ predates the VAE demo: rebuilding it with npm run demo -- --vae=supervised');
    run('npm', ['run', 'demo', '--', '--vae=supervised'], { stdio: ['ignore', 'inherit', 'inherit'] });
  }
  log(`the supervised VAE took ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

/** Chooses `value` in a toolkit dropdown of the panel. */
async function chooseOption(view, id, value) {
  const dropdown = view.locator(`#${id}`);
  for (let attempt = 0; attempt < 3; attempt++) {
    if ((await dropdown.evaluate((element) => element.value)) === value) return;
    await dropdown.click();
    await view.locator(`#${id} vscode-option[value="${value}"]`).click();
    await new Promise((r) => setTimeout(r, 300));
  }
  const now = await dropdown.evaluate((element) => element.value);
  if (now !== value) throw new Error(`#${id} stays at "${now}", not "${value}"`);
}

async function setNumber(view, id, value) {
  const input = view.locator(`#${id}`);
  await input.fill(String(value));
  await input.press('Enter');
  await input.dispatchEvent('change');
}

/** Waits for a section's result (`ready` returns truthy); fails on the section's error. */
async function waitForSection(view, section, what, ready) {
  return pollFor(what, EXPLAIN_TIMEOUT_MS, async () => {
    const error = view.locator(`[data-testid="${section}-status"] .task-error:not([hidden])`);
    if ((await error.count()) > 0) {
      const text = (await error.first().textContent())?.trim();
      if (text) throw new Error(`the ${section} section shows an error: ${text}`);
    }
    return ready();
  });
}

/** Counts a canvas's drawn pixels, and its tinted ones (red and blue apart: attribution colour, not grayscale). */
function canvasPixels(canvas) {
  return canvas.evaluate((element) => {
    const data = element.getContext('2d').getImageData(0, 0, element.width, element.height).data;
    let nonZero = 0;
    let coloured = 0;
    for (let i = 0; i < data.length; i += 4) {
      if (data[i] || data[i + 1] || data[i + 2]) nonZero++;
      if (Math.abs(data[i] - data[i + 2]) > 24) coloured++;
    }
    return { width: element.width, height: element.height, nonZero, coloured };
  });
}

/**
 * The on-demand sections in the real panel. On the classifier run (opened by "Explain Clusters and
 * Outliers (NEON)"): NEON with a KDE's outlierness in input space (a relevance heatmap with tinted
 * pixels, the conservation readout with its numbers), then semantic Shapley values over Fourier bins
 * for the shown example with 16 background examples (one bar per bin, the efficiency gap near 0). On
 * the supervised VAE's panel (its encoder via "Explain Checkpoint…"): the invariance curve over a small
 * sample (a point per σ on the z2 and z1-control lines, z2 above the control at the smallest σ), then
 * its other three views (exerciseInvarianceViews).
 */
async function exerciseSections(page) {
  const { check, done } = checklist('section');
  const view = page.frameLocator('iframe.webview').frameLocator('iframe#active-frame');

  // NEON on the classifier: the command opens the panel at the section (and runs its defaults; the
  // Explain press below supersedes that run).
  await runCommand(page, 'View: Close All Editors');
  // The Problems view from the diagnostics check would cover the lower half of the screenshots.
  if (await page.locator('.part.panel').isVisible()) await runCommand(page, 'View: Hide Panel');
  await page.waitForTimeout(1000);
  let t0 = Date.now();
  await runCommand(page, 'Model Debugger: Explain Clusters and Outliers (NEON)');
  await pickRunIfAsked(page, 'classifier', async () => (await page.locator('iframe.webview').count()) > 0);
  await view.locator('[data-testid="run-neon"]').waitFor({ state: 'visible', timeout: 120_000 });
  log('NEON: the classifier\'s panel is open at the NEON section; KDE outlierness in input space');
  await chooseOption(view, 'neon-model', 'kde');
  await chooseOption(view, 'neon-explain', 'outlierness');
  await chooseOption(view, 'neon-space', 'input');
  t0 = Date.now();
  await view.locator('[data-testid="run-neon"]').click();
  const neonCaption = await waitForSection(view, 'neon', 'the NEON relevance (KDE outlierness, input space)', async () => {
    const caption = view.locator('.neon-result:not(.stale):not([hidden]) [data-testid="neon-caption"]');
    if ((await caption.count()) === 0) return undefined;
    const text = (await caption.textContent()) ?? '';
    return /KDE/.test(text) && /outlierness/.test(text) && /input space/.test(text) ? text : undefined;
  });
  log(`NEON result in ${((Date.now() - t0) / 1000).toFixed(1)} s: ${neonCaption.trim()}`);
  const neonPixels = await canvasPixels(view.locator('canvas[data-testid="neon-heatmap"]'));
  check(neonPixels.width > 0 && neonPixels.nonZero > 0 && neonPixels.coloured > 0, `the NEON relevance heatmap is drawn (${neonPixels.nonZero} non-zero of ${neonPixels.width}x${neonPixels.height}, ${neonPixels.coloured} tinted)`);
  const conservation = ((await view.locator('[data-testid="neon-conservation"]').textContent()) ?? '').trim();
  const number = '[−-]?\\d[\\d.,]*(?:e[−+-]?\\d+)?';
  check(new RegExp(`Σ relevance ${number} vs\\. value ${number} · dissipated ${number}`).test(conservation), `the NEON conservation readout has its numbers (${conservation})`);
  const neonValue = ((await view.locator('[data-testid="neon-value"]').textContent()) ?? '').trim();
  log(`NEON value readout: ${neonValue}`);
  await view.locator('#section-neon').evaluate((element) => element.scrollIntoView({ block: 'start' }));
  await page.mouse.move(0, 0);
  await page.screenshot({ path: join(RESULTS, 'e2e-neon.png') });

  // Semantic Shapley values on the same panel: Fourier bins, local, 16 background examples.
  await chooseOption(view, 'semantic-representation', 'fourier');
  await chooseOption(view, 'semantic-scope', 'local');
  await setNumber(view, 'semantic-background', 16);
  const bins = Number(await view.locator('#semantic-bins').inputValue());
  t0 = Date.now();
  await view.locator('[data-testid="run-semantic"]').click();
  const semanticCaption = await waitForSection(view, 'semantic', 'the semantic Shapley values', async () => {
    const caption = view.locator('.semantic-result:not(.stale):not([hidden]) [data-testid="semantic-caption"]');
    if ((await caption.count()) === 0) return undefined;
    const text = (await caption.textContent()) ?? '';
    return /16 background examples/.test(text) ? text : undefined;
  });
  log(`semantic Shapley values in ${((Date.now() - t0) / 1000).toFixed(1)} s: ${semanticCaption.trim()}`);
  const bars = await view.locator('[data-testid="semantic-chart"] g.shapley-bar').count();
  check(bins > 0 && bars === bins, `the semantic Shapley chart has one bar per Fourier bin (${bars} bars, ${bins} bins)`);
  const efficiency = view.locator('[data-testid="semantic-efficiency"]');
  const gap = Number(await efficiency.getAttribute('data-gap'));
  const expected = Number(await efficiency.getAttribute('data-expected'));
  const efficiencyText = ((await efficiency.textContent()) ?? '').trim();
  check(Number.isFinite(gap) && Math.abs(gap) <= Math.max(1e-3, 0.05 * Math.abs(expected)) && /gap/.test(efficiencyText), `the efficiency gap is near 0 (${gap} against v(N) − v(∅) = ${expected}; "${efficiencyText}")`);
  await view.locator('#section-semantic').evaluate((element) => element.scrollIntoView({ block: 'start' }));
  await page.mouse.move(0, 0);
  await page.screenshot({ path: join(RESULTS, 'e2e-semantic.png') });

  // The invariance curve on the supervised VAE's panel.
  await runCommand(page, 'View: Close All Editors');
  await page.waitForTimeout(1000);
  const { folder: vaeFolder } = lastCheckpoint(VAE_MANIFEST);
  const encoder = `${vaeFolder.slice(WORKSPACE.length + 1)}/model.json`;
  await runCommand(page, 'Model Debugger: Explain Checkpoint…');
  const quickInput = page.locator('.quick-input-widget input');
  await pollFor('the "explain which checkpoint?" quick pick', 30_000, async () => /which checkpoint/i.test((await page.locator('.quick-input-widget .quick-input-title').textContent({ timeout: 1000 }).catch(() => '')) ?? ''));
  await quickInput.fill(encoder);
  await pollFor(`${encoder} first in the quick pick`, 15_000, async () => (await page.locator('.quick-input-list .monaco-list-row').first().textContent().catch(() => ''))?.includes(encoder));
  await quickInput.press('Enter');
  log(`invariance: explaining ${encoder}`);
  await view.locator('[data-testid="run-invariance-curve"]').waitFor({ state: 'visible', timeout: 120_000 });
  await setNumber(view, 'invariance-curve-curveexamples', 20);
  await setNumber(view, 'invariance-curve-curvecount', 10);
  t0 = Date.now();
  await view.locator('[data-testid="run-invariance-curve"]').click();
  await waitForSection(view, 'invariance-curve', 'the invariance curve', async () => {
    const caption = view.locator('.invariance-curve-result:not(.stale):not([hidden]) .caption');
    if ((await caption.count()) === 0) return undefined;
    return /^20 test examples × 10 samples per σ/.test(((await caption.textContent()) ?? '').trim()) && (await view.locator('[data-testid="invariance-curve"]').count()) === 1;
  });
  const curveSeconds = (Date.now() - t0) / 1000;
  const points = async (line) =>
    view.locator(`[data-testid="invariance-curve-${line}-point"]`).evaluateAll((nodes) => nodes.map((n) => ({ sigma: Number(n.getAttribute('data-sigma')), value: Number(n.getAttribute('data-value')) })));
  const z2 = await points('z2');
  const z1 = await points('z1');
  const rows = await view.locator('[data-testid="invariance-curve-table"] tbody tr').count();
  const sigmas = z2.map((p) => p.sigma);
  log(`invariance curve in ${curveSeconds.toFixed(1)} s: σ ${sigmas.join(', ')}; z2 ${z2.map((p) => p.value.toFixed(2)).join(' ')}; z1 ${z1.map((p) => p.value.toFixed(2)).join(' ')}`);
  check(z2.length >= 2 && z2.length === rows && z1.length === rows && z1.every((p, i) => p.sigma === sigmas[i]), `the invariance curve has a point per σ on both lines (${z2.length} z2, ${z1.length} z1 points, ${rows} table rows)`);
  check((await view.locator('[data-testid="invariance-curve-z2"]').count()) === 1 && (await view.locator('[data-testid="invariance-curve-z1"]').count()) === 1, 'the curve draws the z2 line and the z1 control line');
  // σ = 0 is the reconstructions, shared by both lines; the smallest resampling σ comes next.
  const smallest = z2.findIndex((p) => p.sigma > 0);
  check(smallest >= 0 && z2[smallest].value > z1[smallest].value, `at the smallest σ (${z2[smallest]?.sigma}) resampling z2 keeps the class more often than the z1 control (${z2[smallest]?.value} > ${z1[smallest]?.value})`);
  await view.locator('[data-testid="invariance-curve"]').evaluate((element) => element.scrollIntoView({ block: 'center' }));
  await page.mouse.move(0, 0);
  await page.screenshot({ path: join(RESULTS, 'e2e-invariance.png') });
  await exerciseInvarianceViews(view, check);

  done();
}

/**
 * The other three invariance views on the supervised VAE's panel, each with its defaults: the gallery of
 * invariant samples (the input, its reconstruction and one tile per sample, with the share keeping the
 * class), the counterfactuals (a decoded tile per other class), and the divergence maps for z1 and z2
 * (both drawn, each with its completeness readout).
 */
async function exerciseInvarianceViews(view, check) {
  const fresh = (kind) => view.locator(`.invariance-${kind}-result:not(.stale):not([hidden])`);
  const run = async (kind, what, ready) => {
    const t0 = Date.now();
    await view.locator(`[data-testid="run-invariance-${kind}"]`).click();
    await waitForSection(view, `invariance-${kind}`, what, ready);
    return ((Date.now() - t0) / 1000).toFixed(1);
  };

  const count = Number(await view.locator('#invariance-samples-count').inputValue());
  const samplesSeconds = await run('samples', 'the invariant samples', async () => (await fresh('samples').locator('[data-testid="invariance-gallery"] figure').count()) > 0);
  const tiles = await fresh('samples').locator('[data-testid="invariance-gallery"] figure').count();
  const rate = ((await fresh('samples').locator('[data-testid="invariance-match-rate"]').textContent()) ?? '').trim();
  check(tiles === count + 2 && /^\d+% of \d+ samples at σ = [\d.]+ keep the predicted class/.test(rate), `invariant samples in ${samplesSeconds} s: the input, the reconstruction and ${tiles - 2} of ${count} samples; "${rate}"`);

  const counterSeconds = await run('counterfactuals', 'the counterfactuals', async () => (await fresh('counterfactuals').locator('[data-testid="invariance-counterfactuals"] figure').count()) > 0);
  const counterTiles = await fresh('counterfactuals').locator('[data-testid="invariance-counterfactuals"] figure:not(.missing)').count();
  check(counterTiles >= 2, `counterfactuals in ${counterSeconds} s: the input and ${counterTiles - 1} decoded tiles toward the class means`);

  const divergenceSeconds = await run('divergence', 'the divergence maps', async () => (await fresh('divergence').locator('canvas[data-testid^="invariance-divergence-z"]').count()) === 2);
  const z1Map = await canvasPixels(fresh('divergence').locator('canvas[data-testid="invariance-divergence-z1"]'));
  const z2Map = await canvasPixels(fresh('divergence').locator('canvas[data-testid="invariance-divergence-z2"]'));
  const readouts = (await fresh('divergence').locator('.completeness').allTextContents()).map((text) => text.trim());
  // Both maps share one colour scale, so the nuisance map (z2) may stay too faint to tint: its Σ|map| says it is there.
  const mass = readouts.map((text) => Number(/Σ\|map\| ([\d.e+-]+)/.exec(text)?.[1]));
  check(
    z1Map.coloured > 0 && z2Map.nonZero > 0 && readouts.length === 2 && /^z1: /.test(readouts[0]) && /^z2: /.test(readouts[1]) && mass.every((m) => m > 0),
    `divergence maps in ${divergenceSeconds} s: z1 and z2 drawn on one scale (${z1Map.coloured} and ${z2Map.coloured} tinted pixels); ${readouts.join(' | ')}`,
  );
}

/**
 * Ten window reloads in a row, each starting a new extension host whose restored panels start an
 * engine: every old engine must notice its parent is gone and exit, leaving at most one.
 */
async function exerciseReloads(page, extensionsDir) {
  const RELOADS = 10;
  log(`reloading the window ${RELOADS} times; at most one engine may stay alive`);
  for (let i = 0; i < RELOADS; i++) await reloadWindow(page);
  // Let the last window's panels start their engine, and the previous engines' watchdogs fire.
  await page.waitForTimeout(5000);
  let running = engineProcesses(extensionsDir);
  const deadline = Date.now() + 30_000;
  while (running.length > 1 && Date.now() < deadline) {
    await page.waitForTimeout(1000);
    running = engineProcesses(extensionsDir);
  }
  if (running.length > 1) throw new Error(`${running.length} engine processes alive after ${RELOADS} reloads:\n  ${running.join('\n  ')}`);
  log(`ok   after ${RELOADS} window reloads ${running.length} engine process(es) alive`);
}

/** Engine processes of this run's extension (other runs on the machine have their own extensions folder). */
function engineProcesses(extensionsDir) {
  const out = spawnSync('ps', ['-eo', 'pid,args'], { encoding: 'utf8' }).stdout ?? '';
  return out.split('\n').filter((line) => line.includes(extensionsDir) && /dist[\\/]engine\.js/.test(line));
}

/**
 * Restricted Mode: a fresh profile with Workspace Trust on, the folder never trusted. The extension
 * activates (its status bar item says Restricted Mode) and no engine process is spawned, even with the
 * checkpoint's model.json opened.
 */
async function exerciseRestrictedMode(entry, vsix, tmp) {
  const extensionsDir = join(tmp, 'extensions-restricted');
  const userDataDir = join(tmp, 'user-data-restricted');
  run(process.execPath, [entry, '--extensions-dir', extensionsDir, '--user-data-dir', userDataDir, '--install-extension', vsix]);
  mkdirSync(join(userDataDir, 'User'), { recursive: true });
  writeFileSync(
    join(userDataDir, 'User', 'settings.json'),
    JSON.stringify({ 'workbench.startupEditor': 'none', 'security.workspace.trust.enabled': true, 'telemetry.telemetryLevel': 'off', 'extensions.autoCheckUpdates': false, 'update.mode': 'none', 'git.enabled': false }, null, 2),
  );
  const port = await freePort();
  cleanup.logFd = openSync(join(RESULTS, 'e2e-code-server-restricted.log'), 'w');
  log(`starting a second code-server with Workspace Trust on, on 127.0.0.1:${port}`);
  cleanup.server = spawn(
    process.execPath,
    [entry, '--bind-addr', `127.0.0.1:${port}`, '--auth', 'none', '--disable-telemetry', '--disable-update-check', '--extensions-dir', extensionsDir, '--user-data-dir', userDataDir, WORKSPACE],
    { cwd: tmp, detached: true, stdio: ['ignore', cleanup.logFd, cleanup.logFd] },
  );
  await waitForHttp(`http://127.0.0.1:${port}/healthz`, 60_000);
  const page = await cleanup.browser.newPage({ viewport: { width: 1600, height: 1000 } });
  cleanup.page = page;
  page.setDefaultTimeout(30_000);
  await page.goto(`http://127.0.0.1:${port}/?folder=${encodeURIComponent(WORKSPACE)}`);
  await page.waitForSelector('.monaco-workbench', { timeout: 120_000 });
  // The trust prompt: dismiss it without trusting ("No, I don't trust the authors").
  const distrust = page.locator('.monaco-dialog-box .monaco-button', { hasText: /don.t trust/i }).first();
  if (await distrust.waitFor({ timeout: 30_000 }).then(() => true, () => false)) {
    await distrust.click();
    log('trust prompt: chose not to trust the authors');
  }
  const restricted = await pollFor('the Restricted Mode status bar item', 90_000, async () => {
    const items = page.locator('.statusbar-item', { hasText: 'Restricted Mode' });
    const texts = await items.allTextContents();
    return texts.find((text) => text.includes('Model Debugger'));
  });
  log(`ok   the extension is active in Restricted Mode (status bar: ${restricted.trim()})`);
  // Open a checkpoint's model.json: in a trusted workspace the explorer would offer to explain it.
  await openFile(page, 'model.json').catch(() => undefined);
  await page.waitForTimeout(8000);
  const engines = engineProcesses(extensionsDir);
  if (engines.length > 0) throw new Error(`Restricted Mode spawned the engine: ${engines.join(' | ')}`);
  log('ok   no dist/engine.js process runs in Restricted Mode (ps)');
  // The palette hides the commands that need trust, and keeps the engine log.
  await page.keyboard.press('F1');
  const quickInput = page.locator('.quick-input-widget input');
  await quickInput.waitFor();
  await quickInput.fill('>Model Debugger:');
  await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Show Engine Log' }).first().waitFor();
  const rows = await page.locator('.quick-input-list .monaco-list-row').allTextContents();
  await page.keyboard.press('Escape');
  if (rows.some((row) => /Explain Checkpoint|Export Report|Select Backend/.test(row))) throw new Error(`commands that need trust show in Restricted Mode: ${rows.join(' | ')}`);
  log(`ok   the palette offers only ${rows.map((row) => row.replace(/\s+/g, ' ').trim()).join(', ')} in Restricted Mode`);
  if (engineProcesses(extensionsDir).length > 0) throw new Error('Restricted Mode spawned the engine');
  await page.mouse.move(0, 0);
  await page.screenshot({ path: join(RESULTS, 'e2e-restricted.png') });
  log(`screenshot: ${join(RESULTS, 'e2e-restricted.png')}`);
}

let failed = false;
try {
  await main();
} catch (error) {
  failed = true;
  console.error(`[e2e] ${error instanceof Error ? error.stack ?? error.message : String(error)}`);
} finally {
  await stopAll();
  clearTimeout(watchdog);
}
console.log(failed ? 'e2e: 0 passed, 1 failed' : 'e2e: 1 passed, 0 failed');
process.exit(failed ? 1 : 0);
