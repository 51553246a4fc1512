import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderReportHtml } from '../../../src/cli/reportHtml';
import type { Report } from '../../../src/cli/reportJson';

const report: Report = {
  manifest: '/w/run/modeldebug.json',
  backend: 'cpu',
  checkpoint: 'checkpoints/epoch-3',
  timings: { total: 1.5 },
  examples: [
    {
      index: 0,
      labelName: '</script><script>alert(1)</script>',
      saliency: { method: 'integratedGradients', labelFree: true, shape: [2, 2, 1], values: [0.1, -0.2, 0.3, 0], completeness: { sum: 0.2, expected: 0.2 } },
      proponents: [{ index: 4, score: 0.5, labelName: 'Shirt' }],
      opponents: [{ index: 9, score: -0.25, labelName: 'Bag' }],
    },
  ],
};

test('the report embeds its data safely and draws every example', () => {
  const html = renderReportHtml(report, { height: 2, width: 2, pixels: { 'test:0': [0, 1, 0.5, 0.25], 'train:4': [0, 0, 0, 0], 'train:9': [1, 1, 1, 1] } });
  assert.equal(html.match(/<script/g)?.length, 2, 'no script injected through a label');
  assert.ok(html.includes('data-key="train:4"'));
  assert.ok(html.includes('data-key="train:9"'));
  assert.ok(html.includes('data-heat="0"'));
  const payload = html.match(/<script type="application\/json" id="report-data">([\s\S]*?)<\/script>/)![1]!;
  assert.deepEqual(JSON.parse(payload).report.examples[0].saliency.values, [0.1, -0.2, 0.3, 0]);
});
