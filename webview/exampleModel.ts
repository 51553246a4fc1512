/**
 * What the training-examples section says: method labels, which pickers apply
 * to a method, captions, the headings of the two lists (proponents/opponents
 * or most/least similar), the sign convention and where an example lives in
 * its dataset file. Pure: no DOM.
 */
import type { ExampleMethodName, ExampleMethodSpec, TracInMode } from '../src/protocol/engineProtocol';
import { EXAMPLE_LIMITS, type InfluenceInverse, type PanelExampleImportance, type PanelExampleSettings, type PanelRankedExample } from '../src/protocol/webviewProtocol';
import { formatNumber } from './format';

export const EXAMPLE_METHOD_LABELS: Record<ExampleMethodName, string> = {
  tracin: 'TracIn',
  influence: 'Influence functions',
  deepKnn: 'Deep-KNN',
  simplex: 'SimplEx',
};

export const TRACIN_MODE_LABELS: Record<TracInMode, string> = {
  sketch: 'Sketch index (fast, approximate)',
  exact: 'Exact (all relevant parameters)',
  lastLayers: 'Last layers (exact)',
};

export const INVERSE_LABELS: Record<InfluenceInverse, string> = {
  lissa: 'LiSSA',
  arnoldi: 'Arnoldi (fast)',
};

export type ExampleControl = 'tracinMode' | 'inverse' | 'depth' | 'scale' | 'damping' | 'samples' | 'epochs' | 'learningRate' | 'nearest';

/** The pickers that change what these settings compute; the others are hidden. */
export function exampleControls(s: Pick<PanelExampleSettings, 'method' | 'inverse'>): Set<ExampleControl> {
  switch (s.method) {
    case 'tracin':
      return new Set(['tracinMode']);
    case 'influence':
      return new Set<ExampleControl>(s.inverse === 'lissa' ? ['inverse', 'depth', 'scale', 'damping', 'samples'] : ['inverse']);
    case 'simplex':
      return new Set(['epochs', 'learningRate', 'nearest']);
    case 'deepKnn':
      return new Set();
  }
}

export type NumericSetting = 'depth' | 'scale' | 'damping' | 'samples' | 'epochs' | 'learningRate' | 'nearest' | 'topK';

const REAL: ReadonlySet<NumericSetting> = new Set(['scale', 'damping', 'learningRate']);

export function isRealSetting(key: NumericSetting): boolean {
  return REAL.has(key);
}

/** A typed value within the setting's limits (rounded for integer settings), or the fallback when the text is not a number. */
export function clampSetting(key: NumericSetting, text: string, fallback: number): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value)) return fallback;
  const { min, max } = EXAMPLE_LIMITS[key];
  const clamped = Math.max(min, Math.min(max, value));
  return REAL.has(key) ? clamped : Math.max(min, Math.min(max, Math.round(clamped)));
}

/** "TracIn (sketch index)", "Influence functions (LiSSA, depth 100, scale 10, damping 0.01, 1 sample)": what ran, for captions. */
export function exampleMethodText(spec: ExampleMethodSpec): string {
  const name = EXAMPLE_METHOD_LABELS[spec.method];
  const parts: string[] = [];
  switch (spec.method) {
    case 'tracin':
      if (spec.mode === 'sketch' || spec.mode === undefined) parts.push(`sketch index${spec.sketchDim ? `, ${spec.sketchDim} dims` : ''}`);
      else if (spec.mode === 'exact') parts.push('exact');
      else parts.push(spec.lastLayers ? `last ${spec.lastLayers} layers` : 'last layers');
      break;
    case 'influence':
      if (spec.inverse === 'arnoldi') parts.push(`Arnoldi${spec.rank ? `, rank ${spec.rank}` : ''}`);
      else {
        parts.push('LiSSA');
        if (spec.depth !== undefined) parts.push(`depth ${spec.depth}`);
        parts.push(spec.scale !== undefined ? `scale ${formatNumber(spec.scale)}` : 'automatic scale');
        if (spec.damping !== undefined) parts.push(`damping ${formatNumber(spec.damping)}`);
        if (spec.samples !== undefined) parts.push(`${spec.samples} sample${spec.samples === 1 ? '' : 's'}`);
      }
      break;
    case 'simplex':
      if (spec.epochs !== undefined) parts.push(`${spec.epochs} epochs`);
      if (spec.learningRate !== undefined) parts.push(`lr ${formatNumber(spec.learningRate)}`);
      if (spec.nearest !== undefined) parts.push(`${spec.nearest} nearest`);
      break;
    case 'deepKnn':
      break;
  }
  return parts.length > 0 ? `${name} (${parts.join(', ')})` : name;
}

/** The spec the page's settings stand for (mirrors the host's toExampleMethodSpec), for captions before a result arrives. */
export function specOf(s: PanelExampleSettings, method: ExampleMethodName = s.method): ExampleMethodSpec {
  switch (method) {
    case 'tracin':
      return { method, mode: s.tracinMode };
    case 'influence':
      return s.inverse === 'arnoldi' ? { method, inverse: 'arnoldi' } : { method, inverse: 'lissa', depth: s.depth, damping: s.damping, samples: s.samples, ...(s.scale > 0 ? { scale: s.scale } : {}) };
    case 'deepKnn':
      return { method };
    case 'simplex':
      return { method, epochs: s.epochs, learningRate: s.learningRate, nearest: s.nearest };
  }
}

export type ListKind = 'proponent' | 'opponent' | 'similar' | 'dissimilar';

export interface ListHeading {
  kind: ListKind;
  title: string;
  hint: string;
}

/** The two lists a result shows: proponents and opponents for gradient methods, most and least similar for representation methods. */
export function listHeadings(result: Pick<PanelExampleImportance, 'family' | 'method'>): [ListHeading, ListHeading] {
  if (result.family === 'representation') {
    const most = result.method === 'simplex' ? 'largest SimplEx weights: the corpus examples that reconstruct this one' : 'nearest in the representation';
    return [
      { kind: 'similar', title: 'Most similar', hint: most },
      { kind: 'dissimilar', title: 'Least similar (not opponents)', hint: 'farthest in the representation; a representation method has no opponents' },
    ];
  }
  return [
    { kind: 'proponent', title: 'Proponents', hint: 'training examples that helped this prediction most' },
    { kind: 'opponent', title: 'Opponents', hint: 'training examples that worked against it most' },
  ];
}

/** What the score of a listed example is called. */
export function scoreName(method: ExampleMethodName): string {
  switch (method) {
    case 'tracin':
      return 'TracIn score';
    case 'influence':
      return 'influence';
    case 'deepKnn':
      return 'similarity 1/(distance + ε)';
    case 'simplex':
      return 'SimplEx weight';
  }
}

/** The sign convention, when it is not "higher is more helpful". */
export function signConvention(result: Pick<PanelExampleImportance, 'family' | 'higherIsHelpful'>): string | undefined {
  if (result.family !== 'gradient' || result.higherIsHelpful) return undefined;
  return 'Sign convention: influence is −∇L(x)ᵀ H⁻¹ ∇L(xⁿ), so helpful training examples score negative. Both lists are ordered by helpfulness: proponents from the most negative score, opponents from the most positive.';
}

/** "row 12 (line 14) of data/train-labels.csv". */
export function rowText(example: Pick<PanelRankedExample, 'row' | 'line'>, trainFile: string): string {
  return `row ${example.row}${example.line !== undefined ? ` (line ${example.line})` : ''} of ${trainFile}`;
}

/** The SimplEx reconstruction error in words. */
export function simplexText(summary: { reconstructionError: number; relativeError: number; corpusSize: number }): string {
  const relative = Number.isFinite(summary.relativeError) ? ` (${formatNumber(summary.relativeError * 100)}% of ‖f(x)‖)` : '';
  return `Reconstruction error in latent space ‖f(x) − Σ λⁿ f(xⁿ)‖ = ${formatNumber(summary.reconstructionError)}${relative}, over a corpus of ${summary.corpusSize} training examples.`;
}

/** The shown weights as shares of 1 for the weight bars (SimplEx weights are non-negative and sum to 1 over the corpus). */
export function weightShares(weights: readonly number[]): number[] {
  return weights.map((w) => (Number.isFinite(w) ? Math.max(0, Math.min(1, w)) : 0));
}

/** "50% · 12% · …" style percentage for a weight. */
export function percentText(share: number): string {
  if (!Number.isFinite(share)) return '—';
  const percent = share * 100;
  return `${percent >= 10 || percent === 0 ? Math.round(percent) : percent.toFixed(1)}%`;
}
