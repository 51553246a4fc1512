/**
 * Ranks training examples whose label looks wrong, from signals that are each
 * reported in numbers: high self-influence (an example the model had to bend
 * for), disagreement with the labels of its K nearest neighbours in
 * representation space, and a low held-out probability of its given label.
 * Each signal becomes a percentile rank (100 = most suspicious, ties share the
 * mid rank) and the combined score is their mean, so no signal's scale
 * dominates.
 */
import { checkPositiveInteger, yieldOrAbort } from './cancel';
import { checkRepresentations } from './deepKnn';
import { nearestNeighbours } from './nearestNeighbours';
import type { Representations } from './representations';

export interface SuspiciousInput {
  /** The given label of each training example. */
  labels: Int32Array;
  classNames?: readonly string[];
  /** e.g. TracIn self-influence Σ_c η_c ‖g_n‖²; higher is more suspicious. */
  selfInfluence?: Float32Array;
  /**
   * Whether self-influence counts toward the score (default true). Under a
   * label-free loss the gradient never sees the label, so self-influence marks
   * atypical inputs, not wrong labels: it is then shown but not scored.
   */
  scoreSelfInfluence?: boolean;
  /** Training representations f(xⁿ), for the neighbour vote. */
  representations?: Representations;
  /** Held-out (e.g. cross-validated) probability of the given label; lower is more suspicious. */
  labelProbability?: Float32Array;
  /** The model's predicted class per example, used as the suggestion when the neighbours agree with the label. */
  predictions?: Int32Array;
}

export interface SuspiciousOptions {
  /** Neighbours in the vote. */
  neighbours?: number;
  /** How many examples to return, most suspicious first. */
  limit?: number;
  signal?: AbortSignal;
  onProgress?: (fraction: number, message: string) => void;
}

export type SignalName = 'selfInfluence' | 'neighbourDisagreement' | 'lowLabelProbability';

export interface SuspicionReason {
  signal: SignalName;
  value: number;
  /** 0..100, higher is more suspicious. */
  percentile: number;
  text: string;
}

export interface SuspiciousExample {
  index: number;
  label: number;
  score: number;
  reasons: SuspicionReason[];
  suggestedLabel?: number;
  suggestionSource?: 'neighbours' | 'model';
}

export const DEFAULT_SUSPICIOUS_NEIGHBOURS = 10;
export const DEFAULT_SUSPICIOUS_LIMIT = 100;
const ROWS_PER_YIELD = 4096;

/** Percentile rank of each value (100 × mid-rank / N): the share of values below it plus half the ties. */
export function percentileRanks(values: ArrayLike<number>): Float64Array {
  const n = values.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => values[a]! - values[b]!);
  const out = new Float64Array(n);
  for (let i = 0; i < n; ) {
    let j = i;
    while (j + 1 < n && values[order[j + 1]!] === values[order[i]!]) j++;
    const rank = (i + j) / 2 + 0.5;
    for (let t = i; t <= j; t++) out[order[t]!] = (100 * rank) / n;
    i = j + 1;
  }
  return out;
}

interface NeighbourVote {
  disagreement: Float64Array;
  majority: Int32Array;
  majorityCount: Int32Array;
}

/** The label vote of each example's K nearest neighbours in representation space (the example itself excluded). */
async function neighbourVote(r: Representations, labels: Int32Array, k: number, options: SuspiciousOptions): Promise<NeighbourVote> {
  const n = r.count;
  const { indices, k: kk } = await nearestNeighbours(r, k, options);
  const disagreement = new Float64Array(n);
  const majority = new Int32Array(n).fill(-1);
  const majorityCount = new Int32Array(n);
  const counts = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    if (i % ROWS_PER_YIELD === 0) await yieldOrAbort(options.signal, 'ranking suspicious examples');
    counts.clear();
    let agree = 0;
    for (let p = 0; p < kk; p++) {
      const label = labels[indices[i * kk + p]!]!;
      counts.set(label, (counts.get(label) ?? 0) + 1);
      if (label === labels[i]) agree++;
    }
    let best = -1;
    let bestCount = 0;
    for (const [label, count] of counts) {
      if (count > bestCount || (count === bestCount && label < best)) {
        best = label;
        bestCount = count;
      }
    }
    disagreement[i] = kk > 0 ? 1 - agree / kk : 0;
    majority[i] = best;
    majorityCount[i] = bestCount;
  }
  return { disagreement, majority, majorityCount };
}

function checkInput(input: SuspiciousInput): number {
  if (!(input.labels instanceof Int32Array)) throw new Error('labels must be an Int32Array');
  const n = input.labels.length;
  checkPositiveInteger(n, 'labels.length');
  const checkLength = (name: string, values: ArrayLike<number> | undefined): void => {
    if (values === undefined) return;
    if (values.length !== n) throw new Error(`${name} has ${values.length} values for ${n} labels`);
    for (let i = 0; i < n; i++) if (!Number.isFinite(values[i]!)) throw new Error(`${name}[${i}] is not finite`);
  };
  checkLength('selfInfluence', input.selfInfluence);
  checkLength('labelProbability', input.labelProbability);
  checkLength('predictions', input.predictions);
  if (input.representations) {
    checkRepresentations(input.representations, 'representations');
    if (input.representations.count !== n) throw new Error(`representations has ${input.representations.count} rows for ${n} labels`);
  }
  if (!input.selfInfluence && !input.representations && !input.labelProbability) {
    throw new Error('give at least one signal: selfInfluence, representations or labelProbability');
  }
  return n;
}

/** Training examples ranked by the mean percentile of the available signals, most suspicious first. */
export async function rankSuspiciousExamples(input: SuspiciousInput, options: SuspiciousOptions = {}): Promise<SuspiciousExample[]> {
  const n = checkInput(input);
  const k = options.neighbours ?? DEFAULT_SUSPICIOUS_NEIGHBOURS;
  checkPositiveInteger(k, 'neighbours');
  const limit = options.limit ?? DEFAULT_SUSPICIOUS_LIMIT;
  checkPositiveInteger(limit, 'limit');
  const name = (label: number): string => input.classNames?.[label] ?? `class ${label}`;

  const signals: Array<{ percentiles: Float64Array; scored: boolean; reason: (i: number, percentile: number) => SuspicionReason }> = [];
  if (input.selfInfluence) {
    const values = input.selfInfluence;
    const scored = input.scoreSelfInfluence ?? true;
    const note = scored ? '' : '; an outlier signal under this label-free loss, not counted in the score';
    signals.push({
      percentiles: percentileRanks(values),
      scored,
      reason: (i, percentile) => ({ signal: 'selfInfluence', value: values[i]!, percentile, text: `self-influence ${values[i]!.toPrecision(3)} (top ${Math.max(100 - percentile, 100 / n).toPrecision(2)}%${note})` }),
    });
  }
  let vote: NeighbourVote | undefined;
  if (input.representations) {
    const v = await neighbourVote(input.representations, input.labels, k, options);
    vote = v;
    const kk = Math.min(k, n - 1);
    signals.push({
      percentiles: percentileRanks(v.disagreement),
      scored: true,
      reason: (i, percentile) => ({
        signal: 'neighbourDisagreement',
        value: v.disagreement[i]!,
        percentile,
        text: `${Math.round(v.disagreement[i]! * kk)} of ${kk} nearest neighbours in representation space are not labelled '${name(input.labels[i]!)}'; ${v.majorityCount[i]} are labelled '${name(v.majority[i]!)}'`,
      }),
    });
  }
  if (input.labelProbability) {
    const p = input.labelProbability;
    signals.push({
      percentiles: percentileRanks(Float64Array.from(p, (v) => -v)),
      scored: true,
      reason: (i, percentile) => ({ signal: 'lowLabelProbability', value: p[i]!, percentile, text: `held-out probability of '${name(input.labels[i]!)}' is ${p[i]!.toPrecision(3)}` }),
    });
  }

  const score = new Float64Array(n);
  const scoring = signals.filter((s) => s.scored);
  // With only an unscored signal there is nothing else to rank by.
  const ranking = scoring.length > 0 ? scoring : signals;
  for (const s of ranking) for (let i = 0; i < n; i++) score[i] += s.percentiles[i]! / ranking.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => score[b]! - score[a]! || a - b);
  options.onProgress?.(1, 'suspicious examples ranked');
  return order.slice(0, Math.min(limit, n)).map((i) => {
    const label = input.labels[i]!;
    const example: SuspiciousExample = { index: i, label, score: score[i]!, reasons: signals.map((s) => s.reason(i, s.percentiles[i]!)) };
    if (vote && vote.majority[i] !== label && vote.majority[i]! >= 0) {
      example.suggestedLabel = vote.majority[i]!;
      example.suggestionSource = 'neighbours';
    } else if (input.predictions && input.predictions[i] !== label) {
      example.suggestedLabel = input.predictions[i]!;
      example.suggestionSource = 'model';
    }
    return example;
  });
}
