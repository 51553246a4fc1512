/** Plain-text summaries of `neon` and `semantic` results, as the CLI prints them. */
import type { NeonExample, NeonResult, SemanticShapleyReply } from '../protocol/engineProtocol';
import { numberTable, timingsLine } from './tableText';

function num(value: number, digits = 4): string {
  if (!Number.isFinite(value)) return String(value);
  const abs = Math.abs(value);
  return abs !== 0 && (abs >= 1e5 || abs < 1e-3) ? value.toExponential(digits - 1) : value.toFixed(digits);
}

function signed(value: number, digits = 4): string {
  return `${value >= 0 ? '+' : ''}${num(value, digits)}`;
}

/** A feature's name: a pixel (row, column[, channel]) of an image, a column of a table, or its flat index. */
export function featureName(index: number, shape: readonly number[], columns?: readonly string[]): string {
  if (columns && columns[index] !== undefined) return columns[index];
  if (shape.length === 3 && shape[2] === 1) return `pixel (${Math.floor(index / shape[1]!)}, ${index % shape[1]!})`;
  if (shape.length === 3) {
    const channel = index % shape[2]!;
    const pixel = Math.floor(index / shape[2]!);
    return `pixel (${Math.floor(pixel / shape[1]!)}, ${pixel % shape[1]!}, ${channel})`;
  }
  if (shape.length === 2) return `pixel (${Math.floor(index / shape[1]!)}, ${index % shape[1]!})`;
  return `feature ${index}`;
}

/** The `count` features with the largest |relevance|, largest first. */
export function topFeatures(relevance: ArrayLike<number>, count: number): number[] {
  return Array.from({ length: relevance.length }, (_, i) => i)
    .sort((a, b) => Math.abs(relevance[b]!) - Math.abs(relevance[a]!) || a - b)
    .slice(0, count);
}

const VALUE_NAME = { clusterMembership: 'f_c(x)', outlierness: 'o(x)', inlierness: 'î(x)' } as const;

function modelLines(result: NeonResult): string[] {
  const m = result.model;
  if (m.kind === 'kmeans') {
    return [
      `k-means: k = ${m.k}, ${m.nInit} restart${m.nInit === 1 ? '' : 's'} (seed ${m.seed}); objective ${num(m.objective)} after ${m.iterations} Lloyd iterations`,
      `  objective per restart: ${m.restartObjectives.map((o) => num(o)).join(', ')}`,
      `  cluster sizes: ${m.clusterSizes.join(', ')}`,
    ];
  }
  return [`KDE: γ = ${num(m.gamma)} (${m.gammaSource === 'median' ? 'median heuristic, 1 / median squared distance' : 'given'})`];
}

function neonExample(result: NeonResult, e: NeonExample, top: number): string[] {
  const label = e.label === undefined ? '' : `, label ${e.label}${e.labelName ? ` ${e.labelName}` : ''}`;
  const name = VALUE_NAME[result.explain];
  const value =
    e.valueStd !== undefined ? `${name} = ${num(e.value)} ± ${num(e.valueStd)} (exact p̃(x) = ${num(e.exactDensity ?? NaN)})` : `${name} = ${num(e.value)}`;
  const c = e.conservation;
  const lines = [`test ${e.index}${label}: ${value}${e.cluster !== undefined ? `, cluster ${e.cluster}` : ''}`];
  // Float64 rounding (|dissipated| ~ 1e-14 of the value) prints as 0, not as noise.
  const dissipated = Math.abs(c.dissipated) <= 1e-9 * Math.max(1, Math.abs(c.value)) ? 0 : c.dissipated;
  let conservation = `  conservation: Σ R_i = ${num(c.relevanceSum)} of ${num(c.value)}, dissipated ${num(dissipated)}`;
  if (c.representationSum !== undefined) conservation += `; grounded on the layer ${num(c.representationSum)}, ungrounded residual ${num(c.groundedResidual ?? NaN)}`;
  lines.push(conservation, `  top ${top} features:`);
  for (const i of topFeatures(e.relevance, top)) {
    const std = e.relevanceStd ? ` ± ${num(e.relevanceStd[i]!)}` : '';
    lines.push(`    ${featureName(i, result.shape, result.columns).padEnd(18)} ${signed(e.relevance[i]!)}${std}`);
  }
  return lines;
}

export function formatNeon(result: NeonResult, top = 5): string {
  const where = result.space === 'input' ? 'input space' : `representation space (${result.layer} at ${result.checkpoint}; grounded relevance continued to the input by LRP-ε)`;
  const lines = [
    `NEON ${result.explain} in ${where}, dimension ${result.dim}`,
    `fitted on ${result.fitCount} training examples${result.subsampled ? ' (a seeded subsample)' : ''}${result.cached ? ', reused from the cache' : ''}`,
    ...modelLines(result),
  ];
  if (result.settings.features !== undefined) lines.push(`random Fourier features: H = ${result.settings.features}, ${result.settings.draws} draws (seed ${result.settings.seed}); ± is the standard deviation over draws`);
  for (const e of result.examples) lines.push('', ...neonExample(result, e, top));
  lines.push('', `${result.seconds.toFixed(2)} s (${timingsLine(result.timings)})`);
  return lines.join('\n');
}

function pm(value: number, error: number): string {
  return `${signed(value)} ± ${Number.isFinite(error) ? num(error) : 'n/a'}`;
}

function describeRepresentation(result: SemanticShapleyReply): string {
  const r = result.representation;
  if (r.kind === 'fourier') return `Fourier radius bins (${r.bins}; modes per bin ${r.modesPerBin.join(', ')})`;
  return `VAE latent units (${r.latentDim}) of ${r.checkpoint} decoded by ${r.decoder} (${r.manifestPath})`;
}

export function formatSemantic(result: SemanticShapleyReply): string {
  const method = result.method === 'exact' ? 'exact' : `permutation sampling, ${result.samples} permutations`;
  const lines = [
    `semantic Shapley values over ${describeRepresentation(result)} at ${result.checkpoint}`,
    `${method}; ${result.backgroundIndices.length} background training examples; ± is the standard error`,
  ];
  for (const e of result.examples) {
    const label = e.label === undefined ? '' : `, label ${e.label}${e.labelName ? ` ${e.labelName}` : ''}`;
    lines.push('', `test ${e.index}${label}: p(class ${e.classIndex}${e.className ? ` ${e.className}` : ''})`);
    lines.push(numberTable([['feature', 'value'], ...result.featureNames.map((name, j) => [name, pm(e.values[j]!, e.standardErrors[j]!)])]));
    const total = e.values.reduce((s, v) => s + v, 0);
    lines.push(`  efficiency: Σ φ = ${num(total)}, v(N) − v(∅) = ${num(e.fullValue)} − ${num(e.emptyValue)} = ${num(e.fullValue - e.emptyValue)}, gap ${num(e.efficiencyGap)}`);
  }
  const g = result.global;
  if (g) {
    lines.push('', `global over ${g.examples} examples:`);
    lines.push(
      numberTable([
        ['feature', 'mean', 'mean |value|'],
        ...result.featureNames.map((name, j) => [name, pm(g.mean[j]!, g.meanStandardErrors[j]!), `${num(g.meanAbsolute[j]!)} ± ${num(g.meanAbsoluteStandardErrors[j]!)}`]),
      ]),
    );
    lines.push(`  efficiency: Σ mean = ${num(g.mean.reduce((s, v) => s + v, 0))}, v(N) − v(∅) = ${num(g.fullValue - g.emptyValue)}, gap ${num(g.efficiencyGap)}`);
  }
  lines.push('', `${result.evaluations} hybrids scored; ${result.seconds.toFixed(2)} s (${timingsLine(result.timings)})`);
  return lines.join('\n');
}
