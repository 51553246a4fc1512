/** The words of the encoder comparison. Pure: no DOM. */
import type { PanelExampleComparison } from '../src/protocol/webviewProtocol';
import { EXAMPLE_METHOD_LABELS } from './exampleModel';
import { formatNumber } from './format';

/** Which checkpoints the scores come from: TracIn's answer differs by case, so users can tell what r compares. */
function scopeText(result: PanelExampleComparison): string {
  if (result.method !== 'tracin') return 'Scores at each encoder\u2019s own checkpoint.';
  return result.scoredCheckpoints === 'chosen'
    ? 'TracIn at each encoder\u2019s own checkpoint only: both are checkpoints of one run, whose sum over all its checkpoints would score them alike.'
    : 'TracIn summed over all checkpoints of each encoder\u2019s run.';
}

export function comparisonText(result: PanelExampleComparison): { caption: string; readout: string; scope: string } {
  const timing = result.cached ? 'cached' : `${formatNumber(result.seconds)} s`;
  const defined = result.perExample.filter((e) => e.pearson !== null).length;
  const caption = `${EXAMPLE_METHOD_LABELS[result.method]} · A: ${result.a} · B: ${result.b} · ${result.perExample.length} test examples from #${result.testIndex} · ${timing}`;
  const readout =
    result.mean === null
      ? 'Pearson r between the two encoders\u2019 scores is undefined for every test example (constant scores).'
      : `Pearson r between the two encoders\u2019 scores over all training examples: ${formatNumber(result.mean)} ± ${result.std === null ? '—' : formatNumber(result.std)} (mean ± std over ${defined} test example${defined === 1 ? '' : 's'}${defined < result.perExample.length ? `; ${result.perExample.length - defined} undefined` : ''}).`;
  return { caption, readout, scope: scopeText(result) };
}
