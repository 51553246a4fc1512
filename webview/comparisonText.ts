/** The words of the encoder comparison. Pure: no DOM. */
import type { PanelExampleComparison } from '../src/protocol/webviewProtocol';
import { EXAMPLE_METHOD_LABELS } from './exampleModel';
import { formatNumber } from './format';

export function comparisonText(result: PanelExampleComparison): { caption: string; readout: string } {
  const timing = result.cached ? 'cached' : `${formatNumber(result.seconds)} s`;
  const defined = result.perExample.filter((e) => e.pearson !== null).length;
  const caption = `${EXAMPLE_METHOD_LABELS[result.method]} · A: ${result.a} · B: ${result.b} · ${result.perExample.length} test examples from #${result.testIndex} · ${timing}`;
  const readout =
    result.mean === null
      ? 'Pearson r between the two encoders\u2019 scores is undefined for every test example (constant scores).'
      : `Pearson r between the two encoders\u2019 scores over all training examples: ${formatNumber(result.mean)} ± ${result.std === null ? '—' : formatNumber(result.std)} (mean ± std over ${defined} test example${defined === 1 ? '' : 's'}${defined < result.perExample.length ? `; ${result.perExample.length - defined} undefined` : ''}).`;
  return { caption, readout };
}
