/**
 * The engine's answer to `examples/suspicious`, checked before any of it is
 * shown: the engine reads untrusted files, so its output is treated as
 * untrusted too. Malformed examples are dropped (and counted), never thrown on;
 * a malformed envelope is an error that names the manifest.
 */
import { SUSPICION_SIGNALS, type SuspicionReasonInfo, type SuspicionSignal, type SuspiciousTrainingExample } from '../../protocol/engineProtocol';

/** Longest reason text or label name kept; longer ones are cut with an ellipsis. */
export const MAX_TEXT_CHARS = 400;
export const MAX_REASONS = 8;
export const MAX_EXAMPLES = 100_000;

export interface CheckedSuspicious {
  checkpoint: string;
  trainFile: string;
  trainCount: number;
  examples: SuspiciousTrainingExample[];
  /** Examples dropped because a field was missing or out of range. */
  dropped: number;
}

export class SuspiciousResultError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SuspiciousResultError';
  }
}

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);
const isIndex = (value: unknown): value is number => typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
const isSignal = (value: unknown): value is SuspicionSignal => typeof value === 'string' && (SUSPICION_SIGNALS as readonly string[]).includes(value);

/** Control characters (a line break would split a diagnostic message) become spaces; long text is cut. */
export function cleanText(value: string, max = MAX_TEXT_CHARS): string {
  // eslint-disable-next-line no-control-regex
  const flat = value.replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

function checkReason(raw: unknown): SuspicionReasonInfo | undefined {
  if (!isObject(raw) || !isSignal(raw.signal)) return undefined;
  if (typeof raw.value !== 'number' || Number.isNaN(raw.value)) return undefined;
  if (typeof raw.percentile !== 'number' || !Number.isFinite(raw.percentile)) return undefined;
  if (typeof raw.text !== 'string') return undefined;
  const text = cleanText(raw.text);
  if (text === '') return undefined;
  return { signal: raw.signal, value: raw.value, percentile: Math.min(100, Math.max(0, raw.percentile)), text };
}

function optionalName(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const text = cleanText(value, 200);
  return text === '' ? undefined : text;
}

export function checkSuspiciousExample(raw: unknown, trainCount: number): SuspiciousTrainingExample | undefined {
  if (!isObject(raw)) return undefined;
  const { index, row, line, label, score } = raw;
  if (!isIndex(index) || index >= trainCount) return undefined;
  if (!isIndex(row) || !isIndex(label)) return undefined;
  if (typeof score !== 'number' || !Number.isFinite(score)) return undefined;
  if (!Array.isArray(raw.reasons)) return undefined;
  const reasons = raw.reasons.slice(0, MAX_REASONS).map(checkReason);
  if (reasons.length === 0 || reasons.some((reason) => reason === undefined)) return undefined;
  const example: SuspiciousTrainingExample = { index, row, label, score: Math.min(100, Math.max(0, score)), reasons: reasons as SuspicionReasonInfo[] };
  if (line !== undefined) {
    if (!isIndex(line) || line < 1) return undefined;
    example.line = line;
  }
  const labelName = optionalName(raw.labelName);
  if (labelName !== undefined) example.labelName = labelName;
  if (raw.suggestedLabel !== undefined) {
    if (!isIndex(raw.suggestedLabel)) return undefined;
    if (raw.suggestedLabel !== label) {
      example.suggestedLabel = raw.suggestedLabel;
      const suggestedName = optionalName(raw.suggestedLabelName);
      if (suggestedName !== undefined) example.suggestedLabelName = suggestedName;
      if (raw.suggestionSource === 'neighbours' || raw.suggestionSource === 'model') example.suggestionSource = raw.suggestionSource;
    }
  }
  return example;
}

/** Throws SuspiciousResultError (naming `manifestPath`) when the envelope is unusable; drops bad examples. */
export function checkSuspiciousResult(raw: unknown, manifestPath: string): CheckedSuspicious {
  const fail = (problem: string): never => {
    throw new SuspiciousResultError(`${manifestPath}: the engine's suspicious-example result ${problem}`);
  };
  if (!isObject(raw)) return fail('is not an object');
  if (typeof raw.trainFile !== 'string' || raw.trainFile === '' || raw.trainFile.includes('\0')) return fail('names no training file');
  if (typeof raw.checkpoint !== 'string') return fail('names no checkpoint');
  if (!isIndex(raw.trainCount)) return fail('has no training-set size');
  if (!Array.isArray(raw.examples)) return fail('has no example list');
  if (raw.examples.length > MAX_EXAMPLES) return fail(`lists ${raw.examples.length} examples, more than ${MAX_EXAMPLES}`);
  const trainCount = raw.trainCount;
  const examples: SuspiciousTrainingExample[] = [];
  const seen = new Set<number>();
  let dropped = 0;
  for (const item of raw.examples as unknown[]) {
    const example = checkSuspiciousExample(item, trainCount);
    if (!example || seen.has(example.index)) {
      dropped++;
      continue;
    }
    seen.add(example.index);
    examples.push(example);
  }
  return { checkpoint: raw.checkpoint, trainFile: raw.trainFile, trainCount, examples, dropped };
}
