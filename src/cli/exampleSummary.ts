/** Readable text for the example-importance commands; pure, so it can be tested. */
import type {
  BoxStats,
  BuildGradientIndexResult,
  CompareExampleImportanceResult,
  ExampleConsistencyResult,
  ExampleImportanceExample,
  ExampleImportanceResult,
  ExampleMethodName,
  ExampleMethodSpec,
  RankedExample,
  SelfInfluenceResult,
  SuspiciousResult,
} from '../protocol/engineProtocol';
import { num } from './attributionSummary';
import { leftAlignedTable, timingsLine } from './tableText';

const METHOD_TITLES: Record<ExampleMethodName, string> = {
  tracin: 'TracIn-CP',
  influence: 'influence functions',
  deepKnn: 'Deep-KNN',
  simplex: 'SimplEx',
};

/** The method and the settings that ran, on one line. */
export function describeExampleMethod(spec: ExampleMethodSpec): string {
  const parts = Object.entries(spec)
    .filter(([key, value]) => key !== 'method' && value !== undefined)
    .map(([key, value]) => `${key} ${typeof value === 'number' ? num(value) : String(value)}`);
  const title = METHOD_TITLES[spec.method];
  return parts.length ? `${title} (${parts.join(', ')})` : title;
}

export function describeLabel(label: number | undefined, labelName: string | undefined): string {
  if (label === undefined) return labelName ?? '-';
  return labelName ? `${label} ${labelName}` : String(label);
}

/** Scores span many magnitudes (TracIn sums of dot products, inverse distances): 4 significant digits, exponent when needed. */
export function score(value: number): string {
  if (Number.isNaN(value)) return 'n/a';
  if (value === 0) return '0';
  const magnitude = Math.abs(value);
  return magnitude >= 1e-3 && magnitude < 1e5 ? num(value, 4) : value.toExponential(3);
}

function rankedTable(entries: readonly RankedExample[], withDistance: boolean): string {
  const header = ['rank', 'index', 'row', 'score', ...(withDistance ? ['distance'] : []), 'label'];
  const rows = entries.map((e, k) => [
    String(k + 1),
    String(e.index),
    String(e.row),
    score(e.score),
    ...(withDistance ? [e.distance === undefined ? '-' : num(e.distance, 4)] : []),
    describeLabel(e.label, e.labelName),
  ]);
  return leftAlignedTable([header, ...rows], '    ');
}

function exampleSection(result: ExampleImportanceResult, e: ExampleImportanceExample): string[] {
  const lines = [`test example ${e.index}${e.label === undefined && !e.labelName ? '' : ` (label ${describeLabel(e.label, e.labelName)})`}`];
  const withDistance = [...e.proponents, ...(e.leastSimilar ?? [])].some((p) => p.distance !== undefined);
  if (result.family === 'gradient') {
    const order = result.higherIsHelpful ? 'highest scores' : 'most negative scores: helpful for influence functions';
    lines.push(`  proponents (${order})`, rankedTable(e.proponents, withDistance));
    lines.push(`  opponents (${result.higherIsHelpful ? 'lowest scores' : 'most positive scores'})`, rankedTable(e.opponents, withDistance));
  } else {
    lines.push(`  ${result.method === 'simplex' ? 'largest SimplEx weights' : 'most similar'}`, rankedTable(e.proponents, withDistance));
    if (e.leastSimilar && e.leastSimilar.length > 0) lines.push('  least similar (not opponents)', rankedTable(e.leastSimilar, withDistance));
  }
  if (e.simplex) {
    lines.push(`  SimplEx reconstruction error ||f(x) - sum_n w_n f(x_n)||: ${num(e.simplex.reconstructionError)} (relative ${num(e.simplex.relativeError, 3)}), corpus of ${e.simplex.corpusSize}`);
  }
  return lines;
}

export function formatExampleImportance(result: ExampleImportanceResult): string {
  const lines = [
    `${describeExampleMethod(result.settings)} at ${result.checkpoint}${result.labelFree ? ' (label-free)' : ''}`,
    `${result.trainCount} training examples; row = data row in ${result.trainFile}`,
  ];
  if (result.index) {
    lines.push(`gradient index: sketch dimension ${result.index.sketchDim}, ${result.index.built} checkpoint${result.index.built === 1 ? '' : 's'} built now, ${result.index.reused} reused`);
  }
  for (const note of result.notes ?? []) lines.push(`note: ${note}`);
  for (const e of result.examples) lines.push('', ...exampleSection(result, e));
  lines.push('', `${result.seconds.toFixed(2)} s${Object.keys(result.timings).length ? ` (${timingsLine(result.timings)})` : ''}`);
  return lines.join('\n');
}

export function formatGradientIndex(result: BuildGradientIndexResult): string {
  const rows = [['checkpoint', 'build s', 'chunks computed now', 'key']];
  for (const c of result.checkpoints) rows.push([c.path, c.seconds.toFixed(2), `${c.computedChunks}/${c.totalChunks}${c.computedChunks === 0 ? ' (reused)' : ''}`, c.key.slice(0, 12)]);
  return [
    `gradient index: sketch dimension ${result.sketchDim}, ${result.trainCount} training examples, ${result.checkpoints.length} checkpoints`,
    leftAlignedTable(rows),
    `cache: ${result.cacheDir}`,
    `${result.seconds.toFixed(2)} s`,
  ].join('\n');
}

export function formatSelfInfluence(result: SelfInfluenceResult): string {
  const title = result.method === 'tracin' ? 'TracIn self-influence sum_t eta_t ||grad L(x_n, theta_t)||^2' : 'influence-function self-influence grad L(x_n)^T H^-1 grad L(x_n) (Arnoldi)';
  return [`${title}, ${result.scores.length} training examples; row = data row in ${result.trainFile}`, `highest ${result.top.length}:`, rankedTable(result.top, false), `${result.seconds.toFixed(2)} s`].join('\n');
}

export function formatSuspicious(result: SuspiciousResult): string {
  const lines = [`${result.examples.length} most suspicious of ${result.trainCount} training examples at ${result.checkpoint}; signals ${result.signals.join(', ')}; row = data row in ${result.trainFile}`];
  const rows = [['rank', 'index', 'row', 'score', 'label', 'suggested label']];
  result.examples.forEach((e, k) => {
    const suggested = e.suggestedLabel === undefined && !e.suggestedLabelName ? '-' : `${describeLabel(e.suggestedLabel, e.suggestedLabelName)}${e.suggestionSource ? ` (from the ${e.suggestionSource})` : ''}`;
    rows.push([String(k + 1), String(e.index), String(e.row), num(e.score, 3), describeLabel(e.label, e.labelName), suggested]);
  });
  // Each example's row, then its reasons underneath, one a line, with the signal's percentile.
  const [header, ...body] = leftAlignedTable(rows).split('\n');
  lines.push(header!);
  body.forEach((row, k) => {
    lines.push(row);
    for (const r of result.examples[k]!.reasons) lines.push(`        - ${r.text} (${r.signal}, percentile ${num(r.percentile, 3)})`);
  });
  lines.push(`${result.seconds.toFixed(2)} s${Object.keys(result.timings).length ? ` (${timingsLine(result.timings)})` : ''}`);
  return lines.join('\n');
}

function box(stats: BoxStats | undefined): string {
  if (!stats) return '-';
  return `${num(stats.median, 3)} [${num(stats.q1, 3)}, ${num(stats.q3, 3)}] (${num(stats.min, 3)}..${num(stats.max, 3)}) mean ${num(stats.mean, 3)}`;
}

export function formatExampleConsistency(result: ExampleConsistencyResult): string {
  const lines = ['Similarity rate: share of the top-M (bottom-M) training examples that share the test example\'s label', 'median [q1, q3] (min..max) mean over test examples'];
  for (const m of result.methods) {
    lines.push('', `${describeExampleMethod(m.settings)}, ${m.perExample.length} test examples`);
    const bottomName = m.method === 'deepKnn' || m.method === 'simplex' ? 'least similar M' : 'bottom M (opponents)';
    const rows = [['M', 'top M', bottomName]];
    result.ms.forEach((M, i) => rows.push([String(M), box(m.top[i]), box(m.bottom[i])]));
    lines.push(leftAlignedTable(rows));
  }
  lines.push('', `${result.seconds.toFixed(2)} s`);
  return lines.join('\n');
}

/** TracIn sums over checkpoints, so the reader needs to know whether r compares single checkpoints or whole runs. */
function comparedCheckpointsText(result: CompareExampleImportanceResult): string {
  if (result.method !== 'tracin') return 'scores at each encoder\'s own checkpoint';
  return result.scoredCheckpoints === 'chosen'
    ? 'TracIn at each encoder\'s own checkpoint only (both from one run, whose sum over all checkpoints would score them alike)'
    : 'TracIn summed over all checkpoints of each encoder\'s run';
}

export function formatExampleComparison(result: CompareExampleImportanceResult): string {
  const defined = result.perExample.filter((e) => !Number.isNaN(e.pearson)).length;
  const other = result.b.manifestPath === result.a.manifestPath ? result.b.checkpoint : `${result.b.manifestPath} ${result.b.checkpoint}`;
  return [
    `${METHOD_TITLES[result.method]} scores, ${result.a.checkpoint} vs ${other}`,
    `  Pearson r over all training examples: ${num(result.mean)} ± ${num(result.std, 2)} over ${defined} test example${defined === 1 ? '' : 's'} (${result.seconds.toFixed(2)} s)`,
    `  ${comparedCheckpointsText(result)}`,
  ].join('\n');
}
