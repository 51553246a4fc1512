/**
 * Evaluates the small expressions training scripts build checkpoint paths
 * with, when every part is known: a string literal, `path.join`/`resolve`,
 * `os.path.join`, `__dirname` and `os.path.dirname(__file__)` anchors,
 * `'file://' + ...` concatenation, and pathlib's `Path(__file__).parent / 'a'`.
 * Anything with a variable or an interpolation has no known value.
 */
import * as path from 'node:path';
import type { CallSite } from './callSites';
import { trimSpan } from './callSites';
import type { ScriptTokens, Span, StringLiteral } from './scriptTokens';

export interface PathValue {
  /** The path text; relative to the script's folder when `anchoredAtScript`. */
  text: string;
  anchoredAtScript: boolean;
}

/** Expressions that name the script's own folder, written without spaces. */
const SCRIPT_FOLDER_ANCHORS = new Set([
  '__dirname',
  'import.meta.dirname',
  'os.path.dirname(__file__)',
  'os.path.dirname(os.path.abspath(__file__))',
  'os.path.dirname(os.path.realpath(__file__))',
  'Path(__file__).parent',
  'Path(__file__).resolve().parent',
  'Path(__file__).absolute().parent',
  'pathlib.Path(__file__).parent',
  'pathlib.Path(__file__).resolve().parent',
]);

/** Join callees, and whether an absolute part discards what came before it. */
const JOIN_CALLEES: Record<string, { restartsAtAbsolute: boolean }> = {
  'path.join': { restartsAtAbsolute: false },
  'path.posix.join': { restartsAtAbsolute: false },
  'path.resolve': { restartsAtAbsolute: true },
  'os.path.join': { restartsAtAbsolute: true },
  'posixpath.join': { restartsAtAbsolute: true },
};

const PATHLIB_CONSTRUCTORS = new Set(['Path', 'pathlib.Path', 'PurePath', 'pathlib.PurePath']);
const MAX_DEPTH = 8;

function joinParts(parts: PathValue[], restartsAtAbsolute: boolean): PathValue | undefined {
  let anchored = false;
  let pieces: string[] = [];
  for (const [index, part] of parts.entries()) {
    if (part.anchoredAtScript) {
      // The script folder only makes sense as the base.
      if (index !== 0) return undefined;
      anchored = true;
    }
    if (restartsAtAbsolute && path.posix.isAbsolute(part.text)) {
      pieces = [];
      anchored = false;
    }
    if (part.text !== '') pieces.push(part.text);
  }
  if (pieces.length === 0) return anchored ? { text: '.', anchoredAtScript: true } : undefined;
  return { text: path.posix.join(...pieces), anchoredAtScript: anchored };
}

/** Splits a span at a top-level operator character. */
function splitAtOperator(masked: string, span: Span, operator: string): Span[] {
  const pieces: Span[] = [];
  let depth = 0;
  let start = span.start;
  for (let i = span.start; i < span.end; i++) {
    const c = masked[i]!;
    if ('([{'.includes(c)) depth++;
    else if (')]}'.includes(c)) depth--;
    else if (c === operator && depth === 0) {
      // `//` (Python floor division) and `/=` are not path joins.
      if (operator === '/' && (masked[i + 1] === '/' || masked[i - 1] === '/' || masked[i + 1] === '=')) return [span];
      pieces.push(trimSpan(masked, start, i));
      start = i + 1;
    }
  }
  pieces.push(trimSpan(masked, start, span.end));
  return pieces;
}

export class PathExpressionEvaluator {
  private readonly literalsByStart = new Map<number, StringLiteral>();
  private readonly callsByStart = new Map<number, CallSite>();

  constructor(
    private readonly tokens: ScriptTokens,
    calls: readonly CallSite[],
  ) {
    for (const literal of tokens.literals) this.literalsByStart.set(literal.start, literal);
    for (const call of calls) this.callsByStart.set(call.start, call);
  }

  evaluate(span: Span, depth = 0): PathValue | undefined {
    if (depth > MAX_DEPTH || span.end <= span.start) return undefined;
    const masked = this.tokens.masked;
    const { start, end } = trimSpan(masked, span.start, span.end);
    const literal = this.literalsByStart.get(start);
    if (literal && literal.end === end) return literal.interpolated ? undefined : { text: literal.value, anchoredAtScript: false };
    const written = masked.slice(start, end).replace(/\s+/g, '');
    if (SCRIPT_FOLDER_ANCHORS.has(written)) return { text: '', anchoredAtScript: true };
    if (masked[start] === '(' && masked[end - 1] === ')' && this.enclosedByOneParen(start, end)) return this.evaluate({ start: start + 1, end: end - 1 }, depth + 1);
    const call = this.callsByStart.get(start);
    if (call && call.end === end) return this.evaluateCall(call, depth);
    const sum = splitAtOperator(masked, { start, end }, '+');
    if (sum.length > 1) return this.concatenate(sum, depth);
    if (this.tokens.language === 'python') {
      const quotient = splitAtOperator(masked, { start, end }, '/');
      if (quotient.length > 1) return this.joinPieces(quotient, false, depth);
    }
    return undefined;
  }

  private enclosedByOneParen(start: number, end: number): boolean {
    let depth = 0;
    for (let i = start; i < end - 1; i++) {
      const c = this.tokens.masked[i]!;
      if ('([{'.includes(c)) depth++;
      else if (')]}'.includes(c) && --depth === 0) return false;
    }
    return true;
  }

  private evaluateCall(call: CallSite, depth: number): PathValue | undefined {
    // A bare `join` is `import { join } from 'node:path'` or `from os.path import join`.
    const join = call.callee === 'join' ? { restartsAtAbsolute: this.tokens.language === 'python' } : JOIN_CALLEES[call.callee];
    if (join) return call.args.length === 0 ? undefined : this.joinPieces(call.args, join.restartsAtAbsolute, depth);
    if (this.tokens.language === 'python' && PATHLIB_CONSTRUCTORS.has(call.callee) && call.args.length > 0) return this.joinPieces(call.args, true, depth);
    return undefined;
  }

  private joinPieces(pieces: Span[], restartsAtAbsolute: boolean, depth: number): PathValue | undefined {
    const parts: PathValue[] = [];
    for (const piece of pieces) {
      const value = this.evaluate(piece, depth + 1);
      if (!value) return undefined;
      parts.push(value);
    }
    return joinParts(parts, restartsAtAbsolute);
  }

  /** `'file://' + path.join(__dirname, 'ckpt')`: string concatenation, with an anchor only at the start. */
  private concatenate(pieces: Span[], depth: number): PathValue | undefined {
    let text = '';
    let anchored = false;
    for (const piece of pieces) {
      const value = this.evaluate(piece, depth + 1);
      if (!value) return undefined;
      if (value.anchoredAtScript) {
        if (text !== '' && text !== 'file://') return undefined;
        anchored = true;
      }
      text += value.text;
    }
    return { text, anchoredAtScript: anchored };
  }
}
