/** The words of the suspicious-examples table. Pure: no DOM. */
import type { SuspicionSignal, SuspiciousTrainingExample } from '../src/protocol/engineProtocol';
import type { PanelSuspicious } from '../src/protocol/webviewProtocol';
import { formatNumber } from './format';

export const SIGNAL_LABELS: Record<SuspicionSignal, string> = {
  selfInfluence: 'self-influence',
  neighbourDisagreement: 'neighbour disagreement',
  lowLabelProbability: 'low label probability',
};

function className(index: number | undefined, name: string | undefined, classNames: readonly string[] | undefined): string {
  if (name) return name;
  if (index === undefined) return '—';
  return classNames?.[index] ?? String(index);
}

export interface SuspicionRowText {
  row: string;
  label: string;
  reasons: string[];
  suggestion: string;
  /** The whole row in one sentence, for screen readers. */
  spoken: string;
}

export function suspicionRow(example: SuspiciousTrainingExample, classNames: readonly string[] | undefined, trainFile: string): SuspicionRowText {
  const row = example.line !== undefined ? `${example.row} (line ${example.line})` : String(example.row);
  const label = className(example.label, example.labelName, classNames);
  const reasons = example.reasons.map((r) => `${r.text} (${SIGNAL_LABELS[r.signal] ?? r.signal}: ${formatNumber(r.value)}, ${Math.round(r.percentile)}th percentile)`);
  const source = example.suggestionSource === 'model' ? ' (model)' : example.suggestionSource === 'neighbours' ? ' (neighbours)' : '';
  const suggestion = example.suggestedLabel === undefined && !example.suggestedLabelName ? '—' : `${className(example.suggestedLabel, example.suggestedLabelName, classNames)}${source}`;
  const spoken = `Training example #${example.index}, row ${row} of ${trainFile}, labelled ${label}, suspicion score ${formatNumber(example.score)}. ${reasons.join('. ')}.${suggestion === '—' ? '' : ` Suggested label ${suggestion}.`}`;
  return { row, label, reasons, suggestion, spoken };
}

export function suspicionCaption(result: PanelSuspicious): string {
  const timing = result.cached ? 'cached' : `${formatNumber(result.seconds)} s`;
  const signals = result.signals.map((s) => SIGNAL_LABELS[s] ?? s).join(', ');
  return `${result.examples.length} most suspicious of ${result.trainCount} training examples at ${result.checkpoint} · signals: ${signals} · score is the mean percentile (0–100) · rows of ${result.trainFile} · ${timing}`;
}
