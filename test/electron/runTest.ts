/**
 * Runs the in-editor suite in a downloaded VS Code desktop build through
 * @vscode/test-electron. That download is not possible on the project's
 * machines (see test/e2e/run-e2e.mjs for the code-server route used there);
 * this runner is for machines that can fetch VS Code.
 *
 * Usage: npm run test:electron  (builds first; needs demo-workspace/, made by npm run demo)
 */
import * as path from 'node:path';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as esbuild from 'esbuild';
import { runTests } from '@vscode/test-electron';

async function main(): Promise<void> {
  const root = path.resolve(__dirname, '../..');
  const workspace = path.join(root, 'demo-workspace');
  if (!existsSync(path.join(workspace, 'autoencoder', 'modeldebug.json'))) throw new Error(`${workspace} has no demo run; run npm run demo first.`);
  // The extension host loads JavaScript only: bundle the TypeScript suite first.
  const out = path.join(root, '.vscode-test', 'suite', 'index.js');
  await esbuild.build({ entryPoints: [path.join(__dirname, 'suite', 'index.ts')], bundle: true, platform: 'node', format: 'cjs', target: 'node20', external: ['vscode'], outfile: out, logLevel: 'warning' });
  const userDataDir = mkdtempSync(path.join(tmpdir(), 'modeldebug-electron-'));
  await runTests({
    extensionDevelopmentPath: root,
    extensionTestsPath: out,
    launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust', '--skip-welcome', '--skip-release-notes', `--user-data-dir=${userDataDir}`],
  });
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
