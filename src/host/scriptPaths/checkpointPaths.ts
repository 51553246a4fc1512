/**
 * Finds paths that lead to a checkpoint in a training script: the string under
 * the cursor, or the path a save call writes to, for "open this checkpoint"
 * links, hovers and CodeLens. Strings in comments are ignored. What a path
 * points at is decided separately (resolveCheckpoint.ts), against the disk.
 */
import { findCallSites, type CallSite } from './callSites';
import { lexJavaScript } from './javascriptLexer';
import { PathExpressionEvaluator, type PathValue } from './pathExpression';
import { lexPython } from './pythonLexer';
import { savePathArgument } from './saveCalls';
import type { ScriptLanguage, ScriptTokens, Span } from './scriptTokens';

export interface CheckpointPathMatch {
  /** Offsets of the expression that names the path: a string literal, or e.g. a whole `path.join(...)`. */
  start: number;
  end: number;
  /** The path with any `file://` removed; relative to the script's folder when `anchoredAtScript`. */
  path: string;
  anchoredAtScript: boolean;
  /** The save call the path was found in, e.g. `torch.save`; absent for a bare string. */
  saveCall?: string;
  /** Offsets of that whole call. */
  callStart?: number;
  callEnd?: number;
}

/** Scripts larger than this are not scanned: no training script is, and a minified bundle is not worth it. */
export const MAX_SCRIPT_CHARS = 2_000_000;

const OTHER_SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//;

/** `file://./ckpt` -> `./ckpt`, `file:///C:/x` -> `C:/x`; other URL schemes (indexeddb://, https://) are no file. */
export function stripFileScheme(written: string): string | undefined {
  if (written.startsWith('file://')) {
    const rest = written.slice('file://'.length);
    return /^\/[A-Za-z]:[\\/]/.test(rest) ? rest.slice(1) : rest;
  }
  return OTHER_SCHEME.test(written) ? undefined : written;
}

function tokenize(text: string, language: ScriptLanguage): ScriptTokens {
  if (typeof text !== 'string') throw new TypeError('checkpoint paths: text must be a string');
  if (language !== 'javascript' && language !== 'python') throw new RangeError(`checkpoint paths: unknown language ${String(language)}`);
  return language === 'python' ? lexPython(text) : lexJavaScript(text);
}

function toMatch(span: Span, value: PathValue | undefined, call?: CallSite): CheckpointPathMatch | undefined {
  if (!value) return undefined;
  let text = stripFileScheme(value.text.trim());
  if (text === undefined) return undefined;
  // `__dirname + '/ckpt'` is relative to the folder, not absolute.
  if (value.anchoredAtScript) text = text.replace(/^[\\/]+/, '') || '.';
  if (text === '') return undefined;
  const match: CheckpointPathMatch = { start: span.start, end: span.end, path: text, anchoredAtScript: value.anchoredAtScript };
  if (call) Object.assign(match, { saveCall: call.callee, callStart: call.start, callEnd: call.end });
  return match;
}

class ScriptPathFinder {
  readonly tokens: ScriptTokens;
  readonly calls: CallSite[];
  private readonly evaluator: PathExpressionEvaluator;

  constructor(text: string, language: ScriptLanguage) {
    this.tokens = tokenize(text, language);
    this.calls = text.length > MAX_SCRIPT_CHARS ? [] : findCallSites(this.tokens);
    this.evaluator = new PathExpressionEvaluator(this.tokens, this.calls);
  }

  saveMatch(call: CallSite): CheckpointPathMatch | undefined {
    const argument = savePathArgument(call, this.tokens.masked, this.tokens.language);
    return argument && toMatch(argument, this.evaluator.evaluate(argument), call);
  }

  expressionMatch(span: Span): CheckpointPathMatch | undefined {
    return toMatch(span, this.evaluator.evaluate(span));
  }
}

const within = (offset: number, span: Span): boolean => span.start <= offset && offset <= span.end;
const narrowestFirst = (a: Span, b: Span): number => a.end - a.start - (b.end - b.start);

/** Every save call with a known path, in document order: one CodeLens each. */
export function findSaveCallPaths(text: string, language: ScriptLanguage): CheckpointPathMatch[] {
  if (text.length > MAX_SCRIPT_CHARS) return [];
  const finder = new ScriptPathFinder(text, language);
  return finder.calls.map((call) => finder.saveMatch(call)).filter((match): match is CheckpointPathMatch => match !== undefined);
}

/**
 * The path at `offset`: inside a save call, the path it saves to; otherwise a
 * join call or string literal under the cursor whose value is known.
 */
export function findCheckpointPathAt(text: string, offset: number, language: ScriptLanguage): CheckpointPathMatch | undefined {
  if (!Number.isSafeInteger(offset) || offset < 0 || offset > text.length) throw new RangeError(`findCheckpointPathAt: offset ${offset} is outside the text`);
  if (text.length > MAX_SCRIPT_CHARS) return undefined;
  const finder = new ScriptPathFinder(text, language);
  if (finder.tokens.comments.some((comment) => comment.start <= offset && offset < comment.end)) return undefined;
  const calls = finder.calls.filter((call) => within(offset, call)).sort(narrowestFirst);
  for (const call of calls) {
    const match = finder.saveMatch(call);
    if (match) return match;
  }
  // The widest join holding the cursor: `path.join(__dirname, 'a')` rather than its `'a'`.
  for (const call of [...calls].reverse()) {
    const match = finder.expressionMatch(call);
    if (match) return match;
  }
  const literals = finder.tokens.literals.filter((literal) => within(offset, literal) && !literal.interpolated).sort(narrowestFirst);
  for (const literal of literals) {
    const match = finder.expressionMatch(literal);
    if (match) return match;
  }
  return undefined;
}
