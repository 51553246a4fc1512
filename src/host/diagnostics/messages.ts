/** The words shown for flagged examples: diagnostic messages, codes, the binary-dataset summary and quick-pick rows. */
import type { SuspiciousTrainingExample } from '../../protocol/engineProtocol';

export const DIAGNOSTIC_SOURCE = 'Model Debugger';

/** The reasons in numbers, e.g. "self-influence 12.3 (top 0.5%); 9 of 10 nearest neighbours … are labelled 'Shirt'". */
export function diagnosticMessage(example: SuspiciousTrainingExample): string {
  return example.reasons.map((reason) => reason.text).join('; ');
}

/** The signals that flagged the example, e.g. "selfInfluence,neighbourDisagreement". */
export function diagnosticCode(example: SuspiciousTrainingExample): string {
  return [...new Set(example.reasons.map((reason) => reason.signal))].join(',');
}

export function labelText(label: number, name: string | undefined): string {
  return name === undefined ? String(label) : `'${name}'`;
}

export function suggestedLabelText(example: SuspiciousTrainingExample): string | undefined {
  return example.suggestedLabel === undefined ? undefined : labelText(example.suggestedLabel, example.suggestedLabelName);
}

export function formatScore(score: number): string {
  return score.toFixed(1);
}

/** "Change label to 'Shirt'" */
export function changeLabelTitle(example: SuspiciousTrainingExample): string | undefined {
  const suggested = suggestedLabelText(example);
  return suggested === undefined ? undefined : `Change label to ${suggested}`;
}

export function pluralExamples(count: number): string {
  return `${count} suspicious example${count === 1 ? '' : 's'}`;
}

/** The one diagnostic on the training script for a dataset without lines. */
export function summaryMessage(examples: readonly SuspiciousTrainingExample[], datasetName: string, minScore: number): string {
  const shown = examples.slice(0, 3).map((e) => {
    const suggested = suggestedLabelText(e);
    return `#${e.index} labelled ${labelText(e.label, e.labelName)}${suggested ? `, likely ${suggested}` : ''} (score ${formatScore(e.score)})`;
  });
  const more = examples.length > shown.length ? `; and ${examples.length - shown.length} more` : '';
  return (
    `${examples.length} training example${examples.length === 1 ? '' : 's'} in ${datasetName} ` +
    `${examples.length === 1 ? 'has a label that looks' : 'have labels that look'} wrong (score ≥ ${formatScore(minScore)}): ${shown.join('; ')}${more}`
  );
}

export function codeLensTitle(count: number): string {
  return `Review ${pluralExamples(count)}`;
}

export interface PickRow {
  label: string;
  description: string;
  detail: string;
}

export function pickRow(example: SuspiciousTrainingExample): PickRow {
  const suggested = suggestedLabelText(example);
  return {
    label: `#${example.index}: ${labelText(example.label, example.labelName)}${suggested ? ` → ${suggested}` : ''}`,
    description: `score ${formatScore(example.score)}${example.suggestionSource ? `, suggested by the ${example.suggestionSource === 'model' ? 'model' : 'neighbours'}` : ''}`,
    detail: diagnosticMessage(example),
  };
}
