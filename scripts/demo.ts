/**
 * `npm run demo`: builds demo-workspace/ from the committed Fashion-MNIST
 * subset, trains the demo models with the workspace's own train.ts, then runs
 * the `modeldebug explain` CLI over the autoencoder run, and prints where the
 * report is and how long each phase took.
 */
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { writeDemoWorkspace } from './demo-workspace';

const root = path.resolve(__dirname, '..');
const workspace = path.join(root, 'demo-workspace');

function run(command: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: root, stdio: 'inherit' });
    child.on('error', reject);
    child.on('exit', (code, signal) => (code === 0 ? resolve() : reject(new Error(`${path.basename(command)} ${args.join(' ')} failed (${signal ?? `exit ${code}`})`))));
  });
}

async function main(): Promise<void> {
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

  console.log('\nDemo finished.');
  console.log(`  report: ${path.join(workspace, 'report.html')}`);
  console.log(`  data:   ${path.join(workspace, 'report.json')}`);
  console.log('  phases:');
  for (const [name, seconds] of timings) console.log(`    ${name.padEnd(34)} ${seconds.toFixed(1)} s`);
  console.log(`\nOpen ${workspace} in VS Code, right-click a checkpoint's model.json and choose "Explain this checkpoint".`);
}

main().catch((error: unknown) => {
  console.error(`demo failed: ${(error as Error).message}`);
  process.exitCode = 1;
});
