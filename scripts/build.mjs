// One build script, three bundles:
//   extension: the VS Code extension host (node, cjs, `vscode` external)
//   engine:    the forked compute process and the CLI that drives it (node, cjs)
//   webview:   the panel UI (browser, iife)
// TensorFlow.js stays external in the engine: tfjs-node (when present) must register its
// backend on the same tfjs-core instance the engine uses, which only holds if both are
// resolved from node_modules rather than one of them being bundled.
import * as esbuild from 'esbuild';

const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');

const common = {
  bundle: true,
  sourcemap: !production,
  minify: production,
  logLevel: 'warning',
};

const builds = [
  {
    ...common,
    entryPoints: { extension: 'src/host/extension.ts' },
    outdir: 'dist',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['vscode'],
  },
  {
    ...common,
    entryPoints: { engine: 'src/engine/main.ts', cli: 'src/cli/modeldebug.ts' },
    outdir: 'dist',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['@tensorflow/*', 'pngjs'],
  },
  {
    ...common,
    entryPoints: { webview: 'webview/main.ts' },
    outdir: 'dist',
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    tsconfig: 'webview/tsconfig.json',
  },
];

if (watch) {
  for (const options of builds) {
    const context = await esbuild.context(options);
    await context.watch();
  }
  console.log('watching for changes');
} else {
  const started = Date.now();
  await Promise.all(builds.map((options) => esbuild.build(options)));
  console.log(`built extension, engine and webview bundles in ${Date.now() - started} ms`);
}
