#!/usr/bin/env node
// End-to-end test in a real VS Code workbench: code-server (VS Code served over HTTP,
// installed from the npm registry by scripts/install-code-server.sh) driven by Debian's
// Chromium through playwright-core. It packages the VSIX, installs it into a fresh
// code-server profile, opens demo-workspace/, right-clicks a checkpoint's model.json,
// runs "Explain this checkpoint" and checks what the panel shows. Then, in demo-workspace/train.ts,
// the CodeLens and the editor context menu on the checkpoint path each open the panel; finally a
// second code-server with Workspace Trust on (and never granted) must spawn no engine process.
// Before that, the on-demand sections: NEON and semantic Shapley values on the classifier's panel, the
// invariance curve on the supervised VAE's (a fresh machine builds the demo with --vae=supervised).
//
// Usage: node test/e2e/run-e2e.mjs [--vsix path/to/prebuilt.vsix] [--keep]
// Environment: E2E_TIMEOUT_MS (whole run, default 20 min), E2E_EXPLAIN_TIMEOUT_MS,
// E2E_COLOR_THEME (e.g. "Default Dark Modern", "Default High Contrast"; the screenshot name
// then carries the theme).
// Writes test-results/e2e-explain.png, e2e-codelens.png, e2e-editor-context.png, e2e-restricted.png,
// e2e-neon.png, e2e-semantic.png, e2e-invariance.png
// (and e2e-failure.png plus logs when it fails).
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, cpSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const RESULTS = join(ROOT, 'test-results');
const WORKSPACE = join(ROOT, 'demo-workspace');
const OVERALL_TIMEOUT_MS = Number(process.env.E2E_TIMEOUT_MS ?? 20 * 60_000);
const EXPLAIN_TIMEOUT_MS = Number(process.env.E2E_EXPLAIN_TIMEOUT_MS ?? 10 * 60_000);
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const THEME = process.env.E2E_COLOR_THEME;
const SCREENSHOT = join(RESULTS, THEME ? `e2e-explain-${THEME.toLowerCase().replace(/[^a-z0-9]+/g, '-')}.png` : 'e2e-explain.png');

const args = process.argv.slice(2);
const prebuiltVsix = args.includes('--vsix') ? resolve(args[args.indexOf('--vsix') + 1]) : undefined;
const keep = args.includes('--keep');

const started = Date.now();
const log = (message) => console.log(`[e2e +${((Date.now() - started) / 1000).toFixed(1)}s] ${message}`);

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

/** Clicks a folder row in the explorer until it is expanded (a click during a re-render can be lost). */
async function expandFolder(page, name) {
  const row = page.locator('.explorer-folders-view .monaco-list-row', { has: page.locator('.label-name', { hasText: new RegExp(`^${escapeRegExp(name)}$`) }) }).first();
  await row.waitFor({ timeout: 30_000 });
  for (let attempt = 0; attempt < 5; attempt++) {
    if ((await row.getAttribute('aria-expanded')) === 'true') return;
    await row.click();
    await page.waitForTimeout(1000);
  }
  if ((await row.getAttribute('aria-expanded')) !== 'true') throw new Error(`the explorer did not expand ${name}`);
}

function escapeRegExp(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
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

async function pollFor(what, ms, check) {
  const deadline = Date.now() + ms;
  for (;;) {
    const result = await check();
    if (result) return result;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms / 1000} s waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 500));
  }
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
    await exerciseScriptEntryPoints(page);
    await exerciseDiagnostics(page, manifest);
    await exerciseSections(page);
    // Documentation screenshots change focus and layout; they run only when asked for (npm run screenshots uses them).
    if (process.env.E2E_COMMAND_SCREENSHOTS === '1') await screenshotCommands(page);
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

  const failures = [];
  const check = (ok, message) => {
    log(`${ok ? 'ok  ' : 'FAIL'} ${message}`);
    if (!ok) failures.push(message);
  };

  const pixels = await heatmap.evaluate((canvas) => {
    const context = canvas.getContext('2d');
    const data = context.getImageData(0, 0, canvas.width, canvas.height).data;
    let nonZero = 0;
    let coloured = 0;
    for (let i = 0; i < data.length; i += 4) {
      if (data[i] || data[i + 1] || data[i + 2]) nonZero++;
      if (Math.abs(data[i] - data[i + 2]) > 24) coloured++;
    }
    return { width: canvas.width, height: canvas.height, nonZero, coloured };
  });
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

  if (failures.length > 0) throw new Error(`${failures.length} check(s) failed:\n  ${failures.join('\n  ')}`);
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

/** Picks `label` in the quick input (F1) after typing `typed`: waits until it is the focused row. */
async function quickPick(page, typed, label) {
  await page.keyboard.press('F1');
  const quickInput = page.locator('.quick-input-widget input');
  await quickInput.waitFor();
  await quickInput.fill(typed);
  await pollFor(`"${label}" first in the quick input`, 30_000, async () => {
    const first = await page.locator('.quick-input-list .monaco-list-row').first().textContent().catch(() => '');
    return first?.includes(label);
  });
  await quickInput.press('Enter');
}

async function runCommand(page, title) {
  await quickPick(page, `>${title}`, title);
}

/** Quick Open (F1 without the ">"); Ctrl+P would reach the browser's print in code-server. */
async function openFile(page, name) {
  await quickPick(page, name, name);
  await page.locator('.tab.active', { hasText: name }).waitFor({ timeout: 30_000 });
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

/** The demo's training labels: the file the suspicious-label diagnostics decorate. */
const LABELS_FILE = join(WORKSPACE, 'data', 'train-labels.csv');
const LABELS_NAME = 'train-labels.csv';

/** How many problems the Problems view lists for the labels file (its file row's "N problems in file …"). */
async function problemsInLabelsFile(page) {
  const labels = await page.locator('.markers-panel .monaco-list-row').evaluateAll((rows) => rows.map((row) => row.getAttribute('aria-label') ?? ''));
  for (const label of labels) {
    const match = new RegExp(`^(\\d+) problems? in file ${escapeRegExp(LABELS_NAME)}\\b`).exec(label);
    if (match) return Number(match[1]);
  }
  return 0;
}

/**
 * Every Model Debugger warning in the Problems view, as the 1-based line it sits on.
 *
 * Why the Problems view, read this way: it is the workbench's own list of the diagnostics the
 * extension published (what a user sees), and each marker row's aria-label ends with
 * "at line L and character C. … generated by Model Debugger", with aria-posinset/aria-setsize
 * numbering the markers of the file. The list is virtualised (only the rows in view exist in the
 * DOM), so the tree is focused and paged through with PageDown (the mouse wheel moves it a few rows
 * at a time), and markers are collected by position until every position 1..setsize has been seen.
 * Hovering lines or reading squiggles would take one step per line of a 6,000-line file, and the
 * view's Copy goes through a clipboard that headless Chromium does not reliably give back. The
 * view is filtered to the labels file and maximised first.
 */
async function collectLabelsProblems(page) {
  await runCommand(page, 'View: Focus Problems (Errors, Warnings, Infos)');
  await page.waitForTimeout(500);
  const byPosition = new Map();
  let setSize = 0;
  let stale = 0;
  for (let step = 0; step < 2000 && stale < 10; step++) {
    const rows = await page
      .locator('.markers-panel .monaco-list-row')
      .evaluateAll((elements) => elements.map((e) => ({ label: e.getAttribute('aria-label') ?? '', position: Number(e.getAttribute('aria-posinset')), size: Number(e.getAttribute('aria-setsize')) })));
    const before = byPosition.size;
    for (const row of rows) {
      const match = /^Warning: [\s\S]* at line (\d+) and character \d+\.[\s\S]*generated by Model Debugger$/.exec(row.label);
      if (!match) continue;
      setSize = Math.max(setSize, row.size);
      byPosition.set(row.position, Number(match[1]));
    }
    if (setSize > 0 && byPosition.size >= setSize) break;
    stale = byPosition.size === before ? stale + 1 : 0;
    await page.keyboard.press('PageDown');
    await page.waitForTimeout(100);
  }
  return { setSize, lines: [...byPosition.values()] };
}

/** Maximises the panel (the toggle's state survives from earlier runs of the profile, so its height is checked). */
async function maximisePanel(page, maximised) {
  for (let attempt = 0; attempt < 2; attempt++) {
    const box = await page.locator('.markers-panel').first().boundingBox();
    const viewport = page.viewportSize();
    if (box && (box.height > viewport.height / 2) === maximised) return;
    await runCommand(page, 'View: Toggle Maximized Panel');
    await page.waitForTimeout(1000);
  }
}

/** The text of the editor line holding CSV data row `index` (the demo's first column is the index). */
async function csvLineText(page, index) {
  const texts = await page
    .locator('.monaco-editor .view-lines .view-line')
    .evaluateAll((lines, prefix) => lines.map((line) => (line.textContent ?? '').replace(/\u00a0/g, ' ')).filter((text) => text.startsWith(prefix)), `${index},`);
  return texts[0];
}

/** Opens the labels file at a 1-based line (Quick Open ":line") and opens the quick fixes there (Ctrl+.). */
async function quickFixesAt(page, line) {
  await openFile(page, LABELS_NAME);
  await page.keyboard.press('F1');
  const quickInput = page.locator('.quick-input-widget input');
  await quickInput.waitFor();
  await quickInput.fill(`:${line}`);
  await page.waitForTimeout(500);
  await quickInput.press('Enter');
  await page.waitForTimeout(800);
  const menu = page.locator('.action-widget .monaco-list-row.action');
  for (let attempt = 0; attempt < 5; attempt++) {
    await page.keyboard.press('Control+.');
    if (await menu.first().waitFor({ timeout: 5000 }).then(() => true, () => false)) break;
    // The code actions are asked for again once the diagnostics reach the editor.
    await page.keyboard.press('Escape');
    await page.waitForTimeout(2000);
  }
  return (await menu.allTextContents()).map((text) => text.trim());
}

/** Picks a quick fix with the keyboard (a pointer block over the editor can swallow a click on the menu). */
async function chooseQuickFix(page, title) {
  const count = await page.locator('.action-widget .monaco-list-row.action').count();
  for (let step = 0; step <= count; step++) {
    const focused = await page.locator('.action-widget .monaco-list-row.action.focused').first().getAttribute('aria-label', { timeout: 5000 }).catch(() => undefined);
    if (focused === title) {
      await page.keyboard.press('Enter');
      return;
    }
    await page.keyboard.press('ArrowDown');
    await page.waitForTimeout(150);
  }
  throw new Error(`the quick fix menu has no "${title}"`);
}

/** What the explanation panels show of the suspicious list: rows, and the focused training example. */
async function suspiciousListStates(page, index) {
  const states = [];
  for (const frame of page.frames()) {
    const state = await frame
      .evaluate((wanted) => {
        const rows = document.querySelectorAll('[data-testid="suspicious-row"]');
        if (rows.length === 0 && !document.querySelector('#section-suspicious')) return null;
        const row = document.querySelector(`[data-testid="suspicious-row"][data-index="${wanted}"]`);
        return {
          rows: rows.length,
          listed: row !== null,
          highlighted: row?.classList.contains('focused-example') ?? false,
          focused: row !== null && document.activeElement === row,
          error: document.querySelector('.error:not([hidden]) p, .task-error:not([hidden])')?.textContent?.trim() ?? '',
        };
      }, index)
      .catch(() => null);
    if (state) states.push(state);
  }
  return states;
}

/** The demo workspace's run folders whose manifest names training labels. */
function labelledRuns() {
  return readdirSync(WORKSPACE, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(WORKSPACE, entry.name, 'modeldebug.json')))
    .filter((entry) => {
      const train = JSON.parse(readFileSync(join(WORKSPACE, entry.name, 'modeldebug.json'), 'utf8')).train ?? {};
      return Boolean(train.labels || train.labelColumn);
    })
    .map((entry) => entry.name);
}

/** The Model Debugger settings the e2e profile starts with: every example the engine ranks, no score filter. */
const DIAGNOSTICS_MAX_SHOWN = 600;

/**
 * The suspicious-label diagnostics on demo-workspace/data/train-labels.csv (the two demo runs, the
 * classifier and the autoencoder, both check it). The profile's user settings.json sets
 * modelDebugger.diagnostics.maxShown 600 and minScore 0 from the start (code-server does not pick up a
 * settings.json rewritten while it runs), so each run shows its 600 most suspicious rows: at least half of
 * the demo's 300 flipped labels must carry a warning. Then, on the classifier's most suspicious row (the
 * first item of "Review Suspicious Training Examples"), the quick fixes: "Show in Model Debugger" opens
 * the panel's suspicious list with that row focused, and "Change label to '…'" rewrites the row's label
 * in the editor. The change is undone and saved, and the file's bytes are restored whatever happens.
 */
async function exerciseDiagnostics(page, manifest) {
  const onDisk = readFileSync(LABELS_FILE);
  try {
    await checkDiagnostics(page, manifest);
  } finally {
    if (!readFileSync(LABELS_FILE).equals(onDisk)) {
      writeFileSync(LABELS_FILE, onDisk);
      log(`restored ${LABELS_FILE} (the quick fix had changed it on disk)`);
    }
  }
}

async function checkDiagnostics(page, manifest) {
  const onDisk = readFileSync(LABELS_FILE, 'utf8');
  const flipped = JSON.parse(readFileSync(join(WORKSPACE, 'data', 'flipped-labels.json'), 'utf8')).flipped;
  const classNames = manifest.classNames ?? [];
  const failures = [];
  const check = (ok, message) => {
    log(`${ok ? 'ok  ' : 'FAIL'} ${message}`);
    if (!ok) failures.push(message);
  };

  await runCommand(page, 'View: Close All Editors');
  await page.waitForTimeout(1000);
  await runCommand(page, 'View: Focus Problems (Errors, Warnings, Infos)');
  const filter = page.locator('.markers-panel-action-filter input, .viewpane-filter input').first();
  await filter.waitFor();
  await filter.fill(`**/${LABELS_NAME}`);
  // DIAGNOSTICS_MAX_SHOWN per run whose training set has labels (the classifier and the autoencoder; more
  // if the VAE demo ran); fewer only if rows were dropped (reviewed, no longer holding their label) or a
  // run failed, so a smaller count is accepted once it has held for a minute.
  const runs = labelledRuns();
  const wanted = runs.length * DIAGNOSTICS_MAX_SHOWN;
  log(`runs with training labels: ${runs.join(', ')}`);
  let lastCount = -1;
  let since = Date.now();
  const total = await pollFor(`${wanted} Model Debugger warnings on ${LABELS_NAME} in the Problems view`, EXPLAIN_TIMEOUT_MS, async () => {
    const count = await problemsInLabelsFile(page);
    if (count !== lastCount) {
      lastCount = count;
      since = Date.now();
    }
    if (count >= wanted) return count;
    return count > 0 && Date.now() - since > 60_000 ? count : undefined;
  });
  log(`the Problems view lists ${total} problems in ${LABELS_NAME}`);
  await openFile(page, LABELS_NAME);
  await page.mouse.move(0, 0);
  await page.screenshot({ path: join(RESULTS, 'e2e-diagnostics.png') });

  await maximisePanel(page, true);
  const readStart = Date.now();
  const { setSize, lines } = await collectLabelsProblems(page);
  const readSeconds = (Date.now() - readStart) / 1000;
  const totalAfter = await problemsInLabelsFile(page).catch(() => 0);
  await maximisePanel(page, false);
  const flagged = new Set(lines);
  const hits = flipped.filter((f) => flagged.has(f.index + 2)).length;
  check(setSize > 0 && lines.length === setSize, `read all ${setSize} warnings from the Problems view (${lines.length} read, ${flagged.size} distinct lines, ${readSeconds.toFixed(1)} s; the file row said ${total}, then ${totalAfter || 'scrolled away'})`);
  check(hits * 2 >= flipped.length, `${hits} of the ${flipped.length} flipped labels carry a Model Debugger warning (at least half)`);

  // The classifier's most suspicious example: the first row of the Review command's quick pick.
  await runCommand(page, 'Model Debugger: Review Suspicious Training Examples');
  // Both of its quick picks have a title (the command palette has none): which run, then its examples.
  const title = await pollFor('the Review command\'s quick pick', 30_000, async () => {
    const text = await page.locator('.quick-input-widget .quick-input-title').textContent({ timeout: 1000 }).catch(() => '');
    return text?.trim() ? text : undefined;
  });
  if (/review which run/i.test(title)) {
    const quickInput = page.locator('.quick-input-widget input');
    await quickInput.fill('classifier');
    await page.waitForTimeout(500);
    await quickInput.press('Enter');
  }
  const firstItem = await pollFor('the suspicious examples in the Review quick pick', 30_000, async () => {
    const text = await page.locator('.quick-input-list .monaco-list-row').first().textContent().catch(() => '');
    return /^#\d+: /.test(text ?? '') ? text : undefined;
  });
  const reviewTitle = await page.locator('.quick-input-title').textContent().catch(() => '');
  check(/suspicious training examples in .*classifier/i.test(reviewTitle ?? ''), `"Review Suspicious Training Examples" lists the classifier's examples (${reviewTitle?.trim()}; first: ${firstItem.trim().slice(0, 80)})`);
  await page.screenshot({ path: join(RESULTS, 'e2e-review.png') });
  await page.keyboard.press('Escape');
  const index = Number(/^#(\d+): /.exec(firstItem)[1]);
  const line = index + 2;
  log(`the classifier's most suspicious row: training example #${index}, line ${line}`);

  // "Show in Model Debugger": the panel opens with the suspicious list, that example focused.
  const fixes = await quickFixesAt(page, line);
  // With several runs flagging the row, each run's fixes carry its name: "Show in Model Debugger (<run>)".
  const forClassifier = (name) => (f) => f === name || (f.startsWith(`${name} (`) && /classifier/i.test(f));
  check(fixes.some((f) => f.startsWith('Change label to ')) && fixes.some(forClassifier('Show in Model Debugger')) && fixes.some(forClassifier('Mark as reviewed')), `Ctrl+. on line ${line} offers the quick fixes (${fixes.join(' | ')})`);
  await page.mouse.move(0, 0);
  await page.screenshot({ path: join(RESULTS, 'e2e-quickfix.png') });
  await chooseQuickFix(page, fixes.find(forClassifier('Show in Model Debugger')) ?? 'Show in Model Debugger');
  const shown = await pollFor(`the panel's suspicious list with #${index} focused`, EXPLAIN_TIMEOUT_MS, async () => {
    const states = await suspiciousListStates(page, index);
    const failed = states.find((state) => state.error);
    if (failed) throw new Error(`the panel shows an error: ${failed.error}`);
    return states.find((state) => state.listed && state.highlighted);
  }).catch((error) => {
    log(String(error));
    return undefined;
  });
  check(shown !== undefined, `"Show in Model Debugger" opens the panel's suspicious list with #${index} highlighted (${shown ? `${shown.rows} rows` : 'not shown'})`);
  check(shown?.focused === true, `the row of #${index} has keyboard focus in the panel`);
  await page.mouse.move(0, 0);
  await page.screenshot({ path: join(RESULTS, 'e2e-show-suspicious.png') });

  // "Change label to '…'": the row's label field becomes the suggested class.
  await runCommand(page, 'View: Close All Editors');
  await page.waitForTimeout(1000);
  const fixesAgain = await quickFixesAt(page, line);
  const before = await csvLineText(page, index);
  const change = fixesAgain.find((f) => f.startsWith('Change label to '));
  if (!change || !before) throw new Error(`no "Change label to" quick fix on line ${line} (${fixesAgain.join(' | ')}; line text ${before})`);
  const suggested = /^Change label to '([^']*)'/.exec(change)?.[1];
  const [rowIndex, , ...rest] = before.split(',');
  const expected = [rowIndex, String(suggested === undefined ? -1 : classNames.indexOf(suggested)), ...rest].join(',');
  await chooseQuickFix(page, change);
  const after = await pollFor(`line ${line} to change`, 15_000, async () => {
    const text = await csvLineText(page, index);
    return text !== undefined && text !== before ? text : undefined;
  }).catch(() => undefined);
  check(after === expected, `"${change}" rewrites line ${line} from "${before}" to "${after}" (expected "${expected}")`);
  // VS Code may save the files a code action's edit touches (files.refactoring.autoSave): undo, then save.
  await page.waitForTimeout(1000);
  const savedByFix = readFileSync(LABELS_FILE, 'utf8') !== onDisk;
  log(`after the quick fix the file on disk is ${savedByFix ? 'changed (saved with the edit)' : 'unchanged (the edit is unsaved)'}`);
  await page.keyboard.press('Control+z');
  const undone = await pollFor(`line ${line} to be undone`, 15_000, async () => ((await csvLineText(page, index)) === before ? true : undefined)).catch(() => false);
  await page.keyboard.press('Control+s');
  const restored = await pollFor(`${LABELS_NAME} to be saved as before`, 15_000, async () => (readFileSync(LABELS_FILE, 'utf8') === onDisk ? true : undefined)).catch(() => false);
  check(undone && restored, `undo restores line ${line} and saving writes ${LABELS_NAME} back unchanged`);

  if (failures.length > 0) throw new Error(`${failures.length} diagnostics check(s) failed:\n  ${failures.join('\n  ')}`);
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

/** Answers the "which run?" quick pick of a section command with the run whose manifest path contains `run`. */
async function pickRunIfAsked(page, run) {
  const title = await pollFor('the command\'s run picker or its panel', 30_000, async () => {
    if ((await page.locator('iframe.webview').count()) > 0) return 'panel';
    const text = await page.locator('.quick-input-widget .quick-input-title').textContent({ timeout: 1000 }).catch(() => '');
    return /which run/i.test(text ?? '') ? text : undefined;
  });
  if (title === 'panel') return;
  const quickInput = page.locator('.quick-input-widget input');
  await quickInput.fill(`${run}/modeldebug.json`);
  await pollFor(`${run} first in the run picker`, 15_000, async () => (await page.locator('.quick-input-list .monaco-list-row').first().textContent().catch(() => ''))?.includes(`${run}/`));
  await quickInput.press('Enter');
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

/** Counts a canvas's drawn and tinted pixels, as the saliency heatmap check does. */
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
 * sample (a point per σ on the z2 and z1-control lines, z2 above the control at the smallest σ).
 */
async function exerciseSections(page) {
  const failures = [];
  const check = (ok, message) => {
    log(`${ok ? 'ok  ' : 'FAIL'} ${message}`);
    if (!ok) failures.push(message);
  };
  const view = page.frameLocator('iframe.webview').frameLocator('iframe#active-frame');

  // NEON on the classifier: the command opens the panel at the section (and runs its defaults; the
  // Explain press below supersedes that run).
  await runCommand(page, 'View: Close All Editors');
  // The Problems view from the diagnostics check would cover the lower half of the screenshots.
  await runCommand(page, 'View: Hide Panel');
  await page.waitForTimeout(1000);
  let t0 = Date.now();
  await runCommand(page, 'Model Debugger: Explain Clusters and Outliers (NEON)');
  await pickRunIfAsked(page, 'classifier');
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

  if (failures.length > 0) throw new Error(`${failures.length} section check(s) failed:\n  ${failures.join('\n  ')}`);
}

/**
 * Documentation, not a check: one screenshot per palette command that has none yet
 * (test-results/e2e-cmd-<name>.png, copied to media/screenshots/ by `npm run screenshots`).
 * Each step is best effort (about 60 s at most); a failure logs "screenshot skipped" and the run goes on.
 * Nothing here changes state the later checks rely on: Select Backend and Clear Cache are cancelled,
 * Export Report is cancelled, and after Restart Engine (last) the status bar must show the backend again.
 */
async function screenshotCommands(page) {
  const STEP_MS = 60_000;
  const view = page.frameLocator('iframe.webview').frameLocator('iframe#active-frame');
  const shot = async (name) => {
    await page.mouse.move(0, 0);
    const path = join(RESULTS, `e2e-cmd-${name}.png`);
    await page.screenshot({ path });
    log(`screenshot: ${path}`);
  };
  const toast = (text) => page.locator('.notifications-toasts .notification-toast', { hasText: text });
  const clearNotifications = () => runCommand(page, 'Notifications: Clear All Notifications').catch(() => undefined);
  /** Scrolls the panel to `anchor`; waits (at most `ms`) for the section's result, its error or its progress. */
  const section = async (name, title, anchor, result, ms) => {
    await runCommand(page, `Model Debugger: ${title}`);
    await view.locator(anchor).waitFor({ state: 'attached', timeout: 20_000 });
    const settled = await pollFor(`the ${title} result`, ms, async () => {
      if ((await view.locator(`${result} > *`).count()) > 0) return 'result';
      if ((await view.locator(`[data-testid="${name}-status"] .task-error:not([hidden])`).count()) > 0) return 'error';
      return undefined;
    }).catch(() => 'still running');
    await view.locator(anchor).evaluate((element) => element.scrollIntoView({ block: 'start' }));
    await page.waitForTimeout(500);
    return settled;
  };
  const steps = [
    ['compare', async () => {
      await section('compare', 'Compare Representations', '#section-compare', '.compare-result', 1000);
      // The command opens the comparison without running it; run it when the picker offers another encoder.
      const choice = await view.locator('#compare-with').evaluate((element) => element.value).catch(() => '');
      if (choice) {
        await view.locator('[data-testid="run-compare"]').click({ timeout: 5000 }).catch(() => undefined);
        await pollFor('the comparison', 40_000, async () => (await view.locator('.compare-result > *').count()) > 0).catch(() => undefined);
        await view.locator('#section-compare').evaluate((element) => element.scrollIntoView({ block: 'start' }));
      }
      await shot('compare');
    }],
    ['consistency', async () => {
      log(`Run Consistency Checks: ${await section('consistency', 'Run Consistency Checks', '#section-consistency', '.consistency-result', 35_000)}`);
      await shot('consistency');
    }],
    ['units', async () => {
      log(`Show Latent Units: ${await section('units', 'Show Latent Units', '#section-units', '.units-result', 35_000)}`);
      await shot('units');
    }],
    ['find-suspicious', async () => {
      await runCommand(page, 'Model Debugger: Find Suspicious Training Examples');
      const asked = await pollFor('the run picker or the progress notification', 20_000, async () => {
        if ((await toast('finding suspicious').count()) > 0) return 'progress';
        const title = await page.locator('.quick-input-widget .quick-input-title').textContent({ timeout: 500 }).catch(() => '');
        return /which run/i.test(title ?? '') && (await page.locator('.quick-input-widget').isVisible()) ? 'picker' : undefined;
      });
      if (asked === 'picker') {
        const quickInput = page.locator('.quick-input-widget input');
        await quickInput.fill('classifier');
        await pollFor('classifier first in the run picker', 10_000, async () => (await page.locator('.quick-input-list .monaco-list-row').first().textContent().catch(() => ''))?.includes('classifier'));
        await quickInput.press('Enter');
      }
      await toast('finding suspicious').first().waitFor({ state: 'visible', timeout: 30_000 });
      await page.waitForTimeout(1000);
      await shot('find-suspicious');
    }],
    ['engine-log', async () => {
      await runCommand(page, 'Model Debugger: Show Engine Log');
      // The Output view's filter box can carry the Problems filter of the diagnostics check, hiding every line.
      const filter = page.locator('.part.panel .viewpane-filter input').first();
      if ((await filter.count()) > 0 && (await filter.isVisible()) && (await filter.inputValue())) await filter.fill('');
      await page.locator('.part.panel .monaco-editor .view-line').first().waitFor({ state: 'visible', timeout: 20_000 });
      await page.waitForTimeout(1000);
      await shot('engine-log');
      // The Output view stays open: with the panel hidden, a reload in the next check restored focus into
      // the webview and its F1 never reached the workbench (seen once).
      await page.locator('.part.panel .monaco-editor').first().click().catch(() => undefined);
    }],
    ['select-backend', async () => {
      await runCommand(page, 'Model Debugger: Select Backend');
      await pollFor('the backend quick pick', 20_000, async () => /backend/i.test((await page.locator('.quick-input-widget .quick-input-title').textContent({ timeout: 500 }).catch(() => '')) ?? ''));
      await page.locator('.quick-input-list .monaco-list-row').first().waitFor({ state: 'visible' });
      await page.waitForTimeout(500);
      await shot('select-backend');
      await page.keyboard.press('Escape');
      await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: 10_000 });
    }],
    ['clear-cache', async () => {
      await runCommand(page, 'Model Debugger: Clear Cache');
      const dialog = page.locator('.monaco-dialog-box');
      await dialog.waitFor({ state: 'visible', timeout: 20_000 });
      await page.waitForTimeout(500);
      await shot('clear-cache');
      const cancel = dialog.locator('.monaco-button', { hasText: /^Cancel$/ });
      if ((await cancel.count()) > 0) await cancel.first().click();
      else await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'hidden', timeout: 10_000 });
    }],
    ['export-report', async () => {
      await runCommand(page, 'Model Debugger: Export Report');
      const progress = toast('explaining for the report');
      const shown = await pollFor('the export progress or the save dialog', 45_000, async () => {
        if ((await progress.count()) > 0) return 'progress';
        const title = await page.locator('.quick-input-widget .quick-input-title').textContent({ timeout: 500 }).catch(() => '');
        if (/save the report/i.test(title ?? '')) return 'save';
        if (/which run/i.test(title ?? '')) return 'picker';
        return undefined;
      });
      if (shown === 'picker') {
        await page.locator('.quick-input-widget input').fill('classifier');
        await page.waitForTimeout(500);
        await page.keyboard.press('Enter');
        await progress.first().waitFor({ state: 'visible', timeout: 30_000 });
      }
      await page.waitForTimeout(1500);
      await shot('export-report');
      if ((await progress.count()) > 0) {
        const cancel = progress.first().locator('.monaco-button', { hasText: 'Cancel' });
        if ((await cancel.count()) > 0) await cancel.first().click();
      }
      // A pipeline that finished meanwhile shows the save dialog: cancel it without saving.
      await page.waitForTimeout(1000);
      if (await page.locator('.quick-input-widget').isVisible()) await page.keyboard.press('Escape');
    }],
    ['restart-engine', async () => {
      await runCommand(page, 'Model Debugger: Restart Engine');
      await toast('the engine restarted').first().waitFor({ state: 'visible', timeout: 50_000 });
      await page.waitForTimeout(500);
      await shot('restart-engine');
    }],
  ];
  await clearNotifications();
  for (const [name, step] of steps) {
    let timer;
    try {
      await Promise.race([step(), new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`more than ${STEP_MS / 1000} s`)), STEP_MS)))]);
    } catch (error) {
      log(`screenshot skipped: e2e-cmd-${name}: ${String(error?.message ?? error).split('\n')[0]}`);
      await page.screenshot({ path: join(RESULTS, `e2e-cmd-${name}-skipped.png`) }).catch(() => undefined);
      await page.keyboard.press('Escape').catch(() => undefined);
      await page.keyboard.press('Escape').catch(() => undefined);
    } finally {
      clearTimeout(timer);
    }
    await clearNotifications();
  }
  // The reload check that follows needs a running engine again: wait until the status bar names its backend.
  const backend = await pollFor('the status bar to show the backend again', 90_000, async () => {
    const texts = await page.locator('.statusbar-item', { hasText: 'TF.js' }).allTextContents().catch(() => []);
    return texts.map((t) => t.trim()).find((t) => /TF\.js: (?!starting|restarting|failed)\w+/.test(t));
  }).catch(() => undefined);
  log(backend ? `after the command screenshots the status bar shows ${backend}` : 'screenshot note: the status bar does not show the backend after Restart Engine');
}

/**
 * "Developer: Reload Window" shuts the workbench down properly (saving the editor layout) before
 * reloading; a bare browser reload may not get to save it.
 */
async function reloadWindow(page) {
  await page.keyboard.press('F1');
  const quickInput = page.locator('.quick-input-widget input');
  await quickInput.waitFor();
  await quickInput.fill('>Developer: Reload Window');
  await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Developer: Reload Window' }).first().waitFor();
  await quickInput.press('Enter');
  await page.waitForTimeout(2000);
  await page.waitForSelector('.explorer-folders-view .monaco-list-row', { timeout: 120_000 });
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
