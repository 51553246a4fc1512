/**
 * `npm run demo`: builds demo-workspace/ from the committed Fashion-MNIST
 * subset, trains the demo models with the workspace's own train.ts, then runs
 * the `modeldebug explain` CLI over the autoencoder run, and prints where the
 * report is and how long each phase took.
 *
 * `npm run demo -- --vae[=supervised|beta|all]` then also trains the VAEs of
 * demo-workspace/trainVae.ts (all of them for a bare --vae) and, for the
 * beta-VAEs and beta-TCVAEs, prints the latent units' saliency entropy and
 * Pearson correlation against beta.
 */
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { writeDemoWorkspace } from './demo-workspace';
import type { LatentRow, LatentRowResult } from './vaeLatentTable';
import type { VaeSelection } from '../demo/template/trainVae';

const root = path.resolve(__dirname, '..');
const workspace = path.join(root, 'demo-workspace');

function run(command: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: root, stdio: 'inherit' });
    child.on('error', reject);
    child.on('exit', (code, signal) => (code === 0 ? resolve() : reject(new Error(`${path.basename(command)} ${args.join(' ')} failed (${signal ?? `exit ${code}`})`))));
  });
}

const USAGE = 'usage: npm run demo [-- --vae[=supervised|beta|all]]';

/** The VAE selection asked for on the command line, or undefined for the default demo. */
export function parseDemoArgs(argv: readonly string[]): { vae?: VaeSelection } {
  const options: { vae?: VaeSelection } = {};
  for (const arg of argv) {
    const match = /^--vae(?:=(.*))?$/.exec(arg);
    if (!match) throw new Error(`unknown argument "${arg}"; ${USAGE}`);
    const value = match[1] ?? 'all';
    if (value !== 'supervised' && value !== 'beta' && value !== 'all') throw new Error(`--vae takes supervised, beta or all, got "${value}"; ${USAGE}`);
    options.vae = value;
  }
  return options;
}

/**
 * The beta-VAE and beta-TCVAE runs of a selection, with their manifests in the workspace. Loaded only
 * with --vae, so the default demo does not load TensorFlow.js into this process.
 */
async function latentRows(selection: VaeSelection): Promise<LatentRow[]> {
  const { vaeRuns } = await import('../demo/template/trainVae.js');
  return vaeRuns(selection)
    .filter((run) => run.objective !== 'supervised')
    .map((run) => ({ model: run.objective === 'betaVae' ? 'β-VAE' : 'β-TCVAE', beta: run.beta, manifest: path.join(workspace, run.folder, 'modeldebug.json') }));
}

async function main(): Promise<void> {
  const options = parseDemoArgs(process.argv.slice(2));
  const timings: Array<[string, number]> = [];
  const phase = async (name: string, work: () => Promise<unknown>): Promise<void> => {
    const t0 = performance.now();
    console.log(`\n== ${name}`);
    await work();
    timings.push([name, (performance.now() - t0) / 1000]);
  };
  const epochs = process.env.MODELDEBUG_DEMO_EPOCHS ? Number(process.env.MODELDEBUG_DEMO_EPOCHS) : undefined;
  let manifest = '';
  await phase('write demo-workspace', async () => {
    const written = await writeDemoWorkspace(workspace, epochs === undefined ? {} : { epochs });
    manifest = written.manifests.autoencoder;
  });
  await phase('train (demo-workspace/train.ts)', () => run(process.execPath, ['--import', 'tsx', path.join(workspace, 'train.ts')]));
  await phase('explain (modeldebug explain)', () => run(process.execPath, [path.join(root, 'dist', 'cli.js'), 'explain', manifest, '--out', workspace]));
  let latent: LatentRowResult[] = [];
  if (options.vae) {
    const selection = options.vae;
    await phase(`train VAEs (trainVae.ts --models ${selection})`, () => run(process.execPath, ['--import', 'tsx', path.join(workspace, 'trainVae.ts'), '--models', selection]));
    const rows = await latentRows(selection);
    if (rows.length > 0) {
      await phase('latent units (engine, per VAE)', async () => {
        const { latentUnitRows } = await import('./vaeLatentTable.js');
        latent = await latentUnitRows(rows, { enginePath: path.join(root, 'dist', 'engine.js'), execArgv: [] }, (line) => console.log(line));
      });
    }
  }

  console.log('\nDemo finished.');
  console.log(`  report: ${path.join(workspace, 'report.html')}`);
  console.log(`  data:   ${path.join(workspace, 'report.json')}`);
  console.log('  phases:');
  const width = Math.max(34, ...timings.map(([name]) => name.length));
  for (const [name, seconds] of timings) console.log(`    ${name.padEnd(width)} ${seconds.toFixed(1)} s`);
  if (latent.length > 0) console.log(`\n${(await import('./vaeLatentTable.js')).latentTable(latent)}`);
  if (options.vae) console.log(`\nVAE manifests: ${path.join(workspace, '{vae-supervised,beta-vae-*,beta-tcvae-*}', 'modeldebug.json')}; try \`npx modeldebug checks\` on one.`);
  console.log(`\nOpen ${workspace} in VS Code, right-click a checkpoint's model.json and choose "Explain this checkpoint".`);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(`demo failed: ${(error as Error).message}`);
    process.exitCode = 1;
  });
}
