#!/usr/bin/env node
// Copies the end-to-end test's screenshots (test-results/, written by `npm run test:e2e`) into
// media/screenshots/ for the README, scaled down to at most 1120 pixels wide so each stays small.
// media/screenshots/ is kept out of the VSIX by .vscodeignore.
// Usage: npm run test:e2e && node scripts/update-screenshots.mjs
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PNG } from 'pngjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const FROM = join(ROOT, 'test-results');
const TO = join(ROOT, 'media', 'screenshots');
const MAX_WIDTH = 1120;
const NAMES = ['e2e-explain', 'e2e-codelens', 'e2e-editor-context', 'e2e-restricted', 'e2e-diagnostics', 'e2e-quickfix', 'e2e-show-suspicious', 'e2e-review', 'e2e-binary-summary', 'e2e-neon', 'e2e-semantic', 'e2e-invariance', 'e2e-theme-dark', 'e2e-theme-high-contrast'];
// One per palette command that the checks above do not show (test/e2e/paletteCommands.mjs).
const COMMAND_NAMES = ['compare', 'consistency', 'units', 'find-suspicious', 'engine-log', 'select-backend', 'clear-cache', 'export-report', 'restart-engine'].map((name) => `e2e-cmd-${name}`);
/** The command screenshots are scaled further down until each is under this size. */
const MAX_BYTES = 300 * 1024;

/** Area-averaging downscale by a factor ≥ 1 (each output pixel is the mean of the input pixels it covers). */
function downscale(png, width) {
  const factor = png.width / width;
  const height = Math.round(png.height / factor);
  const out = new PNG({ width, height });
  for (let y = 0; y < height; y++) {
    const y0 = Math.floor(y * factor);
    const y1 = Math.min(png.height, Math.max(y0 + 1, Math.floor((y + 1) * factor)));
    for (let x = 0; x < width; x++) {
      const x0 = Math.floor(x * factor);
      const x1 = Math.min(png.width, Math.max(x0 + 1, Math.floor((x + 1) * factor)));
      const sum = [0, 0, 0, 0];
      for (let yy = y0; yy < y1; yy++) {
        for (let xx = x0; xx < x1; xx++) {
          const i = (yy * png.width + xx) * 4;
          for (let c = 0; c < 4; c++) sum[c] += png.data[i + c];
        }
      }
      const n = (y1 - y0) * (x1 - x0);
      const o = (y * width + x) * 4;
      for (let c = 0; c < 4; c++) out.data[o + c] = Math.round(sum[c] / n);
    }
  }
  return out;
}

mkdirSync(TO, { recursive: true });
let missing = 0;
for (const name of [...NAMES, ...COMMAND_NAMES]) {
  const source = join(FROM, `${name}.png`);
  if (!existsSync(source)) {
    console.error(`missing ${source} (run npm run test:e2e first)`);
    missing++;
    continue;
  }
  const png = PNG.sync.read(readFileSync(source));
  const target = join(TO, `${name.replace(/^e2e-/, '')}.png`);
  let width = Math.min(png.width, MAX_WIDTH);
  let encoded;
  for (;;) {
    const scaled = png.width > width ? downscale(png, width) : png;
    encoded = { png: scaled, bytes: PNG.sync.write(scaled, { deflateLevel: 9, colorType: 2 }) };
    if (!COMMAND_NAMES.includes(name) || encoded.bytes.length <= MAX_BYTES || width <= 640) break;
    width = Math.round(width * 0.9);
  }
  writeFileSync(target, encoded.bytes);
  console.log(`${target}: ${encoded.png.width}x${encoded.png.height}, ${(statSync(target).size / 1024).toFixed(0)} KB`);
}
process.exit(missing > 0 ? 1 : 0);
