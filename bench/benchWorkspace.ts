/**
 * The bench's own workspaces under .bench/ (ignored by git through its own
 * .gitignore): copies of the demo runs, so that every run builds the gradient
 * index from scratch without touching demo-workspace/'s cache, and the demo
 * classifier over the full 60,000-image Fashion-MNIST training set from the
 * Debian package dataset-fashion-mnist.
 */
import { spawn } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { RunManifest } from '../src/protocol/manifest';

export const REPO_ROOT = path.resolve(__dirname, '..');
export const BENCH_DIR = path.join(REPO_ROOT, '.bench');
export const DEMO_WORKSPACE = path.join(REPO_ROOT, 'demo-workspace');
export const FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';
export const FASHION_MNIST_PACKAGE = 'dataset-fashion-mnist';
const FASHION_MNIST_FILES = ['train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte.gz', 't10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz'];
const RUNS = ['autoencoder', 'classifier'] as const;

type Log = (line: string) => void;

function run(command: string, args: string[], log: Log): Promise<void> {
  log(`$ ${[command, ...args].join(' ')}`);
  return new Promise((resolve, reject) => {
    // The child's output goes to stderr: stdout carries only the bench's numbers.
    const child = spawn(command, args, { cwd: REPO_ROOT, stdio: ['ignore', 2, 2] });
    child.on('error', reject);
    child.on('exit', (code, signal) => (code === 0 ? resolve() : reject(new Error(`${command} ${args.join(' ')} failed (${signal ?? `exit ${code}`})`))));
  });
}

function markIgnored(): void {
  mkdirSync(BENCH_DIR, { recursive: true });
  const ignore = path.join(BENCH_DIR, '.gitignore');
  if (!existsSync(ignore)) writeFileSync(ignore, '# Made by npm run bench: workspaces, copied data and caches.\n*\n');
}

function demoManifest(run: (typeof RUNS)[number]): string {
  return path.join(DEMO_WORKSPACE, run, 'modeldebug.json');
}

/** Runs `npm run demo` when demo-workspace/ has no trained runs. */
export async function ensureDemoWorkspace(log: Log): Promise<void> {
  if (RUNS.every((r) => existsSync(demoManifest(r)))) return;
  log('demo-workspace/ has no trained runs: running npm run demo (about 3 minutes)');
  await run(process.platform === 'win32' ? 'npm.cmd' : 'npm', ['run', 'demo'], log);
  for (const r of RUNS) if (!existsSync(demoManifest(r))) throw new Error(`npm run demo did not write ${demoManifest(r)}`);
}

export interface DemoCopy {
  manifests: Record<(typeof RUNS)[number], string>;
  /** Training indices whose labels the demo flipped. */
  flipped: Set<number>;
}

/** Parses demo-workspace/data/flipped-labels.json (scripts/demo-workspace.ts writes it). */
export function parseFlippedLabels(text: string, file: string): Set<number> {
  const parsed = JSON.parse(text) as { count?: unknown; flipped?: unknown };
  if (!Array.isArray(parsed.flipped)) throw new Error(`${file}: has no "flipped" list`);
  const indices = parsed.flipped.map((f: unknown, i) => {
    const index = (f as { index?: unknown } | null)?.index;
    if (typeof index !== 'number' || !Number.isSafeInteger(index) || index < 0) throw new Error(`${file}: flipped[${i}] has no valid "index"`);
    return index;
  });
  const set = new Set(indices);
  if (typeof parsed.count === 'number' && parsed.count !== set.size) throw new Error(`${file}: "count" is ${parsed.count} but ${set.size} distinct indices are listed`);
  return set;
}

/** A fresh copy of demo-workspace's data and both runs under .bench/demo/ (no index cache). */
export function copyDemoRuns(): DemoCopy {
  markIgnored();
  const target = path.join(BENCH_DIR, 'demo');
  rmSync(target, { recursive: true, force: true });
  cpSync(path.join(DEMO_WORKSPACE, 'data'), path.join(target, 'data'), { recursive: true });
  for (const r of RUNS) {
    mkdirSync(path.join(target, r), { recursive: true });
    copyFileSync(demoManifest(r), path.join(target, r, 'modeldebug.json'));
    cpSync(path.join(DEMO_WORKSPACE, r, 'checkpoints'), path.join(target, r, 'checkpoints'), { recursive: true });
  }
  const flippedFile = path.join(target, 'data', 'flipped-labels.json');
  const flipped = parseFlippedLabels(readFileSync(flippedFile, 'utf8'), flippedFile);
  return { manifests: { autoencoder: path.join(target, 'autoencoder', 'modeldebug.json'), classifier: path.join(target, 'classifier', 'modeldebug.json') }, flipped };
}

function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

/** Installs dataset-fashion-mnist with apt-get when it is missing and this is root; otherwise says how. */
export async function ensureFashionMnist(log: Log): Promise<void> {
  const missing = (): string[] => FASHION_MNIST_FILES.filter((f) => !existsSync(path.join(FASHION_MNIST_DIR, f)));
  if (missing().length === 0) return;
  const how = `apt-get update && apt-get install -y ${FASHION_MNIST_PACKAGE}`;
  if (!isRoot()) throw new Error(`Fashion-MNIST is not installed (${path.join(FASHION_MNIST_DIR, missing()[0]!)} is missing). Install it with: sudo sh -c '${how}'`);
  log(`Fashion-MNIST is not installed: running ${how}`);
  await run('sh', ['-c', how], log);
  if (missing().length > 0) throw new Error(`${FASHION_MNIST_PACKAGE} installed, but ${missing().map((f) => path.join(FASHION_MNIST_DIR, f)).join(', ')} are missing`);
}

/**
 * .bench/fullset/: the 60k training and 10k test IDX files copied in (the engine's
 * loaders refuse paths outside the workspace and symlinks), and classifier/ with
 * the demo classifier's checkpoints and a manifest over the full set. The index
 * cache is removed so the build is measured; the data copy is kept between runs.
 */
export function makeFullsetWorkspace(): string {
  markIgnored();
  const root = path.join(BENCH_DIR, 'fullset');
  const data = path.join(root, 'data');
  mkdirSync(data, { recursive: true });
  for (const file of FASHION_MNIST_FILES) {
    const source = path.join(FASHION_MNIST_DIR, file);
    const target = path.join(data, file);
    if (!existsSync(target) || statSync(target).size !== statSync(source).size) copyFileSync(source, target);
  }
  rmSync(path.join(root, '.modeldebug'), { recursive: true, force: true });
  const run = path.join(root, 'classifier');
  rmSync(run, { recursive: true, force: true });
  mkdirSync(run, { recursive: true });
  cpSync(path.join(DEMO_WORKSPACE, 'classifier', 'checkpoints'), path.join(run, 'checkpoints'), { recursive: true });
  const demo = JSON.parse(readFileSync(demoManifest('classifier'), 'utf8')) as RunManifest;
  const manifest = fullsetManifest(demo);
  const manifestPath = path.join(run, 'modeldebug.json');
  writeFileSync(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
  return manifestPath;
}

/** The demo classifier's manifest with the full Fashion-MNIST IDX files as its data. */
export function fullsetManifest(demo: RunManifest): RunManifest {
  const { script: _script, ...rest } = demo;
  const split = (prefix: 'train' | 't10k') => ({
    path: `../data/${prefix}-images-idx3-ubyte.gz`,
    format: 'idx' as const,
    scale: 1 / 255,
    labels: { path: `../data/${prefix}-labels-idx1-ubyte.gz`, format: 'idx' as const },
  });
  return { ...rest, name: 'Demo classifier over the full Fashion-MNIST training set (bench)', train: split('train'), test: split('t10k') };
}
