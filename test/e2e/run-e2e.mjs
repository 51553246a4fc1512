#!/usr/bin/env node
// End-to-end test in a real VS Code workbench: code-server (VS Code served over HTTP,
// installed from the npm registry by scripts/install-code-server.sh) driven by Debian's
// Chromium through playwright-core. It packages the VSIX, installs it into a fresh
// code-server profile, opens demo-workspace/, right-clicks a checkpoint's model.json,
// runs "Explain this checkpoint" and checks what the panel shows.
//
// Usage: node test/e2e/run-e2e.mjs [--vsix path/to/prebuilt.vsix] [--keep]
// Environment: E2E_TIMEOUT_MS (whole run, default 20 min), E2E_EXPLAIN_TIMEOUT_MS,
// E2E_COLOR_THEME (e.g. "Default Dark Modern", "Default High Contrast"; the screenshot name
// then carries the theme).
// Writes test-results/e2e-explain.png (and e2e-failure.png plus logs when it fails).
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, cpSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
const cleanup = { server: undefined, browser: undefined, tmp: undefined, logFd: undefined };
const cspViolations = [];

async function stopAll() {
  const { browser, server } = cleanup;
  cleanup.browser = undefined;
  cleanup.server = undefined;
  if (browser) await browser.close().catch(() => undefined);
  if (server?.pid) {
    // code-server forks an extension host, the engine and a file watcher: stop its whole process group.
    killGroup(server.pid, 'SIGTERM');
    const exited = await waitForExit(server, 5000);
    if (!exited) killGroup(server.pid, 'SIGKILL');
  }
  if (cleanup.logFd !== undefined) closeSync(cleanup.logFd);
  cleanup.logFd = undefined;
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

  if (!existsSync(join(WORKSPACE, 'autoencoder', 'modeldebug.json'))) {
    log('demo-workspace/ is missing: building it with npm run demo');
    run('npm', ['run', 'demo'], { stdio: ['ignore', 'inherit', 'inherit'] });
  }
  const manifestPath = join(WORKSPACE, 'autoencoder', 'modeldebug.json');
  const { manifest, folder: checkpointFolder } = lastCheckpoint(manifestPath);

  const tmp = mkdtempSync(join(tmpdir(), 'modeldebug-e2e-'));
  cleanup.tmp = tmp;
  let vsix = prebuiltVsix;
  if (!vsix) {
    run('npm', ['run', 'build'], { stdio: ['ignore', 'inherit', 'inherit'] });
    vsix = join(tmp, 'model-debugger.vsix');
    run(join(ROOT, 'node_modules/.bin/vsce'), ['package', '--allow-missing-repository', '--out', vsix], { stdio: ['ignore', 'inherit', 'inherit'] });
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
  } catch (error) {
    await page.screenshot({ path: join(RESULTS, 'e2e-failure.png') }).catch(() => undefined);
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
    await page.keyboard.press('F1');
    const quickInput = page.locator('.quick-input-widget input');
    await quickInput.waitFor();
    await quickInput.fill('>Developer: Reload Window');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Developer: Reload Window' }).first().waitFor();
    await quickInput.press('Enter');
    await page.waitForTimeout(2000);
    await page.waitForSelector('.explorer-folders-view .monaco-list-row', { timeout: 120_000 });
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
