import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import type { CallOptions, RequestDescriptor } from '../../../src/protocol/rpc';
import { buildReport, reportPaths } from '../../../src/host/commands/reportExport';

function fakeRpc(calls: string[]): { call<P, R>(d: RequestDescriptor<P, R>, params: P, options?: CallOptions): Promise<R> } {
  return {
    async call<P, R>(d: RequestDescriptor<P, R>, params: P, options: CallOptions = {}): Promise<R> {
      calls.push(d.method);
      const p = params as Record<string, unknown>;
      if (d.method === 'run/open') return { test: { count: 3 }, train: { count: 10 } } as R;
      if (d.method === 'explain/examples') {
        options.onProgress?.({ message: 'TracIn', fraction: 0.5 });
        const testIndices = p.testIndices as number[];
        return {
          backend: 'cpu',
          checkpoint: 'checkpoints/epoch-2',
          timings: { tracin: 1.5 },
          examples: testIndices.map((index) => ({
            index,
            saliency: { method: 'integratedGradients', labelFree: true, shape: [2, 2, 1], values: new Float32Array([0.1, 0.2, 0.3, 0.4]) },
            proponents: [{ index: 1, score: 2 }],
            opponents: [{ index: 9, score: -1 }],
          })),
        } as R;
      }
      if (d.method === 'run/examples') {
        const indices = p.indices as number[];
        return { shape: [2, 2, 1], examples: indices.map((index) => ({ index, values: new Float32Array(4).fill(0.5) })) } as R;
      }
      throw new Error(`unexpected ${d.method}`);
    },
  };
}

test('the exported report is what the CLI writes: plain JSON from the same writer, and the HTML page with the images', async () => {
  const calls: string[] = [];
  const progress: Array<number | undefined> = [];
  const built = await buildReport({ rpc: fakeRpc(calls) }, '/ws/autoencoder/modeldebug.json', { onProgress: (p) => progress.push(p.fraction) });
  assert.deepEqual(calls, ['run/open', 'explain/examples', 'run/examples', 'run/examples']);
  assert.equal(built.report.examples.length, 3, 'capped at the test set (the CLI default is 8)');
  const json = JSON.parse(built.json) as { backend: string; checkpoint: string; examples: Array<{ saliency: { values: number[] } }>; timings: Record<string, number> };
  assert.equal(json.backend, 'cpu');
  assert.ok(Array.isArray(json.examples[0]!.saliency.values), 'typed arrays become lists');
  assert.equal(json.timings['engine.tracin'], 1.5);
  assert.match(built.html, /<html/i);
  assert.ok(progress.includes(1) && progress.some((f) => f !== undefined && f > 0 && f < 1), 'progress goes from 0 to 1');
});

test('the save dialog names one file; both are written side by side', () => {
  assert.deepEqual(reportPaths(path.join('/out', 'report.html')), { html: path.join('/out', 'report.html'), json: path.join('/out', 'report.json') });
  assert.deepEqual(reportPaths(path.join('/out', 'r.JSON')), { html: path.join('/out', 'r.html'), json: path.join('/out', 'r.json') });
  assert.deepEqual(reportPaths(path.join('/out', 'r')), { html: path.join('/out', 'r.html'), json: path.join('/out', 'r.json') });
});
