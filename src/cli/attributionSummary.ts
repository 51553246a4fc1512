/** Readable text for `modeldebug attribute` and `modeldebug checks`; pure, so it can be tested. */
import type {
  AttributeMethodSpec,
  AttributeResult,
  AttributeTargetSpec,
  AttributionMap,
  CompareRepresentationsResult,
  ConsistencyResult,
  LatentUnitsResult,
  ResolvedAttributeTarget,
  SanityCheckResult,
} from '../protocol/engineProtocol';
import { numberTable } from './tableText';

/** `digits` significant digits, without trailing zeros. */
export function num(value: number, digits = 4): string {
  if (Number.isNaN(value)) return 'n/a';
  return String(Number(value.toPrecision(digits)));
}

export function describeTarget(target: ResolvedAttributeTarget | AttributeTargetSpec): string {
  switch (target.kind) {
    case 'class':
      if (target.classIndex === undefined) return 'class (the predicted one)';
      return `class ${target.classIndex}${'className' in target && target.className ? ` (${target.className})` : ''}`;
    case 'probabilityWeighted':
      return 'probability-weighted classes';
    case 'labelFree':
      return 'label-free';
    case 'latentUnit':
      return `latent unit ${target.unit}`;
    case 'allUnits':
      return 'units' in target ? `all ${target.units} latent units` : 'all latent units';
  }
}

/** Settings besides the method name, with arrays shortened: what ran, on one line. */
export function describeSettings(settings: AttributeMethodSpec): string {
  const parts = Object.entries(settings)
    .filter(([key]) => key !== 'method')
    .map(([key, value]) => `${key} ${JSON.stringify(value, (_, v: unknown) => (ArrayBuffer.isView(v) ? `<${(v as unknown as ArrayLike<number>).length} values>` : v))}`);
  return parts.length ? `${settings.method} (${parts.join(', ')})` : settings.method;
}

/** Completeness gap |sum - expected| / |expected|, as a percentage. */
export function completenessGap(map: AttributionMap): number | undefined {
  const c = map.completeness;
  if (!c) return undefined;
  const gap = Math.abs(c.sum - c.expected);
  return gap === 0 ? 0 : (100 * gap) / Math.max(Math.abs(c.expected), 1e-12);
}

function featureName(index: number, shape: readonly number[], columns: readonly string[] | undefined): string {
  if (columns && columns.length === shape.reduce((a, b) => a * b, 1)) return columns[index]!;
  if (shape.length === 3) {
    const [, width, channels] = shape as [number, number, number];
    const pixel = Math.floor(index / channels);
    return `(${Math.floor(pixel / width)},${pixel % width}${channels > 1 ? `,c${index % channels}` : ''})`;
  }
  if (shape.length === 2) return `t${Math.floor(index / shape[1]!)}:c${index % shape[1]!}`;
  return `#${index}`;
}

export function topFeatures(values: Float32Array, shape: readonly number[], columns?: readonly string[], count = 3): string {
  const order = Array.from(values.keys())
    .filter((i) => values[i] !== 0)
    .sort((a, b) => Math.abs(values[b]!) - Math.abs(values[a]!))
    .slice(0, count);
  return order.map((i) => `${featureName(i, shape, columns)}=${num(values[i]!, 3)}`).join(' ');
}

export function formatAttributeSummary(result: AttributeResult, index: number): string {
  const lines = [
    `${describeSettings(result.settings)} on test example ${index}`,
    `target: ${describeTarget(result.target)}${result.labelFree ? ' (no labels used)' : ''}`,
    `shape [${result.shape.join(', ')}], ${result.maps.length} map${result.maps.length === 1 ? '' : 's'}, ${result.seconds.toFixed(2)} s${result.cached ? ' (from the cache)' : ''}`,
  ];
  const rows = [['map', 'sum', 'expected', 'gap', 'min', 'max', 'largest |a_i|']];
  for (const map of result.maps) {
    const values = map.values;
    let min = Infinity;
    let max = -Infinity;
    let sum = 0;
    for (const v of values) {
      min = Math.min(min, v);
      max = Math.max(max, v);
      sum += v;
    }
    const gap = completenessGap(map);
    rows.push([
      map.unit === undefined ? describeTarget(result.target) : `unit ${map.unit}`,
      num(sum),
      map.completeness ? num(map.completeness.expected) : '-',
      gap === undefined ? '-' : `${num(gap, 2)}%`,
      num(min, 3),
      num(max, 3),
      topFeatures(values, result.shape, result.columns),
    ]);
  }
  lines.push(numberTable(rows));
  for (const note of result.notes ?? []) lines.push(`note: ${note}`);
  return lines.join('\n');
}

export interface ChecksResults {
  units?: LatentUnitsResult;
  consistency?: ConsistencyResult;
  sanity?: SanityCheckResult;
  compare?: CompareRepresentationsResult;
  /** A check that failed, with its error message; the others still ran. */
  errors: Record<string, string>;
}

function unitsSection(units: LatentUnitsResult): string[] {
  const gaps = units.examples.flatMap((e) => (e.maps ?? []).map(completenessGap)).filter((g): g is number => g !== undefined);
  const lines = [`Latent units (${units.units} units, ${units.examples.length} examples, ${describeSettings(units.settings)})`];
  if (gaps.length > 0) lines.push(`  completeness gap of the per-unit maps: mean ${num(gaps.reduce((a, b) => a + b, 0) / gaps.length, 2)}%, max ${num(Math.max(...gaps), 2)}% over ${gaps.length} maps`);
  lines.push(`  saliency entropy: ${num(units.averageEntropy)} (S_max = ln ${units.units} = ${num(units.maxEntropy)}; ${num((100 * units.averageEntropy) / units.maxEntropy, 3)}% of the maximum)`);
  lines.push(`  mean Pearson r_ij over i != j: ${num(units.meanCorrelation)}`);
  const d = units.units;
  if (d <= 12) {
    const rows = [['r_ij', ...Array.from({ length: d }, (_, j) => `u${j}`)]];
    for (let i = 0; i < d; i++) rows.push([`u${i}`, ...Array.from({ length: d }, (_, j) => num(units.correlation[i * d + j]!, 3))]);
    lines.push(numberTable(rows));
  }
  return lines;
}

function consistencySection(c: ConsistencyResult): string[] {
  const what = c.measure === 'shift' ? 'latent shift ||f(x) - f(masked x)||' : 'probability drop';
  const rows = [['masked', 'features', 'top-M% mask', 'random masks']];
  c.fractions.forEach((f, i) => rows.push([`${num(100 * f, 3)}%`, String(c.maskedCounts[i]), `${num(c.top.mean[i]!)} ± ${num(c.top.std[i]!, 2)}`, `${num(c.random.mean[i]!)} ± ${num(c.random.std[i]!, 2)}`]));
  return [`Consistency check (${what}, target ${describeTarget(c.target)}, ${c.perExample.length} examples)`, numberTable(rows)];
}

function sanitySection(s: SanityCheckResult, index: number | undefined): string[] {
  const rows = [['randomised down to', 'Spearman', '|Spearman|']];
  for (const step of s.steps) rows.push([step.layer ?? '(nothing: rerun)', num(step.spearman, 3), num(step.spearmanAbsolute, 3)]);
  return [`Sanity check: cascading randomisation${index === undefined ? '' : ` on test example ${index}`}, target ${describeTarget(s.target)}`, numberTable(rows)];
}

function compareSection(c: CompareRepresentationsResult): string[] {
  return [
    `Representation comparison: ${c.a.checkpoint} (${c.a.representationLayer}) vs ${c.b.manifestPath === c.a.manifestPath ? '' : `${c.b.manifestPath} `}${c.b.checkpoint} (${c.b.representationLayer})`,
    `  Pearson of label-free ${c.method} maps: ${num(c.mean)} ± ${num(c.std, 2)} over ${c.perExample.length - c.undefinedCount} examples (pooled ${num(c.pooled)})`,
  ];
}

export function formatChecksSummary(results: ChecksResults, sanityIndex?: number): string {
  const sections: string[][] = [];
  if (results.units) sections.push(unitsSection(results.units));
  if (results.consistency) sections.push(consistencySection(results.consistency));
  if (results.sanity) sections.push(sanitySection(results.sanity, sanityIndex));
  if (results.compare) sections.push(compareSection(results.compare));
  for (const [check, message] of Object.entries(results.errors)) sections.push([`${check}: failed: ${message}`]);
  return sections.map((s) => s.join('\n')).join('\n\n');
}
