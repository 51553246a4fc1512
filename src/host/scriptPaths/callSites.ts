/**
 * Calls in a script's masked text: the dotted callee, and each argument's
 * span split at top-level commas. Strings and comments are already blanked,
 * so brackets and commas inside them do not count.
 */
import type { ScriptTokens, Span } from './scriptTokens';

export interface CallSite extends Span {
  /** The callee with whitespace removed, e.g. `tf.keras.models.save_model`. */
  callee: string;
  /** Called on something: `x.save(` or `f().save(`, not a bare `save(`. */
  isMethod: boolean;
  /** Arguments, trimmed; an empty argument list has none. */
  args: Span[];
}

const CALL = /[A-Za-z_$][\w$]*(?:\s*\.\s*[A-Za-z_$][\w$]*)*\s*\(/g;
const OPENERS = '([{';
const CLOSERS = ')]}';

export function trimSpan(masked: string, start: number, end: number): Span {
  while (start < end && /\s/.test(masked[start]!)) start++;
  while (end > start && /\s/.test(masked[end - 1]!)) end--;
  return { start, end };
}

/** The index just after the bracket that closes the one at `open`, or undefined when it is never closed. */
function argumentsOf(masked: string, open: number): { args: Span[]; end: number } | undefined {
  const args: Span[] = [];
  let depth = 0;
  let argStart = open + 1;
  for (let i = open + 1; i < masked.length; i++) {
    const c = masked[i]!;
    if (OPENERS.includes(c)) depth++;
    else if (CLOSERS.includes(c)) {
      if (depth === 0) {
        const last = trimSpan(masked, argStart, i);
        if (last.end > last.start || args.length > 0) args.push(last);
        return { args, end: i + 1 };
      }
      depth--;
    } else if (c === ',' && depth === 0) {
      args.push(trimSpan(masked, argStart, i));
      argStart = i + 1;
    }
  }
  return undefined;
}

function precededByDot(masked: string, index: number): boolean {
  let i = index - 1;
  while (i >= 0 && /\s/.test(masked[i]!)) i--;
  return masked[i] === '.';
}

export function findCallSites(tokens: ScriptTokens): CallSite[] {
  const masked = tokens.masked;
  const calls: CallSite[] = [];
  for (const match of masked.matchAll(CALL)) {
    const start = match.index;
    const open = start + match[0].length - 1;
    const parsed = argumentsOf(masked, open);
    if (!parsed) continue;
    const callee = match[0].slice(0, -1).replace(/\s+/g, '');
    calls.push({ start, end: parsed.end, callee, isMethod: callee.includes('.') || precededByDot(masked, start), args: parsed.args });
  }
  return calls;
}
