import { test } from 'node:test';
import assert from 'node:assert/strict';
import { latentTable, meanAbsPearson, type LatentRowResult } from '../../../scripts/vaeLatentTable';
import { parseDemoArgs } from '../../../scripts/demo';

test('meanAbsPearson averages |r| over unit pairs and examples, skipping constant maps', () => {
  const rising = [1, 2, 3, 4];
  const falling = [4, 3, 2, 1];
  const flat = [1, 1, 1, 1];
  // Example 1: r(rising, falling) = -1, the pairs with the flat map are undefined. Example 2: r = 0.
  const maps = [
    [rising, falling, flat],
    [
      [1, 0, -1, 0],
      [0, 1, 0, -1],
    ],
  ];
  assert.equal(meanAbsPearson(maps), 0.5);
  assert.equal(meanAbsPearson([[rising, [2, 4, 6, 8]]]), 1);
  assert.ok(Number.isNaN(meanAbsPearson([[flat, flat]])));
  assert.ok(Number.isNaN(meanAbsPearson([])));
  assert.throws(() => meanAbsPearson([[rising, [1, 2]]]), /pearson: maps of 4 and 2 values/);
});

test('latentTable prints one row per run with S_max, and n/a for undefined statistics', () => {
  const row = (model: string, beta: number, entropy: number): LatentRowResult => ({ model, beta, manifest: 'm.json', entropy, maxEntropy: Math.log(3), meanAbsPearson: 0.25, meanPearson: -0.125, seconds: 1 });
  const lines = latentTable([row('β-VAE', 1, 0.9), row('β-TCVAE', 10, NaN)]).split('\n');
  assert.match(lines[0]!, /S_max = ln d_H = 1\.099/);
  assert.match(lines[1]!, /model\s+β\s+entropy\s+mean \|r\|\s+mean r/);
  assert.match(lines[2]!, /^β-VAE\s+1\s+0\.900\s+0\.250\s+-0\.125$/);
  assert.match(lines[3]!, /^β-TCVAE\s+10\s+n\/a\s+0\.250\s+-0\.125$/);
});

test('the demo takes --vae, --vae=supervised|beta|all and nothing else', () => {
  assert.deepEqual(parseDemoArgs([]), {});
  assert.deepEqual(parseDemoArgs(['--vae']), { vae: 'all' });
  for (const value of ['supervised', 'beta', 'all'] as const) assert.deepEqual(parseDemoArgs([`--vae=${value}`]), { vae: value });
  assert.throws(() => parseDemoArgs(['--vae=gan']), /--vae takes supervised, beta or all, got "gan"/);
  assert.throws(() => parseDemoArgs(['--fast']), /unknown argument "--fast"; usage: npm run demo/);
});
