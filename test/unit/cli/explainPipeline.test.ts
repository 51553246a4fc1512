// The foundation path end to end, minus the editor: a small demo workspace is trained, the CLI forks the
// real engine over the real protocol, and the report's numbers are checked against independent oracles:
// IG completeness on the trained encoder, and TracIn scores recomputed here from batch-1 gradients.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { writeDemoWorkspace, trainDemoInProcess } from '../../../scripts/demo-workspace';
import { runExplain } from '../../../src/cli/runExplain';
import type { Report } from '../../../src/cli/reportJson';
import { parseManifest } from '../../../src/protocol/manifest';
import { loadCheckpoint } from '../../../src/engine/model/checkpoint';
import { loadDataset } from '../../../src/engine/data/dataset';
import { perExampleGradientsLoop } from '../../../src/engine/influence/perExampleGradientsLoop';

const root = mkdtempSync(join(tmpdir(), 'explain-pipeline-'));
process.on('exit', () => rmSync(root, { recursive: true, force: true }));

async function tracInByHand(manifestPath: string, testIndex: number, trainIndex: number): Promise<number> {
  const manifest = parseManifest(readFileSync(manifestPath, 'utf8'), manifestPath);
  const dir = dirname(manifestPath);
  const base = resolve(dir, '..');
  const rebase = (p: string): string => join('data', p.split('/').at(-1)!);
  const train = await loadDataset({ ...manifest.train, path: rebase(manifest.train.path), labels: { ...manifest.train.labels!, path: rebase(manifest.train.labels!.path) } }, base);
  const testSet = await loadDataset({ ...manifest.test, path: rebase(manifest.test.path), labels: { ...manifest.test.labels!, path: rebase(manifest.test.labels!.path) } }, base);
  const size = 28 * 28;
  let score = 0;
  for (const checkpoint of manifest.checkpoints) {
    const model = await loadCheckpoint(join(dir, checkpoint.path));
    const gradient = (values: Float32Array, index: number, split: 'train' | 'test'): Float32Array => {
      const x = tf.tensor(values.slice(index * size, (index + 1) * size), [1, 28, 28, 1]);
      const { gradients } = perExampleGradientsLoop(model, manifest.loss, x, { ids: [index], split, relevantLayers: manifest.relevantParameters });
      const out = gradients.dataSync() as Float32Array;
      tf.dispose([x, gradients]);
      return out;
    };
    const gt = gradient(testSet.values, testIndex, 'test');
    const gn = gradient(train.values, trainIndex, 'train');
    let dot = 0;
    for (let i = 0; i < gt.length; i++) dot += gt[i]! * gn[i]!;
    score += checkpoint.learningRate * dot;
    model.dispose();
  }
  return score;
}

test('modeldebug explain on a freshly trained demo run gives complete saliency and exact TracIn', { timeout: 600_000 }, async () => {
  const workspace = join(root, 'demo-workspace');
  const { manifests } = await writeDemoWorkspace(workspace, { epochs: 2 });
  await trainDemoInProcess(workspace, { epochs: 2, limit: 512, log: () => undefined });
  await tf.setBackend('cpu');

  const { jsonPath, htmlPath } = await runExplain({ command: 'explain', manifest: manifests.autoencoder, out: workspace, indices: [0, 3], steps: 64 }, () => undefined);
  const report = JSON.parse(readFileSync(jsonPath, 'utf8')) as Report;
  assert.ok(readFileSync(htmlPath, 'utf8').includes('Test example #3'));
  assert.ok(['tensorflow', 'wasm', 'cpu'].includes(report.backend));
  assert.equal(report.checkpoint, 'checkpoints/epoch-2');
  assert.ok(report.timings['engine.tracin']! > 0);
  assert.equal(report.examples.length, 2);

  for (const example of report.examples) {
    const { saliency } = example;
    assert.equal(saliency.method, 'integratedGradients');
    assert.equal(saliency.labelFree, true);
    assert.deepEqual(saliency.shape, [28, 28, 1]);
    assert.equal(saliency.values.length, 784);
    const { sum, expected } = saliency.completeness!;
    assert.ok(Math.abs(expected) > 1e-3, `g(x) - g(0) is not degenerate (${expected})`);
    assert.ok(Math.abs(sum - expected) <= 0.01 * Math.abs(expected), `completeness within 1%: sum ${sum} vs expected ${expected}`);
    assert.equal(example.proponents.length, 5);
    assert.equal(example.opponents.length, 5);
    for (let k = 1; k < 5; k++) {
      assert.ok(example.proponents[k - 1]!.score >= example.proponents[k]!.score);
      assert.ok(example.opponents[k - 1]!.score <= example.opponents[k]!.score);
    }
    assert.ok(example.proponents[4]!.score >= example.opponents[4]!.score, 'proponents outrank opponents');
    assert.ok([...example.proponents, ...example.opponents].every((p) => typeof p.label === 'number'));
  }

  const example = report.examples[1]!;
  for (const entry of [example.proponents[0]!, example.opponents[0]!]) {
    const byHand = await tracInByHand(manifests.autoencoder, example.index, entry.index);
    assert.ok(Math.abs(byHand - entry.score) <= 1e-3 * Math.abs(byHand), `TracIn(test ${example.index}, train ${entry.index}): engine ${entry.score} vs by hand ${byHand}`);
  }
});
